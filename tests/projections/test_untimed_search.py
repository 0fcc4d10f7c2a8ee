"""Audit and histories file submission events by SQL, and leave to Python those whose stored
time the SQL does not read (recorded on the second, say). Looking for those reads every
state of the range again, so it is done only when the SQL filed fewer events than the
runner counted in the range; the events it finds are filed all the same."""

from datetime import UTC, datetime

import eventsourcing.domain
import pytest

from projections.eventlog import read_events
from projections.store import Cursor
from tests.builders import provider_of, seed, wic

# What only the search for those events says, on either engine (``NOT TIMED``, or on
# PostgreSQL's audit, the rows of its parsed range that were not).
SEARCHES = ("NOT (substr(e.state, 1, 48)", "NOT (substring(e.state from 1 for 48)",
            "WHERE NOT timed")
FILED = {"audit": "SELECT position, recorded_at FROM audit_events",
         "histories": "SELECT position, recorded_at FROM history_events"}


@pytest.fixture
def searches(monkeypatch) -> list[str]:
    """The search statements run from now on."""
    seen = []
    execute = Cursor.execute

    def recording(self, statement: str, params=()):
        if any(marker in statement for marker in SEARCHES):
            seen.append(statement)
        return execute(self, statement, params)

    monkeypatch.setattr(Cursor, "execute", recording)
    return seen


def submissions(app) -> list[int]:
    return [e.position for e in read_events(app) if e.aggregate_type == "Submission"]


def filed(app, name: str) -> dict[int, str]:
    """The recorded time of each submission event the read model filed, by position."""
    rows = app.read_side.store.query(FILED[name])
    wanted = set(submissions(app))
    return {r["position"]: r["recorded_at"] for r in rows if r["position"] in wanted}


@pytest.mark.parametrize("name", ["audit", "histories"])
def test_no_search_when_the_sql_filed_every_submission_of_the_range(app, searches, name):
    seed(app)
    app.submit(wic(), provider_of("RY6"))
    app.submit(wic(period="2018-11"), provider_of("RY6"))
    app.read_side.rebuild(name)
    assert sorted(filed(app, name)) == submissions(app)
    assert searches == []


@pytest.mark.parametrize("name", ["audit", "histories"])
def test_a_submission_stamped_on_the_second_is_searched_for_and_filed(app, searches,
                                                                      monkeypatch, name):
    seed(app)
    on_the_second = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with monkeypatch.context() as stamped:
        stamped.setattr(eventsourcing.domain, "datetime_now_with_tzinfo",
                        lambda: on_the_second)
        app.submit(wic(), provider_of("RY6"))
    app.submit(wic(period="2018-11"), provider_of("RY6"))
    app.read_side.rebuild(name)
    stamps = filed(app, name)
    assert sorted(stamps) == submissions(app)
    assert stamps[submissions(app)[0]] == "2026-01-02T03:04:05.000000Z"
    assert searches
