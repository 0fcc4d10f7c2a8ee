"""The second process of the audit index and of the submission facts (benchmarks, SPC) on
SQLite (``projections.readahead``): the ranges a worker read ahead give the read model
the rows the runner's own statement gives; a worker that cannot start, or read another
range, changes nothing but the time taken; a range that cannot be filed fails as it does
without a worker."""

import sqlite3
import tempfile
from contextlib import contextmanager

import pytest

import projections.readahead
import projections.workers
from projections.engine import ProjectionFailed
from projections.readahead import ReadAhead
from registry.imports import import_csv
from tests.builders import ADMIN, provider_of, seed, wic
from tests.ledger.test_tamper import sql

# Each read model that reads ahead, and the table of the rows its worker reads.
FILED = {"audit": "audit_events", "benchmarks": "bench_submissions",
         "spc": "spcf_submissions"}


# The rows each read model files by SQL (the others are filed by ``apply``).
BY_SQL = {"audit": lambda row: row["aggregate_type"] == "Submission",
          "benchmarks": lambda row: row["version"] == 1,
          "spc": lambda row: row["version"] == 1}


@pytest.fixture(params=sorted(FILED))
def name(request):
    return request.param


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


def rebuilt(app, name: str, read_ahead: bool) -> tuple[dict, int]:
    """The read model rebuilt in ranges of five events, two ranges in three after the
    first read ahead (or none): its rows (their checksum, and those of the table the
    worker fills), and how many ranges the worker read."""
    runner, model = app.read_side, app.read_side.projections[name]
    runner.page = 1
    model.read_ahead_after = 0 if read_ahead else 10 ** 9
    runner.rebuild(name)
    with runner.store.reading() as cursor:
        rows = cursor.execute(f"SELECT * FROM {FILED[name]} ORDER BY position").fetchall()
    return {"checksum": runner.checksums(name)[name], "rows": rows}, model.ranges_read_ahead


def ranges(app) -> int:
    return -(-app.read_side.store.events_after(0) // 5)


def taken_of(count: int) -> int:
    """How many of ``count`` ranges the worker reads: the runner files the first and
    every third after it, the worker the two after each of those."""
    return sum(1 for n in range(count) if n % (ReadAhead.per_own + 1))


def test_ranges_read_ahead_give_the_rows_the_runner_reads_itself(submitted, name,
                                                                 tmp_path, monkeypatch):
    app = submitted
    alone, none_taken = rebuilt(app, name, read_ahead=False)
    files, around = [], ReadAhead.around

    copying = []

    @contextmanager
    def counting(self, after, last):
        with around(self, after, last):
            files.append(len(list(self._dir.iterdir())))
            if self.attached(after, last):
                copying.append((last, tuple(self._asked)))
            yield

    monkeypatch.setattr(ReadAhead, "around", counting)
    ahead, taken = rebuilt(app, name, read_ahead=True)
    # a range's file is removed once it is filed; the worker may have written the
    # next two
    assert max(files) <= ReadAhead.per_own + 1
    # while a range is copied the worker is already reading a later one (after the
    # runner's next own range), but for the last ranges of the log
    assert len(copying) == taken
    assert all(asked and asked[0][0] >= last for last, asked in copying[:-2]), copying
    assert none_taken == 0
    # two ranges in three, the first excepted: read by the runner while the worker reads
    # the next two
    assert taken == taken_of(ranges(app))
    assert len(ahead["rows"]) >= 27
    assert ahead == alone
    assert list((tmp_path / "scratch").iterdir()) == []  # its files are removed


def test_a_worker_that_cannot_start_leaves_the_runner_alone(submitted, name, monkeypatch):
    app = submitted
    alone, _ = rebuilt(app, name, read_ahead=False)
    monkeypatch.setattr(projections.workers.sys, "executable", "/nonexistent/python")
    ahead, taken = rebuilt(app, name, read_ahead=True)
    assert taken == 0
    assert ahead == alone


def test_a_range_the_worker_read_otherwise_is_read_by_the_runner(submitted, name,
                                                                  monkeypatch):
    """The worker reads the range after this one as it counts it; the runner's may end
    elsewhere (the log grew between the two counts): then the runner reads it itself."""
    app = submitted
    alone, _ = rebuilt(app, name, read_ahead=True)
    range_end = projections.readahead.range_end

    def one_short(cursor, store, after, size):
        end, count = range_end(cursor, store, after, size)
        return (end - 1, count - 1) if count > 1 else (after, 0)

    monkeypatch.setattr(projections.readahead, "range_end", one_short)
    ahead, taken = rebuilt(app, name, read_ahead=True)
    assert taken == 0
    assert ahead == alone


def test_a_range_the_worker_failed_on_is_filed_by_the_runner_and_no_range_given_twice(
        submitted, name, monkeypatch):
    """The worker fails on a range while it holds the next: the runner files that range
    itself and takes the next from the worker; no range is given to the worker twice
    (two reads of one range would write one scratch file, which may be attached)."""
    app = submitted
    alone, _ = rebuilt(app, name, read_ahead=False)
    take, ask = ReadAhead._take, ReadAhead._ask
    failed, given = [], []

    def failing_once(self, after, last):
        taken = take(self, after, last)
        if taken is not None and not failed and self._asked:
            failed.append((after, last))
            taken[0].unlink()
            return None
        return taken

    def recording(self, last, skip=0):
        before = len(self._asked)
        ask(self, last, skip)
        given.extend(list(self._asked)[before:])

    monkeypatch.setattr(ReadAhead, "_take", failing_once)
    monkeypatch.setattr(ReadAhead, "_ask", recording)
    ahead, taken = rebuilt(app, name, read_ahead=True)
    assert failed
    assert len(given) == len(set(given))
    assert taken == taken_of(ranges(app)) - 1
    assert ahead == alone


@pytest.mark.parametrize("spoil", ["removed", "not a database", "another table"])
def test_a_file_the_worker_finished_but_spoilt_since_is_not_used(submitted, name, spoil,
                                                                 monkeypatch):
    """A worker's file removed, overwritten or holding other rows before the runner
    attaches it: the runner reads that range itself."""
    app = submitted
    alone, _ = rebuilt(app, name, read_ahead=False)
    take = ReadAhead._take

    def spoiling(self, after, last):
        taken = take(self, after, last)
        if taken is not None:
            path, count = taken
            if spoil == "removed":
                path.unlink()
            elif spoil == "not a database":
                path.write_bytes(b"not a database" * 100)
            else:
                conn = sqlite3.connect(path)
                conn.execute("DELETE FROM parsed WHERE rowid = (SELECT MIN(rowid) FROM parsed)")
                conn.commit()
                conn.close()
        return taken

    monkeypatch.setattr(ReadAhead, "_take", spoiling)
    ahead, taken = rebuilt(app, name, read_ahead=True)
    assert ahead == alone
    if spoil == "another table":  # ranges the worker found no rows in are still taken
        assert taken < taken_of(ranges(app))
    else:
        assert taken == 0


def test_a_range_that_cannot_be_filed_stops_the_rebuild_as_it_does_without_worker(
        submitted, name):
    """A submission whose stored time reads as usual but whose state is not JSON, late in
    the log: the worker's statement fails on its range as the runner's does, and the
    runner's then stops the rebuild there, naming the event, as without a worker."""
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
        with pytest.raises(ProjectionFailed, match=f"at event {target} ") as failed:
            rebuilt(app, name, read_ahead)
        position = app.read_side.position(name)
        stopped.append((type(failed.value), str(failed.value), position))
    assert stopped[0] == stopped[1]
    assert target - 5 <= stopped[0][2] < target


def test_the_rows_of_a_range_read_ahead_are_those_the_worker_read(submitted, name,
                                                                  monkeypatch):
    """The worker's rows are the ones filed for its ranges: made distinguishable (their
    recorded time marked), they are exactly those of the ranges taken from it."""
    app = submitted
    model = app.read_side.projections[name]
    statement = type(model).read_ahead_statement

    def marked(self, store):
        select, parameters = statement(self, store)
        assert select.count("|| 'Z' AS recorded_at") == 1
        return select.replace("|| 'Z' AS recorded_at", "|| 'X' AS recorded_at"), parameters

    monkeypatch.setattr(type(model), "read_ahead_statement", marked)
    ahead, taken = rebuilt(app, name, read_ahead=True)
    by_range = {}
    for row in ahead["rows"]:
        if not BY_SQL[name](row):
            continue  # filed in Python whether or not a range was read ahead
        by_range.setdefault((row["position"] - 1) // 5, set()).add(row["recorded_at"][-1])
    worker_ranges = {r for r, marks in by_range.items() if marks == {"X"}}
    assert all(marks in ({"X"}, {"Z"}) for marks in by_range.values())
    # two ranges in three, the first excepted
    assert taken > 0 and worker_ranges == {
        r for r in by_range if r % (ReadAhead.per_own + 1)} != set()
