import gc
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from eventsourcing.persistence import OperationalError
from eventsourcing.postgres import PostgresDatastore

from config.settings import Settings
from config.storage import open_registry
from projections.eventlog import read_events
from registry.cli import main
from tests.builders import event_count, provider_of, seed, wic
from tests.ledger.test_tamper import sql
from tests.registry.imports.test_imports import submissions_csv


@pytest.fixture
def run(database_url, tmp_path):
    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], env={
            "REGISTRY_DATABASE_URL": database_url, "REGISTRY_USER": "cli.tester",
            "REGISTRY_HOME": str(tmp_path)})
    return invoke


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def test_an_import_with_one_bad_row_exits_2_and_names_it(run, seeded, tmp_path):
    path = tmp_path / "subs.csv"
    path.write_bytes(submissions_csv(300, bad_row=137))
    before = event_count(seeded)
    result = run("import", "submissions", path)
    assert result.exit_code == 2
    assert "row 137: numerator: must not exceed the denominator" in result.stderr
    assert "nothing was stored" in result.stderr
    assert event_count(seeded) == before


def test_the_same_file_twice_stores_nothing_new_and_changes_need_restate(run, seeded, tmp_path):
    path = tmp_path / "subs.csv"
    path.write_bytes(submissions_csv(20))
    first = run("import", "submissions", path)
    assert first.exit_code == 0 and "20 events stored" in first.stdout
    count = event_count(seeded)
    assert "0 events stored" in run("import", "submissions", path).stdout
    assert event_count(seeded) == count
    path.write_bytes(submissions_csv(20, numerator=88))
    refused = run("import", "submissions", path)
    assert refused.exit_code == 2 and "--restate" in refused.stderr
    restated = run("import", "submissions", path, "--restate", "--reason", "audit fix")
    assert restated.exit_code == 0 and "20 restated" in restated.stdout


def test_history_lists_events_with_their_provenance(run, seeded, tmp_path):
    path = tmp_path / "subs.csv"
    path.write_bytes(submissions_csv(2))
    run("import", "submissions", path)
    result = run("history", "ry6", "--json")
    assert result.exit_code == 0
    events = json.loads(result.stdout)
    assert [e["event"] for e in events] == ["Registered", "Submitted", "Submitted"]
    imported = events[1]
    assert imported["provenance"]["actor"]["user_id"] == "cli.tester"
    assert imported["provenance"]["channel"] == "import"
    assert imported["provenance"]["source"]["file"] == "subs.csv"
    assert imported["provenance"]["source"]["row"] == 2
    assert imported["recorded_at"].endswith("+00:00")
    assert imported["data"]["period"] == "2012-01"
    text = run("history", "RY6").stdout
    assert "Submission.Submitted  by cli.tester (REGISTRY, admin) via import from subs.csv" \
        in text


def test_history_as_of_a_time_before_anything_was_recorded_is_empty(run, seeded):
    result = run("history", "RY6", "--json", "--as-of", "2000-01-01")
    assert json.loads(result.stdout) == []


def test_history_of_an_unknown_organisation_says_so(run, app):
    result = run("history", "ZZZ")
    assert result.exit_code == 2 and "no organisation with code ZZZ" in result.stderr


def test_the_demo_refuses_a_store_that_is_not_empty(run, seeded):
    result = run("demo")
    assert result.exit_code == 2 and "--force" in result.stderr


def _commands(group, path=()):
    yield path
    if isinstance(group, click.Group):
        for name, command in group.commands.items():
            yield from _commands(command, path + (name,))


@pytest.mark.parametrize("path", list(_commands(main)), ids=lambda p: " ".join(p) or "registry")
def test_every_command_has_help(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.stdout


UNREACHABLE = "postgresql://postgres@127.0.0.1:1/none"


def _open_datastores() -> set:
    return {o for o in gc.get_objects() if isinstance(o, PostgresDatastore) and not o.pool.closed}


def test_an_unreachable_database_is_a_message_not_a_traceback():
    result = CliRunner().invoke(main, ["history", "RY6"],
                                env={"REGISTRY_DATABASE_URL": UNREACHABLE})
    assert result.exit_code == 1
    assert "cannot reach PostgreSQL" in result.stderr and "Traceback" not in result.output


def test_a_registry_that_cannot_be_opened_leaves_no_connection_pool_open():
    before = _open_datastores()
    with pytest.raises(OperationalError) as refused:  # keeps the half-opened registry alive
        open_registry(Settings.from_env({"REGISTRY_DATABASE_URL": UNREACHABLE}))
    assert refused.value and _open_datastores() - before == set()


def test_an_unsupported_database_url_is_explained(tmp_path):
    result = CliRunner().invoke(main, ["history", "RY6"], env={
        "REGISTRY_DATABASE_URL": "mysql://x/y"})
    assert result.exit_code == 2 and "not supported" in result.stderr


def test_the_registry_console_script_is_installed():
    script = Path(sys.executable).parent / "registry"
    result = subprocess.run([script, "--help"], capture_output=True, text=True, check=True)
    assert "import" in result.stdout and "history" in result.stdout


def test_benchmark_and_spc_print_json_as_documented(run, seeded, tmp_path):
    path = tmp_path / "subs.csv"
    path.write_bytes(submissions_csv(160))
    assert run("import", "submissions", path).exit_code == 0
    document = json.loads(run("benchmark", "--indicator", "wic4h", "--period", "2012-03",
                              "--json").stdout)
    assert set(document) >= {"indicator", "period", "service_line", "peer_group", "national",
                             "providers"}
    assert set(document["national"]) == {"value", "numerator", "denominator"}
    [provider] = [p for p in document["providers"] if p["code"] == "RY6"]
    assert set(provider) >= {"code", "name", "value", "numerator", "denominator", "ci95",
                             "ci998", "quartile", "rank", "comparison", "funnel"}
    assert provider["value"] == 90.0
    chart = json.loads(run("spc", "--provider", "RY6", "--indicator", "WIC4H",
                           "--json").stdout)
    assert set(chart) >= {"mean", "lpl", "upl", "trial_limits", "variation_icon",
                          "assurance_icon", "points"}
    assert len(chart["points"]) == 150 and chart["mean"] == 90.0
    assert set(chart["points"][0]) >= {"period", "value", "mean", "lpl", "upl",
                                       "special_cause", "rule", "type"}


def test_projection_commands_report_status_and_equal_checksums_after_rebuild(run, seeded):
    assert "histories" in run("projections", "catch-up").stdout
    status = run("projections", "status").stdout
    assert "benchmarks" in status and "lag       0" in status
    before = run("projections", "checksum").stdout
    assert "rebuilt from" in run("projections", "rebuild").stdout
    assert run("projections", "checksum").stdout == before
    assert run("projections", "rebuild", "nonsense").exit_code == 2


@pytest.mark.parametrize("name", ["audit", "histories", "benchmarks", "spc"])
def test_a_rebuild_over_a_state_that_is_not_json_names_the_event_and_exits_1(run, seeded,
                                                                          name):
    """Behind the registry's back, a submission's stored state is spoilt: the rebuild of a
    read model that files submissions by SQL stops at that event with a message saying
    what to do next, not a traceback, and the status shows where it stopped."""
    app = seeded
    store = app.read_side.store
    app.submit(wic(), provider_of("RY6"))
    at = [e for e in read_events(app) if e.aggregate_type == "Submission"][0]
    sql(app, "UPDATE {events} SET state = ? WHERE {pos} = ?",
        (bytes(at.notification.state)[:-2] + b"{{", at.position))
    result = run("projections", "rebuild", name)
    assert result.exit_code == 1, result.output
    assert f"projection '{name}' stopped at event {at.position} (Submission.Submitted)" \
        in result.output
    assert "registry projections catch-up" in result.output
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    status = run("projections", "status").stdout
    assert f"STOPPED at {at.position}" in status
    assert store.query("SELECT position FROM projection_positions WHERE name = ?",
                       (name,))[0]["position"] == at.position - 1


def test_a_rebuild_may_leave_figures_owed_for_the_next_catch_up(run, seeded, tmp_path):
    path = tmp_path / "subs.csv"
    path.write_bytes(submissions_csv(12))
    assert run("import", "submissions", path).exit_code == 0
    assert run("projections", "catch-up").exit_code == 0  # not inline on PostgreSQL
    before = run("projections", "checksum", "benchmarks").stdout
    shown = run("benchmark", "--indicator", "WIC4H", "--period", "2012-06", "--json").stdout
    assert "rebuilt from" in run("projections", "rebuild", "benchmarks",
                                 "--leave-figures-owed").stdout
    assert run("projections", "checksum", "benchmarks").stdout != before  # none stored yet
    assert "0 events applied" in run("projections", "catch-up", "benchmarks").stdout
    assert run("projections", "checksum", "benchmarks").stdout == before  # settled
    assert run("benchmark", "--indicator", "WIC4H", "--period", "2012-06",
               "--json").stdout == shown
