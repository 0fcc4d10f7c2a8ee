"""Benchmarks and SPC charts are recomputed once per catch-up, from a dirty set kept in a
table written with each page: a crash between pages loses none of it. A long settling
has worker processes compute parts (``projections.settling``): the runner stores a
worker's figures only if the read model has not moved since, and computes any part a
worker could not give it."""

import pytest

import projections.settling
from projections.benchmarks import Benchmarks
from projections.engine import Runner
from projections.settling import Settling, settle_part
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
    with store.reading() as cursor:
        assert kind().owed(cursor) > 0
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


def test_a_rebuild_owes_every_chart_once_and_settles_what_catching_up_marks(submitted,
                                                                          store):
    """A rebuild's pages mark no series (every chart is owed, recorded once); settling
    then draws the charts that page-by-page marking draws, a merged trust's successor's
    among them."""
    submitted.merge_organisation({"code": "RYX", "successor": "RY2",
                                  "effective": "2018-04-01"}, ADMIN.because("merger"))
    submitted.submit(wic(provider="RY2", period="2018-07", numerator=5, denominator=400),
                     ADMIN)
    marking = Runner(submitted, store, [SpcCharts()], page=4)
    marking.catch_up()  # tables made by the runner, not a rebuild: each page marks
    caught_up = marking.checksums()
    assert store.query("SELECT COUNT(*) AS n FROM spc_dirty")[0]["n"] == 0

    rebuilding = Runner(submitted, store, [SpcCharts()], page=4)
    rebuilding.rebuild(settle=False)
    assert store.query("SELECT COUNT(*) AS n FROM spc_dirty")[0]["n"] == 0
    assert store.query("SELECT COUNT(*) AS n FROM spc_owed_all")[0]["n"] == 1
    with store.reading() as cursor:
        assert SpcCharts().owed(cursor) == 3  # RY6, RYX, RY2: one series each
    rebuilding.settle()
    assert store.query("SELECT COUNT(*) AS n FROM spc_owed_all")[0]["n"] == 0
    assert rebuilding.checksums() == caught_up
    assert store.query("SELECT COUNT(*) AS n FROM spc_points WHERE provider = 'RY2' AND "
                       "pooled_from IS NOT NULL")[0]["n"] > 0


KINDS = [(Benchmarks, "benchmark_providers"), (SpcCharts, "spc_points")]


def alone(app, store, kind) -> str:
    model = kind()
    model.settle_workers = 0
    runner = Runner(app, store, [model], page=5)
    runner.rebuild()
    return runner.checksums()


def with_workers(app, store, kind, monkeypatch) -> tuple[str, list[bool]]:
    """The checksum of a rebuild whose figures were settled a key per part, with two
    workers; and for each part, whether the worker's figures were the ones stored."""
    monkeypatch.setattr(f"{kind.__module__}.SETTLE", 1)
    stored = []
    settle = projections.settling.settle_part

    def recording(*args):
        stored.append(settle(*args))
        return stored[-1]

    monkeypatch.setattr(projections.settling, "settle_part", recording)
    model = kind()
    model.settle_in_parallel_after = 0
    runner = Runner(app, store, [model], page=5)
    runner.rebuild()
    with store.reading() as cursor:
        assert model.owed(cursor) == 0
    return runner.checksums(), stored


@pytest.mark.parametrize("kind, live", KINDS)
def test_settling_with_workers_gives_what_settling_alone_gives(submitted, store, kind, live,
                                                               monkeypatch):
    checksum = alone(submitted, store, kind)
    assert store.query(f"SELECT COUNT(*) AS n FROM {live}")[0]["n"] > 0
    parallel, stored = with_workers(submitted, store, kind, monkeypatch)
    assert parallel == checksum
    assert len(stored) == (6 if kind is Benchmarks else 3)  # a part per cell or series
    assert any(stored)  # the workers computed some of them


@pytest.mark.parametrize("kind, live", KINDS)
def test_a_worker_that_dies_leaves_its_part_to_the_runner(submitted, store, kind, live,
                                                          monkeypatch):
    checksum = alone(submitted, store, kind)
    ask, killed = Settling.ask, []

    def ask_and_die(self, part):
        ask(self, part)
        if not killed:
            worker = list(self._asked)[-1]
            worker.process.kill()
            killed.append(part)

    monkeypatch.setattr(Settling, "ask", ask_and_die)
    parallel, stored = with_workers(submitted, store, kind, monkeypatch)
    assert killed and parallel == checksum
    assert not all(stored)


@pytest.mark.parametrize("kind, live", KINDS)
def test_workers_that_cannot_open_the_store_leave_the_runner_alone(submitted, store, kind,
                                                                   live, monkeypatch):
    checksum = alone(submitted, store, kind)
    spec = ReadStore.spec
    monkeypatch.setattr(ReadStore, "spec", lambda self: dict(
        spec(self), path="/nonexistent/registry.db",
        connect=dict(spec(self).get("connect") or {}, port=1)))
    parallel, stored = with_workers(submitted, store, kind, monkeypatch)
    assert parallel == checksum
    assert stored and not any(stored)


def test_figures_computed_before_the_read_model_moved_are_computed_again(submitted, store):
    """A worker's figures of a cell, computed before another submission to it was
    applied, are not stored: the runner computes the cell again from the facts now."""
    model = Benchmarks()
    runner = Runner(submitted, store, [model], page=5)
    runner.rebuild(settle=False)
    with store.reading() as cursor:
        part = [key for key in model.owed_keys(cursor) if key[2] == "2018-01"]
    assert part

    with Settling(store, model, 1) as pool:
        pool.ask(part)
        [(asked, answer)] = pool.answers(wait=True)
    assert asked == part and answer is not None

    with store.applying() as cursor:  # the same position: the worker's figures are kept
        assert settle_part(cursor, model, part, answer)

    submitted.submit(wic(provider="NXA01", period="2018-01", numerator=5, denominator=400),
                     ADMIN)
    runner.rebuild(settle=False)  # the read model moves on, with the new submission
    with store.reading() as cursor:
        now = model.compute_part(cursor, part)
    assert now != answer[1]
    with store.applying() as cursor:
        assert not settle_part(cursor, model, part, answer)
    providers = {row["provider"] for row in store.query(
        "SELECT provider FROM benchmark_providers WHERE period = '2018-01'")}
    assert "NXA01" in providers
    rows = store.query("SELECT * FROM benchmark_providers WHERE period = '2018-01' "
                       "ORDER BY peer_group, provider")
    assert len(rows) == len(now["benchmark_providers"])
