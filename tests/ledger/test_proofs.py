"""Proofs served by the registry check out with an independent RFC 6962 implementation,
from the signed checkpoint and the verifier key alone, for every event and checkpoint."""

import base64
import hashlib
import json

import pytest
from click.testing import CliRunner

from ledger.leaf import leaf_data
from ledger.merkle import ProofError
from ledger.proofs import verify_document
from projections.ledger import STORED_FROM
from registry.cli import main
from registry.errors import NotFound, RuleViolation
from tests.ledger import independent_verifier as independent
from tests.ledger.rfc6962_reference import PATH, PROOF
from tests.ledger.test_tamper import ADMIN, add_users


@pytest.fixture
def checkpointed(app):
    """Events in five batches of different sizes, a checkpoint after each."""
    sizes = []
    for batch, count in enumerate((1, 2, 5, 8, 13)):
        add_users(app, [f"b{batch}u{i}" for i in range(count)])
        sizes.append(app.ledger.checkpoint(ADMIN)["tree_size"])
    return app, sizes


def stored_leaves(app) -> list[bytes]:
    return [leaf_data(n.id, n.originator_id, n.originator_version, n.topic, n.state)
            for n in app.recorder.select_notifications(0, 1000)]


def test_every_inclusion_proof_verifies_independently(checkpointed):
    app, sizes = checkpointed
    key = str(app.ledger.verifier)
    leaves = stored_leaves(app)
    positions = [n.id for n in app.recorder.select_notifications(0, 1000)]
    checked = 0
    for size in sizes:
        for index in range(size):
            document = json.loads(json.dumps(app.ledger.inclusion_proof(positions[index],
                                                                        size)))
            independent.check_inclusion_document(document, key)
            verify_document(document, app.ledger.verifier)
            assert [bytes.fromhex(h) for h in document["proof"]] == PATH(index, leaves[:size])
            checked += 1
    assert checked == sum(sizes)


def test_the_paths_of_many_events_at_once_are_the_rfc_paths_over_the_stored_leaves(
        checkpointed):
    app, sizes = checkpointed
    leaves = stored_leaves(app)
    positions = [n.id for n in app.recorder.select_notifications(0, 1000)]
    for size in sizes:
        wanted = positions[:size][::-1]  # any order, as a pack asks
        paths = app.ledger.inclusion_paths(wanted, size)
        assert sorted(paths) == sorted(wanted)
        for index, position in enumerate(positions[:size]):
            path = paths[position]
            assert path["leaf_index"] == index
            assert base64.b64decode(path["leaf_data"]) == leaves[index]
            leaf_hash = hashlib.sha256(b"\x00" + leaves[index]).digest()  # RFC 6962
            assert bytes.fromhex(path["leaf_hash"]) == leaf_hash
            assert [bytes.fromhex(h) for h in path["proof"]] == PATH(index, leaves[:size])


def test_paths_are_refused_for_an_event_the_checkpoint_does_not_hold(checkpointed):
    app, sizes = checkpointed
    positions = [n.id for n in app.recorder.select_notifications(0, 1000)]
    with pytest.raises(RuleViolation, match=f"after the checkpoint of {sizes[0]} leaves"):
        app.ledger.inclusion_paths([positions[0], positions[sizes[0]]], sizes[0])
    with pytest.raises(NotFound):
        app.ledger.inclusion_paths([positions[0], 10**6], sizes[-1])


def test_every_consistency_proof_verifies_independently(checkpointed):
    app, sizes = checkpointed
    key = str(app.ledger.verifier)
    leaves = stored_leaves(app)
    for old in sizes:
        for new in sizes:
            if new < old:
                continue
            document = app.ledger.consistency_proof(old, new)
            independent.check_consistency_document(document, key)
            verify_document(document, app.ledger.verifier)
            if old < new:
                assert [bytes.fromhex(h) for h in document["proof"]] == \
                    PROOF(old, leaves[:new])


def test_a_proof_needs_a_checkpoint_that_covers_the_event(checkpointed):
    app, sizes = checkpointed
    add_users(app, ["too.new"])
    newest = app.recorder.max_notification_id()
    with pytest.raises(RuleViolation, match="newer than the latest signed checkpoint"):
        app.ledger.inclusion_proof(newest)
    with pytest.raises(NotFound):
        app.ledger.inclusion_proof(newest, tree_size=sizes[0] + 1)
    with pytest.raises(NotFound):
        app.ledger.inclusion_proof(10**6)


def test_a_checkpoint_is_not_repeated_when_nothing_new_was_recorded(checkpointed):
    app, sizes = checkpointed
    assert app.ledger.checkpoint(ADMIN) is None
    assert [c["tree_size"] for c in app.ledger.checkpoints()] == sizes


def test_an_altered_proof_fails_offline(checkpointed, tmp_path, settings):
    app, sizes = checkpointed
    document = app.ledger.inclusion_proof(3)
    document["leaf"]["leaf_data"] = document["leaf"]["leaf_data"][:-8] + "AAAAAAA="
    with pytest.raises(ProofError, match="leaf hash does not match"):
        verify_document(document, app.ledger.verifier)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(app.ledger.inclusion_proof(3)))
    forged = app.ledger.inclusion_proof(3)
    forged["proof"][0] = "00" * 32
    bad.write_text(json.dumps(forged))
    key = str(app.ledger.verifier)
    runner = CliRunner()
    ok = runner.invoke(main, ["ledger", "verify-proof", str(good), "--key", key])
    assert ok.exit_code == 0 and "proof verified" in ok.output
    failed = runner.invoke(main, ["ledger", "verify-proof", str(bad), "--key", key])
    assert failed.exit_code == 1 and "PROOF FAILS" in failed.stderr
    other = runner.invoke(main, ["ledger", "verify-proof", str(good), "--key",
                                 "someone+00000000+AQ" + "A" * 42 + "="])
    assert other.exit_code == 1 and "PROOF FAILS" in other.stderr


def test_the_tree_is_the_same_whatever_the_page_size_it_was_built_in(checkpointed):
    app, _ = checkpointed
    runner = app.read_side
    whole = runner.checksums("ledger")
    runner.page = 3  # the frontier is saved and restored between pages
    runner.rebuild("ledger")
    assert runner.checksums("ledger") == whole
    assert app.ledger.verify(full=False)["ok"]


def test_the_tree_stores_every_complete_node_of_four_levels_or_more_and_no_smaller(
        checkpointed):
    """Smaller nodes are made from their leaves when asked for (the proofs above use them)."""
    app, _ = checkpointed
    size = app.ledger.state()["tree_size"]
    assert size >= 2 ** (STORED_FROM + 1)  # the paths above went through stored nodes
    stored = app.read_side.store.query(
        "SELECT level, COUNT(*) AS n FROM ledger_nodes GROUP BY level ORDER BY level")
    assert [(int(r["level"]), int(r["n"])) for r in stored] == [
        (level, size >> level) for level in range(STORED_FROM, size.bit_length())]
