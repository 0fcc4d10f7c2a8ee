"""``registry scheduler status`` and ``registry scheduler run``."""

import pytest
from click.testing import CliRunner

from registry.cli import main
from scheduling.locks import job_lock
from scheduling.service import ensure_tables
from tests.registry.jobs.events import notice_events
from tests.scheduling.conftest import runs_of, scenario  # noqa: F401 (a fixture)


@pytest.fixture
def run(database_url, tmp_path):
    def invoke(*args, **env):
        return CliRunner().invoke(main, [str(a) for a in args], env={
            "REGISTRY_DATABASE_URL": database_url, "REGISTRY_HOME": str(tmp_path), **env})
    return invoke


def test_run_records_the_run_and_prints_the_job_s_summary(run, scenario):
    result = run("scheduler", "run", "contract_expiry", "--now", "2019-07-01")
    assert result.exit_code == 0, result.output
    assert result.stdout == "contract_expiry on 2019-07-01: 3 recorded, 0 withdrawn, 3 open\n"
    [recorded] = runs_of(scenario, "contract_expiry")
    assert recorded["scheduled_for"] == "2019-07-01T00:00:00.000000Z"
    assert len(notice_events(scenario)) == 3
    again = run("scheduler", "run", "contract_expiry", "--now", "2019-07-01T06:00:00")
    assert again.stdout == "contract_expiry on 2019-07-01: 0 recorded, 0 withdrawn, 3 open\n"


def test_status_shows_each_job_s_schedule_last_run_and_next_run(run, scenario):
    before = run("scheduler", "status")
    assert before.exit_code == 0, before.output
    lines = before.stdout.splitlines()
    assert lines[0].split() == ["projection_catch_up", "every", "1m", "never", "run;", "not",
                                "scheduled", "yet", "(start", "`registry", "scheduler`)"]
    run("scheduler", "run", "milestone_slippage", "--now", "2019-07-01")
    after = run("scheduler", "status", REGISTRY_SCHEDULE_CONTRACT_EXPIRY="off").stdout
    [slippage] = [line for line in after.splitlines() if line.startswith("milestone_slippage")]
    assert " ok; not scheduled yet" in slippage and "last run 20" in slippage
    assert "milestone_slippage on 2019-07-01: 1 recorded, 0 withdrawn, 1 open" in after
    [expiry] = [line for line in after.splitlines() if line.startswith("contract_expiry")]
    assert expiry.split()[1:] == ["off", "never", "run;", "off"]


def test_a_job_running_elsewhere_is_refused_in_one_line(run, scenario):
    ensure_tables(scenario.read_side.store)
    with job_lock(scenario.read_side.store, "overdue_submissions", "elsewhere:7", lease=30):
        result = run("scheduler", "run", "overdue_submissions")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(
        "error: job overdue_submissions is running in another process")
    assert result.stderr.splitlines()[-1].endswith("try again when it has finished")
    assert notice_events(scenario) == []


def test_a_schedule_that_cannot_be_read_is_one_line_naming_the_variable(run, scenario):
    result = run("scheduler", "status", REGISTRY_SCHEDULE_LEDGER_CHECKPOINT="hourly")
    assert result.exit_code == 2
    assert result.stderr.startswith("configuration error: REGISTRY_SCHEDULE_LEDGER_CHECKPOINT")
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [["scheduler"], ["scheduler", "status"],
                                  ["scheduler", "run"], ["serve"]])
def test_every_scheduler_command_has_help(args):
    result = CliRunner().invoke(main, [*args, "--help"])
    assert result.exit_code == 0 and "Usage: " in result.stdout
    if args == ["serve"]:
        assert "--with-scheduler" in result.stdout


def test_an_unknown_job_or_clock_is_refused_with_the_choices(run, scenario):
    unknown = run("scheduler", "run", "tidy_up")
    assert unknown.exit_code == 2 and "'tidy_up' is not one of" in unknown.stderr
    bad_clock = run("scheduler", "run", "contract_expiry", "--now", "next tuesday")
    assert bad_clock.exit_code == 2 and "'next tuesday' does not match" in bad_clock.stderr


def test_under_the_reloader_only_the_serving_child_runs_the_scheduler(monkeypatch):
    from registry.cli.serve import _serving_process
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert _serving_process(debug=False)
    assert not _serving_process(debug=True)  # the parent that watches the files
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    assert _serving_process(debug=True)
