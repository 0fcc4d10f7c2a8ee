"""The audit's second process on SQLite (``projections.readahead``): the ranges a worker
read ahead give the audit index the rows the runner's own statement gives; a worker that
cannot start, or read another range, changes nothing but the time taken; a range that
cannot be indexed fails as it does without a worker."""

import tempfile
from contextlib import contextmanager

import pytest

import projections.readahead
import projections.workers
from projections.readahead import ReadAhead
from registry.imports import import_csv
from tests.builders import ADMIN, provider_of, seed, wic
from tests.ledger.test_tamper import sql

TABLES = ("audit_events", "audit_organisations", "audit_subjects")


@pytest.fixture
def submitted(app, tmp_path, monkeypatch):
    """A registry whose log holds about forty submissions among its other events; the
    read-ahead's scratch files go under ``tmp_path / "scratch"``."""
    if app.read_side.store.engine != "sqlite":
        pytest.skip("PostgreSQL reads a range on both cores by itself (parallel plans)")
    seed(app)
    lines = [b"provider,indicator,service_line,period,numerator,denominator,value,sd,n,note"]
    lines += [f"{code},WIC4H,walk_in_centres,2017-{month:02d},{60 + month},100,,,,".encode()
              for code in ("RY6", "RYX") for month in range(1, 13)]
    import_csv(app, "submissions", b"\n".join(lines) + b"\n", "wic.csv", ADMIN)
    app.submit(wic(), provider_of("RY6"))
    for numerator in (50, 60, 70):
        app.restate(wic(numerator=numerator), provider_of("RY6", "duplicates removed"))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return app


def rebuilt(app, read_ahead: bool) -> tuple[dict, int]:
    """The audit index rebuilt in ranges of five events, every other range after the
    first read ahead (or none): its rows, and how many ranges the worker read."""
    runner, audit = app.read_side, app.read_side.projections["audit"]
    runner.page = 1
    audit.read_ahead_after = 0 if read_ahead else 10 ** 9
    runner.rebuild("audit")
    with runner.store.reading() as cursor:
        rows = {table: cursor.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in TABLES}
    return rows, audit.ranges_read_ahead


def ranges(app) -> int:
    return -(-app.read_side.store.events_after(0) // 5)


def test_ranges_read_ahead_give_the_rows_the_runner_reads_itself(submitted, tmp_path,
                                                                 monkeypatch):
    app = submitted
    alone, none_taken = rebuilt(app, read_ahead=False)
    files, around = [], ReadAhead.around

    @contextmanager
    def counting(self, after, last):
        with around(self, after, last):
            files.append(len(list(self._dir.iterdir())))
            yield

    monkeypatch.setattr(ReadAhead, "around", counting)
    ahead, taken = rebuilt(app, read_ahead=True)
    assert max(files) == 1  # a range's file is removed once it is filed
    assert none_taken == 0
    # every other range, the first excepted: read by the runner while the worker reads
    # the next one
    assert taken == ranges(app) // 2
    assert sum(row["aggregate_type"] == "Submission" for row in ahead["audit_events"]) >= 27
    assert ahead == alone
    assert list((tmp_path / "scratch").iterdir()) == []  # its files are removed


def test_a_worker_that_cannot_start_leaves_the_runner_alone(submitted, monkeypatch):
    app = submitted
    alone, _ = rebuilt(app, read_ahead=False)
    monkeypatch.setattr(projections.workers.sys, "executable", "/nonexistent/python")
    ahead, taken = rebuilt(app, read_ahead=True)
    assert taken == 0
    assert ahead == alone


def test_a_range_the_worker_read_otherwise_is_read_by_the_runner(submitted, monkeypatch):
    """The worker reads the range after this one as it counts it; the runner's may end
    elsewhere (the log grew between the two counts): then the runner reads it itself."""
    app = submitted
    alone, _ = rebuilt(app, read_ahead=True)
    range_end = projections.readahead.range_end

    def one_short(cursor, store, after, size):
        end, count = range_end(cursor, store, after, size)
        return (end - 1, count - 1) if count > 1 else (after, 0)

    monkeypatch.setattr(projections.readahead, "range_end", one_short)
    ahead, taken = rebuilt(app, read_ahead=True)
    assert taken == 0
    assert ahead == alone


def test_a_range_that_cannot_be_indexed_stops_the_rebuild_as_it_does_without_worker(
        submitted):
    """A submission whose stored time reads as usual but whose state is not JSON, late in
    the log: the worker's statement fails on its range as the runner's does, and the
    runner's then stops the rebuild there, with the same error, as without a worker."""
    app = submitted
    store = app.read_side.store
    with store.reading() as cursor:
        target = cursor.execute(
            "SELECT MAX(rowid) AS p FROM stored_events WHERE topic GLOB '*:Submission.*'"
        ).fetchone()["p"]
        state = cursor.execute("SELECT state FROM stored_events WHERE rowid = ?",
                               (target,)).fetchone()["state"]
    sql(app, "UPDATE {events} SET state = ? WHERE {pos} = ?",
        (bytes(state)[:-2] + b"{{", target))
    stopped = []
    for read_ahead in (False, True):
        with pytest.raises(Exception) as failed:
            rebuilt(app, read_ahead)
        position = app.read_side.position("audit")
        stopped.append((type(failed.value), str(failed.value), position))
    assert stopped[0] == stopped[1]
    assert target - 5 <= stopped[0][2] < target
