"""Tampering with the database directly (SQL, as a database administrator could) is found,
on both engines, and ``verify`` names the first bad position."""

import uuid

import pytest
from click.testing import CliRunner
from eventsourcing.persistence import IntegrityError

from ledger.leaf import event_leaf_hash
from ledger.notes import Checkpoint
from ledger.service import LedgerProblems
from registry.checkpoint import LedgerCheckpoint
from registry.cli import main
from registry.identity import user_id
from registry.provenance import Actor, Provenance

ADMIN = Provenance(Actor("ledger.tester", "REGISTRY", "admin"), "cli")


def add_users(app, names):
    for name in names:
        app.add_user({"username": name, "name": f"User {name}", "role": "admin",
                      "organisation": None, "password": "a long enough password"}, ADMIN)


@pytest.fixture(params=["rows", "decoded", "workers"])
def ledgered(app, request):
    """Twelve events under a signed checkpoint, then three more after it. The ledger
    reads the stored rows itself (``rows``, as it runs), is given every event read and
    decoded by the runner (``decoded``), or has ranges of five events hashed ahead by
    worker processes after the first (``workers``, as a long verification does): the
    same problems are found every way."""
    ledger = app.read_side.projections["ledger"]
    ledger.set_based = request.param != "decoded"
    if request.param == "workers":
        app.read_side.page, ledger.prefetch_after = 1, 0
    add_users(app, [f"early{i}" for i in range(12)])
    checkpoint = app.ledger.checkpoint(ADMIN)
    add_users(app, [f"late{i}" for i in range(3)])
    assert app.ledger.verify()["ok"]
    return app, checkpoint


def sql(app, statement, params=()):
    store = app.read_side.store
    statement = statement.format(events=store.events_table, pos=store.events_position)
    with store.transaction() as cursor:
        cursor.execute(statement, params)


def positions(app):
    return [n.id for n in app.recorder.select_notifications(0, 1000)]


def row(app, position):
    return app.recorder.select_notifications(position, 1)[0]


def originator(app, value: uuid.UUID):
    return value.hex if app.read_side.store.engine == "sqlite" else str(value)


def first_problem(report):
    assert not report["ok"]
    return report["first_bad_position"], {p["kind"] for p in report["problems"]
                                          if p["position"] == report["first_bad_position"]}


def test_an_untouched_ledger_verifies_and_rebuilds_identically(ledgered):
    app, checkpoint = ledgered
    first = app.ledger.verify()
    assert first["ok"] and first["checkpoints_verified"] == 1
    assert first["tree_size"] == len(positions(app))
    digest = app.read_side.checksums("ledger")
    app.ledger.verify()
    assert app.read_side.checksums("ledger") == digest


def test_an_edited_payload_is_found_at_its_position(ledgered):
    app, _ = ledgered
    target = positions(app)[4]
    state = row(app, target).state.replace(b"User early4", b"User forged")
    sql(app, "UPDATE {events} SET state = ? WHERE {pos} = ?", (state, target))
    report = app.ledger.verify()
    assert first_problem(report) == (target, {"edited"})
    assert any(p["kind"] == "checkpoint" for p in report["problems"])
    with pytest.raises(LedgerProblems, match=f"position {target}"):
        app.ledger.checkpoint(ADMIN)


def test_a_deleted_row_is_found_at_its_position(ledgered):
    app, _ = ledgered
    target = positions(app)[6]
    sql(app, "DELETE FROM {events} WHERE {pos} = ?", (target,))
    assert first_problem(app.ledger.verify()) == (target, {"deleted"})


def test_deleting_the_last_row_is_found(ledgered):
    app, _ = ledgered
    target = positions(app)[-1]
    sql(app, "DELETE FROM {events} WHERE {pos} = ?", (target,))
    assert first_problem(app.ledger.verify()) == (target, {"deleted"})


def test_two_swapped_rows_are_found_at_the_first(ledgered):
    app, _ = ledgered
    a, b = positions(app)[2], positions(app)[3]
    sql(app, "UPDATE {events} SET {pos} = ? WHERE {pos} = ?", (10**9, a))
    sql(app, "UPDATE {events} SET {pos} = ? WHERE {pos} = ?", (a, b))
    sql(app, "UPDATE {events} SET {pos} = ? WHERE {pos} = ?", (b, 10**9))
    report = app.ledger.verify()
    assert first_problem(report) == (a, {"reordered"})
    assert any(p["position"] == b and p["kind"] == "reordered" for p in report["problems"])


def test_a_forged_row_appended_to_the_log_is_found(ledgered):
    app, _ = ledgered
    model = row(app, positions(app)[0])
    sql(app, "INSERT INTO {events} (originator_id, originator_version, topic, state) "
             "VALUES (?, ?, ?, ?)",
        (originator(app, uuid.uuid4()), 1, model.topic, model.state))
    forged = positions(app)[-1]
    assert first_problem(app.ledger.verify()) == (forged, {"inserted"})
    assert first_problem(app.ledger.verify(full=False)) == (forged, {"inserted"})


def test_a_forged_row_placed_before_the_log_is_found(ledgered):
    app, _ = ledgered
    model = row(app, positions(app)[0])
    sql(app, "INSERT INTO {events} ({pos}, originator_id, originator_version, topic, state) "
             "VALUES (?, ?, ?, ?, ?)",
        (0, originator(app, uuid.uuid4()), 1, model.topic, model.state))
    assert first_problem(app.ledger.verify()) == (0, {"inserted"})


@pytest.mark.postgres
def test_a_forged_row_in_a_postgresql_id_gap_is_found(ledgered):
    app, _ = ledgered
    if app.read_side.store.engine != "postgres":
        pytest.skip("only PostgreSQL leaves gaps in its ids")
    one = app.repository.get(user_id("early1"))
    two = app.repository.get(user_id("early1"))
    one.disable(provenance=ADMIN.as_dict())
    app.save(one)
    two.disable(provenance=ADMIN.as_dict())
    with pytest.raises(IntegrityError):
        app.save(two)  # rolled back: its notification id is never used
    add_users(app, ["after.gap"])
    before, after = positions(app)[-2], positions(app)[-1]
    assert after - before == 2, "PostgreSQL should have left a gap"
    model = row(app, positions(app)[0])
    sql(app, "INSERT INTO {events} ({pos}, originator_id, originator_version, topic, state) "
             "VALUES (?, ?, ?, ?, ?)",
        (before + 1, originator(app, uuid.uuid4()), 1, model.topic, model.state))
    assert first_problem(app.ledger.verify()) == (before + 1, {"inserted"})


def test_a_journal_entry_rewritten_to_hide_an_edit_breaks_its_seal(ledgered):
    app, _ = ledgered
    target = positions(app)[5]
    stored = row(app, target)
    state = stored.state.replace(b"User early5", b"User hidden")
    sql(app, "UPDATE {events} SET state = ? WHERE {pos} = ?", (state, target))
    rehashed = event_leaf_hash(target, stored.originator_id, stored.originator_version,
                               stored.topic, state).hex()
    sql(app, "UPDATE ledger_journal SET leaf_hash = ? WHERE position = ?", (rehashed, target))
    report = app.ledger.verify()
    assert first_problem(report) == (target, {"journal"})
    assert any(p["kind"] == "checkpoint" for p in report["problems"])


def test_a_row_deleted_with_its_journal_entry_still_fails_the_checkpoint(ledgered):
    app, checkpoint = ledgered
    target = positions(app)[7]
    sql(app, "DELETE FROM {events} WHERE {pos} = ?", (target,))
    sql(app, "DELETE FROM ledger_journal WHERE position = ?", (target,))
    report = app.ledger.verify()
    assert first_problem(report) == (target, {"gap"})
    assert any(p["kind"] == "checkpoint" and p["position"] == checkpoint["position"]
               for p in report["problems"])


def test_an_altered_checkpoint_signature_is_found(ledgered):
    app, checkpoint = ledgered
    stored = row(app, checkpoint["position"])
    forged_root = "00" * 32
    state = stored.state.replace(checkpoint["root_hash"].encode(), forged_root.encode())
    assert state != stored.state
    sql(app, "UPDATE {events} SET state = ? WHERE {pos} = ?", (state, checkpoint["position"]))
    report = app.ledger.verify()
    assert first_problem(report) == (checkpoint["position"], {"edited", "checkpoint"})


def test_the_cli_names_the_first_bad_position_and_exits_non_zero(ledgered, settings):
    app, _ = ledgered
    target = positions(app)[3]
    state = row(app, target).state.replace(b"User early3", b"User forged")
    sql(app, "UPDATE {events} SET state = ? WHERE {pos} = ?", (state, target))
    env = {"REGISTRY_DATABASE_URL": settings.database_url,
           "REGISTRY_HOME": str(settings.home)}
    result = CliRunner().invoke(main, ["ledger", "verify"], env=env)
    assert result.exit_code == 1, result.output
    assert f"first bad position {target}" in result.stderr
    assert f"position {target}: edited" in result.stderr


def test_a_row_rewritten_into_garbage_is_reported_not_crashed_on(ledgered):
    app, checkpoint = ledgered
    sql(app, "UPDATE {events} SET state = ? WHERE {pos} = ?",
        (b"\xff not json", checkpoint["position"]))
    bad_id = "not-a-uuid" if app.read_side.store.engine == "sqlite" else None
    report = app.ledger.verify()
    assert report["first_bad_position"] == checkpoint["position"]
    assert {"edited", "checkpoint"} <= {p["kind"] for p in report["problems"]}
    if bad_id:
        target = positions(app)[2]
        sql(app, "UPDATE {events} SET originator_id = ? WHERE {pos} = ?", (bad_id, target))
        report = app.ledger.verify()
        assert not report["ok"] and report["first_bad_position"] <= target


def test_a_row_whose_topic_was_erased_is_reported_at_its_position(ledgered):
    app, _ = ledgered
    target = positions(app)[4]
    try:
        sql(app, "UPDATE {events} SET topic = NULL WHERE {pos} = ?", (target,))
    except Exception:  # the engine's table refuses an empty topic: nothing to find
        pytest.skip("this engine's events table has no row without a topic")
    report = app.ledger.verify()
    assert report["first_bad_position"] == target


def test_the_rows_read_as_stored_give_the_ledger_the_decoded_events_give(ledgered):
    app, _ = ledgered
    ledger = app.read_side.projections["ledger"]
    first = app.ledger.verify()
    digest = app.read_side.checksums("ledger")
    ledger.set_based = not ledger.set_based
    second = app.ledger.verify()
    assert app.read_side.checksums("ledger") == digest
    assert (second["tree_size"], second["root_hash"]) == (first["tree_size"],
                                                          first["root_hash"])


def record_checkpoint(app, size: int, root_hex: str) -> int:
    """A checkpoint signed with the ledger's key over ``size`` leaves and ``root_hex``,
    recorded now, whatever was saved since the tree had that size; its position."""
    key = app.ledger.key
    note = Checkpoint(key.name, size, bytes.fromhex(root_hex),
                      "2026-12-06T10:00:00.000000Z").sign(key)
    app.save(LedgerCheckpoint(tree_size=size, root_hash=root_hex,
                              signed_at="2026-12-06T10:00:00.000000Z", note=note,
                              verifier_key=str(app.ledger.verifier),
                              provenance=ADMIN.as_dict()))
    return app.recorder.max_notification_id()


def test_a_checkpoint_of_an_older_tree_is_checked_against_that_tree(ledgered):
    """Events saved between signing a checkpoint and recording it: the tree it signed is
    older than the one its own leaf extends, and is read back from the stored tree."""
    app, _ = ledgered
    older = app.ledger.state()
    add_users(app, ["between1", "between2"])
    kept = record_checkpoint(app, older["tree_size"], older["root_hash"])
    forged = record_checkpoint(app, older["tree_size"] - 1, older["root_hash"])
    report = app.ledger.verify()
    assert first_problem(report) == (forged, {"checkpoint"})
    problems = [p for p in report["problems"] if p["kind"] == "checkpoint"]
    assert len(problems) == 1 and "the events now stored give root" in problems[0]["detail"]
    verified = {c["tree_size"]: c for c in app.ledger.checkpoints()}
    assert verified[older["tree_size"]]["verified"]
    assert verified[older["tree_size"]]["position"] == kept


def test_a_signed_checkpoint_over_a_wrong_root_is_found(ledgered):
    """Signed with the right key over the tree its leaf extends, but not that tree's root."""
    app, _ = ledgered
    size = app.ledger.state()["tree_size"]
    forged = record_checkpoint(app, size, "ab" * 32)
    report = app.ledger.verify()
    assert first_problem(report) == (forged, {"checkpoint"})
    assert "the events now stored give root" in report["problems"][0]["detail"]


def test_a_checkpoint_row_whose_aggregate_id_is_no_uuid_is_reported_at_its_position(ledgered):
    """Read as stored, the row stops the ledger at its own position. (Decoded, the runner
    cannot make it an event at all, and the ledger stops at the start of its page.)"""
    app, checkpoint = ledgered
    if app.read_side.store.engine != "sqlite":
        pytest.skip("PostgreSQL's events table holds only UUIDs")
    if not app.read_side.projections["ledger"].set_based:
        pytest.skip("the runner reads and decodes every row before the ledger sees it")
    sql(app, "UPDATE {events} SET originator_id = ? WHERE {pos} = ?",
        ("not-a-uuid", checkpoint["position"]))
    report = app.ledger.verify()
    assert report["first_bad_position"] == checkpoint["position"]
    assert {p["kind"] for p in report["problems"]
            if p["position"] == checkpoint["position"]} == {"unreadable"}
