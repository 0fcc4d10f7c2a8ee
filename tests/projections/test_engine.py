import subprocess
import sys
import textwrap

import pytest

from projections.engine import ConcurrentRunner, ProjectionFailed, Runner
from projections.eventlog import read_events
from projections.histories import Histories
from projections.store import ReadStore
from tests.builders import ADMIN, provider_of, seed, wic
from tests.projections.counting import (
    BulkCounting,
    Counting,
    HeldCounting,
    IndexedCounting,
    has_index,
)


@pytest.fixture
def store(app):
    read = ReadStore(app)
    yield read
    read.close()


def positions(app) -> list[int]:
    return [e.position for e in read_events(app)]


def counted(store) -> list[int]:
    return [r["position"] for r in store.query("SELECT position FROM counted ORDER BY position")]


def test_catch_up_applies_every_event_once_in_pages(app, store):
    seed(app)
    runner = Runner(app, store, [Counting()], page=3)
    assert runner.catch_up() == {"counting": len(positions(app))}
    assert counted(store) == positions(app)
    app.submit(wic(), provider_of("RY6"))
    assert runner.catch_up() == {"counting": 1}
    assert runner.catch_up() == {"counting": 0}
    assert counted(store) == positions(app)


def test_a_failing_event_stops_its_projection_just_before_it(app, store):
    seed(app)
    failing = positions(app)[4]
    runner = Runner(app, store, [Counting(fail_at=failing)], page=100)
    with pytest.raises(ProjectionFailed, match=f"stopped at event {failing}"):
        runner.catch_up()
    assert counted(store) == positions(app)[:4]
    [status] = runner.status()
    assert status["position"] == positions(app)[3] and status["error_position"] == failing
    assert status["lag"] == len(positions(app)) - 4
    with pytest.raises(ProjectionFailed):
        runner.catch_up()
    fixed = Runner(app, store, [Counting()], page=100)
    fixed.catch_up()
    assert counted(store) == positions(app)
    assert fixed.status()[0]["error"] is None


def _bulk(store) -> list[int]:
    return [r["position"] for r in store.query(
        "SELECT position FROM counted WHERE event = 'bulk' ORDER BY position")]


def organisation_positions(app) -> list[int]:
    return [e.position for e in read_events(app) if e.aggregate_type == "Organisation"]


@pytest.mark.parametrize("page", [3, 1000])
def test_events_left_to_sql_are_filed_once_and_never_read_one_by_one(app, store, page):
    seed(app)
    runner = Runner(app, store, [BulkCounting()], page=page)
    assert runner.catch_up() == {"bulk_counting": len(positions(app))}
    assert counted(store) == positions(app)
    assert _bulk(store) == organisation_positions(app) and _bulk(store)
    app.submit(wic(), provider_of("RY6"))
    app.merge_organisation({"code": "RYX", "successor": "RY2", "effective": "2019-04-01"},
                           ADMIN.because("merger"))
    assert runner.catch_up() == {"bulk_counting": 2}
    assert counted(store) == positions(app)
    assert _bulk(store) == organisation_positions(app)
    assert runner.position("bulk_counting") == positions(app)[-1]


def test_a_failing_event_among_events_left_to_sql_stops_just_before_it(app, store):
    seed(app)
    app.submit(wic(), provider_of("RY6"))
    app.merge_organisation({"code": "RYX", "successor": "RY2", "effective": "2019-04-01"},
                           ADMIN.because("merger"))  # left to the SQL, after the failure
    failing = [e.position for e in read_events(app) if e.aggregate_type == "Submission"][0]
    runner = Runner(app, store, [BulkCounting(fail_at=failing)], page=1000)
    with pytest.raises(ProjectionFailed, match=f"stopped at event {failing}"):
        runner.catch_up()
    assert counted(store) == [p for p in positions(app) if p < failing]
    assert set(_bulk(store)) == {p for p in organisation_positions(app) if p < failing}
    assert runner.position("bulk_counting") == failing - 1


@pytest.mark.parametrize("page", [3, 1000])
def test_sql_filing_is_told_how_many_of_its_events_each_range_holds(app, store, page):
    seed(app)
    app.submit(wic(), provider_of("RY6"))
    app.merge_organisation({"code": "RYX", "successor": "RY2", "effective": "2019-04-01"},
                           ADMIN.because("merger"))
    held = HeldCounting()
    Runner(app, store, [held], page=page).catch_up()
    organisations = organisation_positions(app)
    assert held.ranges[0][0] == 0  # from the start of the log
    assert held.ranges[-1][1] == positions(app)[-1]
    for (after, last, count), following in zip(held.ranges, held.ranges[1:] + [None]):
        assert count == sum(after < p <= last for p in organisations), (after, last)
        assert following is None or following[0] == last  # the ranges cover the log
    assert sum(count for _, _, count in held.ranges) == len(organisations)


def test_sql_filing_is_not_told_a_count_when_the_runner_reads_only_some_aggregates(app, store):
    seed(app)
    app.submit(wic(), provider_of("RY6"))
    only = HeldCounting()
    only.aggregates = ("Organisation", "Submission")  # the runner reads no other rows
    Runner(app, store, [only], page=1000).catch_up()
    assert counted(store) == [e.position for e in read_events(app)
                              if e.aggregate_type in only.aggregates]
    assert only.ranges and {count for _, _, count in only.ranges} == {None}


def test_the_events_before_a_failing_one_are_filed_without_a_count(app, store):
    seed(app)
    app.submit(wic(), provider_of("RY6"))
    failing = [e.position for e in read_events(app) if e.aggregate_type == "Submission"][0]
    failed = HeldCounting(fail_at=failing)
    with pytest.raises(ProjectionFailed):
        Runner(app, store, [failed], page=1000).catch_up()
    assert failed.ranges[-1] == (0, failing - 1, None)  # again, in a transaction of its own
    assert counted(store) == [p for p in positions(app) if p < failing]


def _marks(store) -> set[str]:
    return {r["event"] for r in store.query("SELECT event FROM counted")}


def test_a_rebuild_creates_deferred_indexes_after_the_rows_even_if_it_fails(app, store):
    seed(app)
    runner = Runner(app, store, [IndexedCounting()], page=3)
    runner.catch_up()
    assert _marks(store) == {"indexed"}  # catching up: the index is there
    runner.rebuild()
    assert _marks(store) == {"not indexed"}
    with store.reading() as cursor:
        assert has_index(cursor, "counted_event")
    failing = positions(app)[4]
    runner = Runner(app, store, [IndexedCounting(fail_at=failing)], page=3)
    with pytest.raises(ProjectionFailed):
        runner.rebuild()
    assert counted(store) == positions(app)[:4] and _marks(store) == {"not indexed"}
    with store.reading() as cursor:
        assert has_index(cursor, "counted_event")


def test_a_stale_runner_cannot_apply_a_page_twice(app, store):
    seed(app)
    runner = Runner(app, store, [Counting()], page=100)
    runner.ensure_tables()
    page = list(read_events(app))
    runner._commit(runner.projections["counting"], 0, page)
    with pytest.raises(ConcurrentRunner):
        runner._commit(runner.projections["counting"], 0, page)
    assert counted(store) == positions(app)


def test_a_rebuild_gives_the_same_checksum_as_incremental_projection(app, store):
    seed(app)
    runner = Runner(app, store, [Histories(), Counting()], page=2)
    runner.catch_up()
    app.submit(wic(), provider_of("RY6"))
    app.merge_organisation({"code": "RYX", "successor": "RY2", "effective": "2019-04-01"},
                           ADMIN.because("merger"))
    runner.catch_up()
    incremental = runner.checksums()
    assert runner.rebuild() == {"histories": len(positions(app)),
                                "counting": len(positions(app))}
    assert runner.checksums() == incremental
    with store.transaction() as cursor:
        cursor.execute("DELETE FROM counted WHERE position = ?", (positions(app)[0],))
    assert runner.checksums()["counting"] != incremental["counting"]


def test_a_projection_killed_in_the_middle_of_a_page_resumes_without_repeats(
        app, store, database_url, tmp_path):
    seed(app)
    kill_at = positions(app)[5]
    script = textwrap.dedent(f"""
        from config.settings import Settings
        from config.storage import open_registry
        from projections.engine import Runner
        from projections.store import ReadStore
        from tests.projections.counting import BulkCounting, Counting, IndexedCounting, has_index
        app = open_registry(Settings.from_env({{"REGISTRY_DATABASE_URL": {database_url!r},
                                               "REGISTRY_INLINE_PROJECTIONS": "off",
                                               "REGISTRY_HOME": {str(tmp_path)!r}}}))
        Runner(app, ReadStore(app), [Counting(kill_at={kill_at})], page=3).catch_up()
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == -9, result.stderr
    assert counted(store) == positions(app)[:3]
    Runner(app, store, [Counting()], page=3).catch_up()
    assert counted(store) == positions(app)


@pytest.mark.postgres
def test_a_follower_on_postgresql_is_woken_by_new_events(app, store):
    from projections.store import Waker

    if store.engine != "postgres":
        pytest.skip("SQLite has no notifications; followers poll it")
    seed(app)
    waker = Waker(store)
    try:
        app.submit(wic(), provider_of("RY6"))
        assert waker.wait(timeout=30) is True
    finally:
        waker.close()


def test_projection_pages_do_not_wait_for_the_disk_but_other_writes_do(app, store):
    """Read models are rebuilt from the events, so a page may commit without waiting for
    the disk (its position commits with it); every other write still waits for it."""
    if store.engine == "postgres":
        with store.applying() as cursor:
            assert cursor.execute("SHOW synchronous_commit").fetchone() == {
                "synchronous_commit": "off"}
        with store.transaction() as cursor:
            assert cursor.execute("SHOW synchronous_commit").fetchone() == {
                "synchronous_commit": "on"}
        return
    with store.applying() as cursor:
        assert cursor.execute("PRAGMA synchronous").fetchone()["synchronous"] == 1
    with store.transaction() as cursor:
        assert cursor.execute("PRAGMA synchronous").fetchone()["synchronous"] == 2
    with pytest.raises(RuntimeError), store.applying():
        raise RuntimeError("a failed page")
    with store.reading() as cursor:
        assert cursor.execute("PRAGMA synchronous").fetchone()["synchronous"] == 2


class Recounting(Counting):
    """The same read model, as a later version of the registry describes it: its table has
    one more column (filled from the same events)."""

    tables = {"counted": "CREATE TABLE IF NOT EXISTS counted (position BIGINT PRIMARY KEY, "
                         "event TEXT NOT NULL, version INTEGER NOT NULL)"}

    def apply(self, cursor, logged) -> None:
        cursor.execute("INSERT INTO counted VALUES (?, ?, ?)",
                       (logged.position, f"{logged.aggregate_type}.{logged.event_type}",
                        logged.version))


def test_a_read_model_whose_tables_changed_is_dropped_and_replayed(app, store):
    seed(app)
    Runner(app, store, [Counting()], page=100).catch_up()
    again = Runner(app, store, [Counting()], page=100)
    assert again.catch_up() == {"counting": 0}  # the same tables: kept as they are
    changed = Runner(app, store, [Recounting()], page=100)
    assert changed.catch_up() == {"counting": len(positions(app))}
    rows = store.query("SELECT position, version FROM counted ORDER BY position")
    assert [r["position"] for r in rows] == positions(app)
    assert all(r["version"] >= 1 for r in rows)


def test_a_read_model_made_before_shapes_were_recorded_is_replayed(app, store):
    seed(app)
    Runner(app, store, [Counting()], page=100).catch_up()
    with store.transaction() as cursor:
        cursor.execute("DELETE FROM projection_shapes")
    assert Runner(app, store, [Counting()], page=100).catch_up() == {
        "counting": len(positions(app))}
    assert counted(store) == positions(app)
