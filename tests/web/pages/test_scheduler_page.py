"""The scheduler's admin page: each job, its schedule, last run, outcome and next run, and
the recent failures with their tracebacks; administrators only."""

from datetime import UTC, datetime

import pytest

from registry.jobs import JOBS
from scheduling.runner import JobRunner
from scheduling.service import Scheduler, ensure_tables


def broken(app, now):
    raise LookupError("no contract register today")


@pytest.fixture
def ran(populated):
    """Two jobs run once each (one fails), and the schedule stored by a scheduler."""
    registry = populated.extensions["registry"]
    ensure_tables(registry.read_side.store)
    runner = JobRunner(registry, {**JOBS, "contract_expiry": broken}, owner="host:42:abc")
    runner.run("milestone_slippage", datetime(2024, 8, 1, 5, 10, tzinfo=UTC))
    runner.run("contract_expiry", datetime(2024, 8, 1, 5, 5, tzinfo=UTC))
    scheduler = Scheduler(registry, environ={})
    scheduler.start()
    scheduler.scheduler.pause()
    yield populated
    scheduler.stop()


def test_an_administrator_sees_every_job_its_last_run_and_next_run(ran, signed_in):
    page = signed_in("admin").get("/admin/scheduler").get_data(as_text=True)
    jobs = page[page.index('id="jobs"'):page.index('id="failures"')]
    for job in JOBS:
        assert f"<td>{job}</td>" in jobs
    assert "<code>every 1h</code>" in jobs and "<code>0 5 * * *</code>" in jobs
    assert "milestone_slippage on " in jobs and ">ok</span>" in jobs
    assert ">failed</span>" in jobs and "LookupError: no contract register today" in jobs
    assert "never" in jobs  # overdue_submissions has not run
    assert "not scheduled yet" not in jobs
    failures = page[page.index('id="failures"'):]
    assert "contract_expiry failed at" in failures
    assert "(scheduled for 2024-08-01 05:05 UTC)" in failures
    assert "Traceback (most recent call last)" in failures and "raise LookupError(" in failures
    assert "Run by host:42:abc" in failures


def test_before_any_scheduler_has_started_the_page_says_so(populated, signed_in):
    page = signed_in("admin").get("/admin/scheduler").get_data(as_text=True)
    assert page.count("not scheduled yet: no scheduler has started") == len(JOBS)
    assert "No run has failed." in page


@pytest.mark.parametrize("username", ["regulator", "commissioner", "provider"])
def test_only_administrators_see_the_scheduler(populated, signed_in, username):
    client = signed_in(username)
    assert client.get("/admin/scheduler").status_code == 403
    assert 'href="/admin/scheduler"' not in client.get("/").get_data(as_text=True)


def test_the_scheduler_is_in_an_administrator_s_navigation(populated, signed_in):
    assert 'href="/admin/scheduler"' in signed_in("admin").get("/").get_data(as_text=True)


def test_a_schedule_setting_that_cannot_be_read_is_explained(populated, signed_in,
                                                             monkeypatch):
    monkeypatch.setenv("REGISTRY_SCHEDULE_CONTRACT_EXPIRY", "fortnightly")
    response = signed_in("admin").get("/admin/scheduler")
    assert response.status_code == 200
    assert "The schedule cannot be shown: REGISTRY_SCHEDULE_CONTRACT_EXPIRY &#39;fortnightly&#39;" \
        in response.get_data(as_text=True)
