"""Running a job on the record: its lock, its run, its outcome."""

import logging
from datetime import UTC, datetime

import pytest

from registry.jobs import JOBS
from scheduling.locks import job_lock
from scheduling.runner import ALREADY_RUN, JobRunner
from scheduling.runs import FAILED, INTERRUPTED, LOCKED, OK, RUNNING
from scheduling.service import ensure_tables
from tests.registry.jobs.events import at, notice_events
from tests.scheduling.conftest import runs_of


def broken(app, now):
    raise ValueError("no such service line: hovercraft")


@pytest.fixture
def runner(scenario):
    ensure_tables(scenario.read_side.store)
    return JobRunner(scenario, {**JOBS, "broken": broken}, owner="test:1", lease=5)


def test_a_run_is_recorded_with_its_scheduled_time_and_the_job_s_summary(runner, scenario):
    scheduled = datetime(2026, 1, 5, 5, 5, tzinfo=UTC)
    outcome = runner.run("contract_expiry", scheduled, now=at("2019-07-01"))
    [run] = runs_of(scenario, "contract_expiry")
    assert (outcome.outcome, run["outcome"]) == (OK, OK)
    assert run["summary"] == outcome.summary == \
        "contract_expiry on 2019-07-01: 3 recorded, 0 withdrawn, 3 open"
    assert run["scheduled_for"] == "2026-01-05T05:05:00.000000Z"
    assert run["started"] <= run["finished"] and run["owner"] == "test:1"
    assert run["traceback"] is None


def test_a_failing_job_is_recorded_failed_with_its_traceback_and_logged(runner, scenario,
                                                                        caplog):
    with caplog.at_level(logging.ERROR, logger="registry.scheduler"):
        outcome = runner.run("broken", at("2026-01-05"))
    [run] = runs_of(scenario, "broken")
    assert outcome.outcome == run["outcome"] == FAILED
    assert run["summary"] == "ValueError: no such service line: hovercraft"
    assert "Traceback (most recent call last)" in run["traceback"]
    assert 'in broken\n    raise ValueError' in run["traceback"]
    [record] = [r for r in caplog.records if r.message == "job broken failed"]
    assert record.exc_info[0] is ValueError
    assert runner.run("contract_expiry", at("2026-01-05")).outcome == OK


def test_a_job_whose_lock_is_held_elsewhere_is_skipped_and_recorded(runner, scenario):
    store = scenario.read_side.store
    with job_lock(store, "contract_expiry", "elsewhere:2", lease=30):
        outcome = runner.run("contract_expiry", at("2026-01-05"))
    assert outcome.outcome == LOCKED
    [run] = runs_of(scenario, "contract_expiry")
    assert run["outcome"] == LOCKED and run["summary"].startswith(
        "job contract_expiry is running in another process")
    assert notice_events(scenario) == []
    assert runner.run("contract_expiry", at("2026-01-05")).outcome == OK


def test_a_scheduled_time_already_run_by_another_process_is_not_run_again(runner, scenario):
    other = JobRunner(scenario, JOBS, owner="test:2", lease=5)
    scheduled = at("2026-01-05")
    assert other.run("milestone_slippage", scheduled).outcome == OK
    assert runner.run("milestone_slippage", scheduled).outcome == ALREADY_RUN
    assert [r["owner"] for r in runs_of(scenario, "milestone_slippage")] == ["test:2"]
    assert runner.run("milestone_slippage", scheduled, once_per_time=False).outcome == OK


def test_a_run_left_running_by_a_killed_process_is_marked_interrupted(runner, scenario):
    killed = JobRunner(scenario, JOBS, owner="killed:3", lease=5)
    killed.runs.started("contract_expiry", at("2026-01-04"), "killed:3")
    assert [r["outcome"] for r in runs_of(scenario, "contract_expiry")] == [RUNNING]
    runner.run("contract_expiry", at("2026-01-05"))
    assert [r["outcome"] for r in runs_of(scenario, "contract_expiry")] == [INTERRUPTED, OK]


def test_the_jobs_record_notices_as_the_scheduler(runner, scenario):
    runner.run("overdue_submissions", at("2026-01-05"))
    runner.run("milestone_slippage", at("2026-01-05"))
    events = notice_events(scenario)
    assert len(events) == 12
    assert {e.provenance["actor"]["user_id"] for e in events} == {"registry.scheduler"}
