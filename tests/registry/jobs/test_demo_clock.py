"""The demo data set with the scheduler's clock moved across fifteen years: every period
end, contract end date and FT milestone target it passes is noticed exactly once, on
the first day the clock shows it due.

SQLite only: the demo is 24,000 events, and the jobs' behaviour on PostgreSQL is
covered by the smaller tests beside this one and the two-process tests.
"""

from collections import Counter
from datetime import date, timedelta

import pytest

from config.settings import Settings
from config.storage import open_registry
from projections.contracts import contracts_register
from projections.pipeline import pipeline_board
from registry.demo import load_demo
from registry.jobs import contract_expiry, milestone_slippage, overdue_submissions
from registry.jobs.contract_expiry import LEAD_MONTHS, months_before
from registry.provenance import Actor
from tests.registry.jobs.events import at, days, notice_events, raised_per_notice

pytestmark = pytest.mark.slow
GRID = list(days("2012-01-01", "2027-12-31", step=61))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo-clock")
    app = open_registry(Settings.from_env({"REGISTRY_HOME": str(home),
                                           "REGISTRY_INLINE_PROJECTIONS": "off"}))
    load_demo(app, Actor("test.admin", "X24", "admin"))
    app.read_side.catch_up()
    yield app
    app.close()


@pytest.fixture(scope="module")
def moved(demo):
    """The clock moved across GRID, each contract's lead-time days and end, and the day
    after each milestone target; returns the days each job ran on."""
    store = demo.read_side.store
    live = [c for c in contracts_register(store, today=date(2012, 1, 1))
            if not c["terminated"]]
    expiry_days = {months_before(date.fromisoformat(c["end"]), m) for c in live
                   for m in LEAD_MONTHS} | {date.fromisoformat(c["end"]) + timedelta(days=1)
                                            for c in live}
    targets = {date.fromisoformat(m["target"]) + timedelta(days=1)
               for a in pipeline_board(store, today=date(2012, 1, 1))
               for m in a["milestones"] if m["target"]}
    ran = {overdue_submissions: set(GRID), contract_expiry: set(GRID) | expiry_days,
           milestone_slippage: set(GRID) | targets}
    for day in sorted(set().union(*ran.values())):
        for job, on in ran.items():
            if day in on:
                job(demo, at(day))
    return ran


def first_day_after(due: date, on: set[date]) -> date:
    return min(day for day in on if day > due)


def raised(app, kind: str) -> list[dict]:
    return [e.data for e in notice_events(app, "Raised") if e.data["kind"] == kind]


def test_each_notice_is_raised_once_and_every_kind_is_raised(demo, moved):
    assert set(raised_per_notice(demo).values()) == {1}
    kinds = Counter(e.data["kind"] for e in notice_events(demo, "Raised"))
    assert set(kinds) == {"overdue_submission", "contract_expiry", "milestone_slipped"}


def test_an_overdue_figure_is_noticed_on_the_first_run_after_its_due_date(demo, moved):
    notices = raised(demo, "overdue_submission")
    assert len(notices) > 100
    for notice in notices:
        assert notice["noticed_on"] == first_day_after(notice["due"], moved[overdue_submissions])


def test_expiry_notices_fall_on_their_lead_days_and_are_withdrawn_when_contracts_end(demo,
                                                                                     moved):
    notices = raised(demo, "contract_expiry")
    assert notices
    for notice in notices:
        assert notice["noticed_on"] == months_before(notice["due"], notice["months_before"])
    withdrawn = {e.aggregate_id: e.data for e in notice_events(demo, "Withdrawn")}
    ended = [n for n in notice_events(demo, "Raised") if n.data["kind"] == "contract_expiry"
             and n.data["due"] < GRID[-1]]
    for notice in ended:
        assert withdrawn[notice.aggregate_id]["because"] in ("ended", "end_changed")


def test_a_missed_milestone_is_noticed_the_day_after_its_target(demo, moved):
    notices = raised(demo, "milestone_slipped")
    assert notices
    for notice in notices:
        assert notice["noticed_on"] == notice["due"] + timedelta(days=1)


def test_running_again_on_the_last_day_records_nothing(demo, moved):
    stored = len(notice_events(demo))
    for job in moved:
        result = job(demo, at(GRID[-1]))
        assert (result.recorded, result.withdrawn) == (0, 0)
    assert len(notice_events(demo)) == stored
