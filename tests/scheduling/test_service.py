"""The scheduler in this process: jobs run on their schedules, kept in the database."""

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from registry.jobs import JOBS
from scheduling.runs import FAILED, OK
from scheduling.service import Scheduler, ensure_tables, status
from tests.registry.jobs.events import raised_per_notice
from tests.scheduling.conftest import EXPECTED_NOTICES, runs_of

DEADLINE = 60  # seconds


def every(seconds: int, jobs=JOBS) -> dict:
    return {f"REGISTRY_SCHEDULE_{job.upper()}": f"every {seconds}s" for job in jobs}


def wait_for(condition, what: str):
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture
def running():
    """running(app, jobs, environ) -> a started Scheduler, stopped after the test."""
    started = []

    def start(app, jobs=None, environ=None):
        scheduler = Scheduler(app, jobs, environ or {})
        started.append(scheduler)
        scheduler.start()
        return scheduler
    yield start
    for scheduler in started:
        scheduler.stop()


def ran(app, job, outcome=OK) -> int:
    return len(runs_of(app, job, outcome))


def test_every_job_runs_on_its_schedule_and_records_each_notice_once(scenario, running):
    scheduler = running(scenario, environ=every(1))
    wait_for(lambda: all(ran(scenario, job) >= 2 for job in JOBS), "two runs of every job")
    scheduler.stop()
    assert len(raised_per_notice(scenario)) == EXPECTED_NOTICES
    assert set(raised_per_notice(scenario).values()) == {1}
    rows = {row["job"]: row for row in status(scenario, environ=every(1))}
    assert set(rows) == set(JOBS)
    for row in rows.values():
        assert row["schedule"] == "every 1s" and row["last_run"]["outcome"] == OK
        assert row["next_run"] > datetime.fromisoformat(row["last_run"]["scheduled_for"])


def test_a_failing_job_does_not_stop_the_others(scenario, running):
    def broken(app, now):
        raise RuntimeError("the clock fell off the wall")

    jobs = {"broken": broken, "contract_expiry": JOBS["contract_expiry"]}
    running(scenario, jobs, every(1, jobs))
    wait_for(lambda: ran(scenario, "broken", FAILED) >= 2 and ran(scenario, "contract_expiry")
             >= 2, "two failed runs of the broken job and two good runs of the other")
    failure = runs_of(scenario, "broken", FAILED)[0]
    assert failure["summary"] == "RuntimeError: the clock fell off the wall"
    assert "raise RuntimeError" in failure["traceback"]


def test_runs_missed_while_down_are_made_up_once(scenario, running):
    hourly = {"REGISTRY_SCHEDULE_LEDGER_CHECKPOINT": "every 1h"}
    jobs = {"ledger_checkpoint": JOBS["ledger_checkpoint"]}
    # The first scheduler stores its job without its loop ever running: a loop already
    # inside its processing when the test moves the job into the past would take that
    # run itself (and lose it, stopping), which is not what this test is about.
    first = Scheduler(scenario, jobs, hourly)
    ensure_tables(scenario.read_side.store)
    first.scheduler.start(paused=True)
    first._align()
    missed = datetime.now(UTC) - timedelta(hours=3, minutes=30)
    first.scheduler.modify_job("ledger_checkpoint", next_run_time=missed)
    first.stop()  # down for three and a half hours: four runs missed
    running(scenario, jobs, hourly)
    wait_for(lambda: ran(scenario, "ledger_checkpoint") == 1, "the missed run")
    [run] = runs_of(scenario, "ledger_checkpoint")
    assert run["scheduled_for"] == (missed + timedelta(hours=3)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ")
    [row] = [r for r in status(scenario, environ=hourly) if r["job"] == "ledger_checkpoint"]
    assert row["next_run"] == missed + timedelta(hours=4)
    assert Counter(r["outcome"] for r in runs_of(scenario)) == {OK: 1}


def test_a_changed_schedule_replaces_the_stored_one_and_off_removes_it(scenario, running):
    first = running(scenario, environ={})
    stored = {job.id: str(job.trigger) for job in first.scheduler.get_jobs()}
    assert stored["ledger_checkpoint"] == "interval[1:00:00]"
    first.stop()
    second = running(scenario, environ={"REGISTRY_SCHEDULE_LEDGER_CHECKPOINT": "every 2h",
                                        "REGISTRY_SCHEDULE_CONTRACT_EXPIRY": "off"})
    stored = {job.id: str(job.trigger) for job in second.scheduler.get_jobs()}
    assert stored["ledger_checkpoint"] == "interval[2:00:00]"
    assert "contract_expiry" not in stored and len(stored) == len(JOBS) - 1
    rows = {r["job"]: r for r in status(scenario, environ={
        "REGISTRY_SCHEDULE_CONTRACT_EXPIRY": "off"})}
    assert rows["contract_expiry"]["schedule"] == "off"
    assert rows["contract_expiry"]["next_run"] is None


def test_the_scheduler_s_tables_live_in_the_registry_s_own_schema(scenario, running):
    running(scenario, environ={})
    store = scenario.read_side.store
    if store.engine != "postgres":
        assert {"scheduler_jobs", "scheduler_runs", "scheduler_locks"} <= {
            r["name"] for r in store.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return
    rows = store.query("SELECT table_schema, table_name FROM information_schema.tables "
                       "WHERE table_name LIKE 'scheduler_%' AND table_schema IN (?, 'public')",
                       (store.schema,))
    assert {(r["table_schema"], r["table_name"]) for r in rows} == {
        (store.schema, "scheduler_jobs"), (store.schema, "scheduler_runs")}
    assert store.schema != "public"


def test_a_stop_that_waits_long_for_a_run_says_what_every_thread_is_doing(scenario, running,
                                                                            capfd):
    started, release = threading.Event(), threading.Event()

    def slow(app, now):
        started.set()
        release.wait(60)
        return SimpleNamespace(summary="done")

    jobs = {"slow": slow}
    scheduler = running(scenario, jobs, every(1, jobs))
    wait_for(started.is_set, "the slow job to start")
    stopper = threading.Thread(target=scheduler.stop, kwargs={"report_after": 0.5})
    stopper.start()
    # The report comes while the stop still waits for the run.
    wait_for(lambda: "Thread" in capfd.readouterr().err or False, "the threads' report")
    assert stopper.is_alive()
    release.set()
    stopper.join(30)
    assert not stopper.is_alive()
    assert [r["outcome"] for r in runs_of(scenario, "slow")] == [OK], runs_of(scenario, "slow")
