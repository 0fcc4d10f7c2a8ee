"""Benchmarks and SPC charts are recomputed once per catch-up, from a dirty set kept in a
table written with each page: a crash between pages loses none of it."""

import pytest

from projections.benchmarks import Benchmarks
from projections.engine import Runner
from projections.spc_charts import SpcCharts
from projections.store import ReadStore
from tests.builders import ADMIN, seed, wic

PERIODS = [f"2018-{m:02d}" for m in range(1, 7)]


@pytest.fixture
def store(app):
    read = ReadStore(app)
    yield read
    read.close()


@pytest.fixture
def submitted(app):
    seed(app)
    for period in PERIODS:
        for code, num in (("RY6", 90), ("RYX", 160), ("RY2", 300)):
            app.submit(wic(provider=code, period=period, numerator=num, denominator=400),
                       ADMIN)
    return app


class Crashing(Exception):
    pass


def crash_before_settling(projection):
    def settle(cursor):
        raise Crashing("the process died after its last page")
    projection.settle = settle
    return projection


@pytest.mark.parametrize("kind, dirty, live", [
    (Benchmarks, "benchmark_dirty", "benchmark_providers"),
    (SpcCharts, "spc_dirty", "spc_points"),
])
def test_work_owed_by_committed_pages_survives_a_crash_and_is_settled_next_time(
        submitted, store, kind, dirty, live):
    with pytest.raises(Crashing):
        Runner(submitted, store, [crash_before_settling(kind())], page=4).rebuild()
    assert store.query(f"SELECT COUNT(*) AS n FROM {dirty}")[0]["n"] > 0
    assert store.query(f"SELECT COUNT(*) AS n FROM {live}")[0]["n"] == 0

    runner = Runner(submitted, store, [kind()], page=4)
    assert runner.catch_up() == {kind.name: 0}  # nothing left to read, only to settle
    assert store.query(f"SELECT COUNT(*) AS n FROM {dirty}")[0]["n"] == 0
    settled = runner.checksums()
    runner.rebuild()
    assert runner.checksums() == settled


@pytest.mark.parametrize("kind", [Benchmarks, SpcCharts])
def test_settling_in_parts_gives_what_settling_at_once_gives(submitted, store, kind,
                                                             monkeypatch):
    runner = Runner(submitted, store, [kind()], page=5)
    runner.rebuild()
    whole = runner.checksums()
    monkeypatch.setattr(f"{kind.__module__}.SETTLE", 2)
    runner.rebuild()
    assert runner.checksums() == whole


@pytest.mark.parametrize("kind, owed", [(Benchmarks, len(PERIODS)), (SpcCharts, 3)])
def test_settling_reports_its_progress_part_by_part(submitted, store, kind, owed,
                                                    monkeypatch):
    """A long recomputation at the end of a catch-up is not a silent pause."""
    monkeypatch.setattr(f"{kind.__module__}.SETTLE", 2)
    reported = []
    Runner(submitted, store, [kind()], page=50).rebuild(
        progress=lambda name, done, total: reported.append((name, done, total)))
    figures = [(done, total) for name, done, total in reported if name == f"{kind.name} figures"]
    parts = -(-owed // 2)
    assert figures == [(min(owed, 2 * part), owed) for part in range(1, parts + 1)]


def test_a_page_at_a_time_and_one_page_give_the_same_tables(submitted, store):
    many = Runner(submitted, store, [Benchmarks(), SpcCharts()], page=1)
    many.rebuild()
    paged = many.checksums()
    one = Runner(submitted, store, [Benchmarks(), SpcCharts()], page=10_000)
    one.rebuild()
    assert one.checksums() == paged


def _event(position, aggregate_id, version, kind, **data):
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from projections.eventlog import LoggedEvent
    event = SimpleNamespace(timestamp=datetime(2024, 1, 1, tzinfo=timezone.utc), **data)
    return LoggedEvent(position, aggregate_id, version, f"registry.submission:Submission.{kind}",
                       event=event)


def test_facts_buffered_in_a_page_are_read_back_and_a_version_stored_twice_is_refused_at_once():
    import sqlite3
    import uuid

    from projections.facts import FactTables
    from projections.store import Cursor

    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    cursor = Cursor(conn.cursor(), "sqlite")
    facts = FactTables("t")
    for ddl in facts.tables.values():
        cursor.execute(ddl)
    one = uuid.uuid4()
    cell = {"provider": "RY6", "indicator": "WIC4H", "service_line": "walk_in_centres",
            "period": "2018-12"}
    events = [_event(1, one, 1, "Submitted", values={"numerator": 9, "denominator": 10},
                     **cell),
              _event(2, one, 2, "Restated", values={"numerator": 8, "denominator": 10}),
              _event(3, one, 3, "Withdrawn")]
    page = facts.page()
    page.read_ahead(cursor, events)
    for logged in events:
        facts.apply(cursor, logged, page)
    assert cursor.execute("SELECT COUNT(*) AS n FROM t_submissions").fetchone()["n"] == 0
    page.write(cursor)
    rows = cursor.execute("SELECT version, provider, numerator, withdrawn FROM t_submissions "
                          "ORDER BY version").fetchall()
    assert rows == [{"version": 1, "provider": "RY6", "numerator": 9, "withdrawn": 0},
                    {"version": 2, "provider": "RY6", "numerator": 8, "withdrawn": 0},
                    {"version": 3, "provider": "RY6", "numerator": 8, "withdrawn": 1}]

    again = facts.page()
    duplicate = _event(4, one, 2, "Restated", values={"numerator": 1, "denominator": 10})
    again.read_ahead(cursor, [duplicate])
    with pytest.raises(sqlite3.IntegrityError):
        facts.apply(cursor, duplicate, again)
    fresh = facts.page()
    twice = [_event(5, uuid.uuid4(), 1, "Submitted", values={}, **cell)]
    twice.append(twice[0])
    fresh.read_ahead(cursor, twice)
    facts.apply(cursor, twice[0], fresh)
    with pytest.raises(sqlite3.IntegrityError):
        facts.apply(cursor, twice[1], fresh)
