"""A long verification has the ranges after the first hashed ahead by worker processes
(``ledger.prefetch``): the ledger they give is the one the verifier makes alone, a range
they find altered is done again by the verifier and explained as without them, and a
worker that cannot work leaves the verifier to go on alone. Both engines."""

import math
import uuid

import pytest

import projections.engine
import projections.workers
from projections.ledger import Ledger
from projections.store import ReadStore
from tests.ledger.test_tamper import ADMIN, add_users, positions, row, sql


@pytest.fixture
def counted(monkeypatch):
    """How many ranges the verifier took from the workers."""
    taken = []
    file_hashed = Ledger._file_hashed

    def counting(self, hashed, store):
        taken.append((hashed.after, hashed.last))
        return file_hashed(self, hashed, store)

    monkeypatch.setattr(Ledger, "_file_hashed", counting)
    return taken


@pytest.fixture
def by_subtree(monkeypatch):
    """The ranges whose leaves went into the tree a subtree at a time (the workers'
    nodes used), not leaf by leaf."""
    taken = []
    put_subtrees = Ledger._put_subtrees

    def counting(self, hashed, checkpoints, store):
        taken.append((hashed.after, hashed.last))
        return put_subtrees(self, hashed, checkpoints, store)

    monkeypatch.setattr(Ledger, "_put_subtrees", counting)
    return taken


def alone(app):
    """Verify without workers: the report and the ledger's checksum."""
    ledger = app.read_side.projections["ledger"]
    ledger.prefetch_after = 10**9
    report = app.ledger.verify()
    return report, app.read_side.checksums("ledger")


def with_workers(app, workers=2):
    """Verify in ranges of five events, every range after the first hashed ahead."""
    ledger = app.read_side.projections["ledger"]
    app.read_side.page, ledger.prefetch_after, ledger.prefetch_workers = 1, 0, workers
    report = app.ledger.verify()
    return report, app.read_side.checksums("ledger")


def found_in_a_range_done_again(app, counted, target: int) -> dict:
    """Verify with workers: the report, whose first problem is at ``target``; every range
    but the first and the one holding ``target`` came from the workers."""
    report, _ = with_workers(app)
    assert report["first_bad_position"] == target
    assert len(counted) == math.ceil(len(positions(app)) / 5) - 2
    assert not any(after < target <= last for after, last in counted)
    return report


@pytest.fixture
def logged(app):
    add_users(app, [f"user{i}" for i in range(20)])
    app.ledger.checkpoint(ADMIN)
    add_users(app, [f"later{i}" for i in range(6)])
    return app


@pytest.mark.parametrize("workers", [1, 2])
def test_the_workers_hash_every_range_after_the_first_into_the_same_ledger(logged, counted,
                                                                         by_subtree, workers):
    app = logged
    report, checksum = alone(app)
    assert report["ok"] and not counted
    ranges = math.ceil(len(positions(app)) / 5)
    hashed, hashed_checksum = with_workers(app, workers)
    assert len(counted) == ranges - 1
    assert by_subtree == counted
    assert app.read_side.projections["ledger"].hashed_ahead == len(counted)
    assert hashed_checksum == checksum
    assert (hashed["tree_size"], hashed["root_hash"], hashed["checkpoints_verified"]) == (
        report["tree_size"], report["root_hash"], report["checkpoints_verified"])


def test_an_edit_in_a_range_hashed_ahead_is_found_at_its_position(logged, counted):
    app = logged
    target = positions(app)[-8]
    state = row(app, target).state.replace(b'"channel":"cli"', b'"channel":"sql"')
    assert state != row(app, target).state
    sql(app, "UPDATE {events} SET state = ? WHERE {pos} = ?", (state, target))
    report = found_in_a_range_done_again(app, counted, target)
    assert {p["kind"] for p in report["problems"] if p["position"] == target} == {"edited"}


def test_a_worker_that_cannot_open_the_store_leaves_the_verifier_alone(logged, counted,
                                                                      monkeypatch):
    app = logged
    report, checksum = alone(app)
    spec = ReadStore.spec
    monkeypatch.setattr(ReadStore, "spec", lambda store: dict(
        spec(store), path="/nonexistent/registry.db",
        connect=dict(app.read_side.store._connect_args, port=1)
        if store.engine == "postgres" else None))
    hashed, hashed_checksum = with_workers(app)
    assert not counted
    assert hashed["ok"] and hashed_checksum == checksum
    assert hashed["root_hash"] == report["root_hash"]


def test_workers_that_cannot_be_started_leave_the_verifier_alone(logged, counted,
                                                                monkeypatch):
    app = logged
    report, checksum = alone(app)
    monkeypatch.setattr(projections.workers.sys, "executable", "/nonexistent/python")
    hashed, hashed_checksum = with_workers(app)
    assert not counted
    assert hashed["ok"] and hashed_checksum == checksum
    assert hashed["root_hash"] == report["root_hash"]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 16])
def test_ranges_of_any_size_with_checkpoints_anywhere_give_the_same_ledger(app, counted,
                                                                         by_subtree, size):
    for batch in range(4):
        add_users(app, [f"user{batch}.{i}" for i in range(batch * 3 + 2)])
        app.ledger.checkpoint(ADMIN)
    add_users(app, ["last"])
    report, checksum = alone(app)
    assert report["ok"] and report["checkpoints_verified"] == 4
    ledger = app.read_side.projections["ledger"]
    app.read_side.page, ledger.pages_of, ledger.prefetch_after = 1, size, 0
    hashed = app.ledger.verify()
    assert app.read_side.checksums("ledger") == checksum
    assert (hashed["root_hash"], hashed["checkpoints_verified"]) == (report["root_hash"], 4)
    assert len(counted) == math.ceil(len(positions(app)) / size) - 1
    assert by_subtree == counted


def test_a_tree_behind_the_journal_takes_the_workers_leaves_one_by_one(logged, counted,
                                                                     by_subtree):
    app = logged
    deleted = positions(app)[2]
    sql(app, "DELETE FROM {events} WHERE {pos} = ?", (deleted,))
    report, checksum = alone(app)
    assert [p["kind"] for p in report["problems"]] == ["deleted", "checkpoint"]
    assert report["first_bad_position"] == deleted
    hashed, hashed_checksum = with_workers(app)
    # Every leaf after the deleted one is one place before its journal entry: the
    # workers' ranges are used, their nodes (placed by the entries) are not.
    assert counted and not by_subtree
    assert hashed_checksum == checksum
    assert (hashed["problems"], hashed["root_hash"]) == (report["problems"],
                                                         report["root_hash"])


@pytest.mark.parametrize("column, value", [("originator_id", str(uuid.UUID(int=7))),
                                           ("originator_id", "not an aggregate id"),
                                           ("version", 99)])
def test_a_journal_entry_naming_another_event_is_found_in_a_range_hashed_ahead(
        logged, counted, column, value):
    app = logged
    target = positions(app)[-8]
    # The seal covers the entry's index, position and hash, not whose event it names.
    sql(app, f"UPDATE ledger_journal SET {column} = ? WHERE position = ?", (value, target))
    report = found_in_a_range_done_again(app, counted, target)
    assert {p["kind"] for p in report["problems"]} == {"reordered"}


def test_the_runner_does_not_count_again_the_ranges_handed_to_workers(logged, counted,
                                                                    monkeypatch):
    app = logged
    _, checksum = alone(app)
    counts = []
    read_range = projections.engine.read_range

    def counting(app, store, after, size, *args, **kwargs):
        counts.append(after)
        return read_range(app, store, after, size, *args, **kwargs)

    monkeypatch.setattr(projections.engine, "read_range", counting)
    hashed, hashed_checksum = with_workers(app)
    assert hashed["ok"] and hashed_checksum == checksum
    ranges = math.ceil(len(positions(app)) / 5)
    # The first range, and the empty one after the last: the workers counted the others.
    assert len(counted) == ranges - 1
    assert counts == [0, positions(app)[-1]]


def test_the_workers_run_the_verifiers_code_whatever_the_working_directory_holds(
        logged, counted, tmp_path, monkeypatch):
    app = logged
    _, checksum = alone(app)
    other = tmp_path / "ledger"
    other.mkdir()
    (other / "__init__.py").write_text("")
    (other / "prefetch.py").write_text("raise SystemExit('another ledger package')\n")
    monkeypatch.chdir(tmp_path)
    hashed, hashed_checksum = with_workers(app)
    assert hashed["ok"] and hashed_checksum == checksum
    assert len(counted) == math.ceil(len(positions(app)) / 5) - 1
