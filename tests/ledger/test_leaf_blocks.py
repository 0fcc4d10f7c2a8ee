"""The ledger keeps its leaves ``LEAF_BLOCK`` to a row (here four): filled across many
catch-ups they are the blocks one rebuild makes, and a leaf is found by its index or its
event's position with the hash the stored row gives. Both engines."""

import pytest

import projections.ledger
from ledger.leaf import event_leaf_hash
from projections.ledger import leaves_at, leaves_of
from tests.ledger.test_tamper import add_users, positions, sql


@pytest.fixture
def blocks_of_four(app, monkeypatch):
    monkeypatch.setattr(projections.ledger, "LEAF_BLOCK", 4)
    return app


def expected_leaves(app) -> dict[int, tuple[int, str]]:
    """{position: (leaf index, leaf hash)} computed from the stored rows, in log order."""
    rows = app.recorder.select_notifications(0, 1000)
    return {row.id: (index, event_leaf_hash(row.id, row.originator_id, row.originator_version,
                                             row.topic, row.state).hex())
            for index, row in enumerate(rows)}


def blocks(app) -> list[dict]:
    return app.read_side.store.query("SELECT block, first_position, last_position, positions "
                                     "FROM ledger_leaf_blocks ORDER BY block")


def test_blocks_filled_across_catch_ups_are_those_a_rebuild_makes(blocks_of_four):
    app = blocks_of_four
    for batch, count in enumerate([1, 2, 5, 3, 1, 6]):  # catch-ups ending anywhere in a block
        add_users(app, [f"user{batch}.{i}" for i in range(count)])
        assert app.ledger.verify(full=False)["ok"]
    caught_up = app.read_side.checksums("ledger")
    stored = blocks(app)
    assert app.ledger.verify(full=True)["ok"]
    assert app.read_side.checksums("ledger") == caught_up and blocks(app) == stored
    expected = expected_leaves(app)
    assert [row["block"] for row in stored] == list(range((len(expected) + 3) // 4))
    for row in stored:
        held = [int(p) for p in row["positions"].split(",")]
        assert held == sorted(expected)[4 * row["block"]:4 * row["block"] + 4]
        assert (row["first_position"], row["last_position"]) == (held[0], held[-1])
    with app.read_side.store.reading() as cursor:
        assert leaves_of(cursor, list(expected)) == expected
        by_index = {index: (position, digest) for position, (index, digest) in expected.items()}
        assert leaves_at(cursor, list(by_index)) == by_index


def test_a_position_or_index_the_ledger_does_not_hold_is_not_found(blocks_of_four):
    app = blocks_of_four
    add_users(app, [f"user{i}" for i in range(10)])
    held = positions(app)
    sql(app, "DELETE FROM {events} WHERE {pos} = ?", (held[5],))
    app.ledger.verify(full=True)
    expected = expected_leaves(app)
    assert held[5] not in expected
    assert len(expected) % 4  # the last block is part full: an index past it is asked for
    asked = [0, -3, held[5], held[-1] + 1, held[-1] + 100, *held]
    with app.read_side.store.reading() as cursor:
        assert leaves_of(cursor, asked) == expected
        assert leaves_at(cursor, [-1, len(expected), len(expected) + 7]) == {}
    assert app.ledger.leaf(held[5]) is None
    assert app.ledger.leaf(held[6]) == {"leaf_index": 5, "position": held[6],
                                         "leaf_hash": expected[held[6]][1]}


def test_a_ledger_made_with_a_row_per_leaf_is_dropped_and_rebuilt(app):
    add_users(app, [f"user{i}" for i in range(3)])
    assert app.ledger.verify(full=False)["ok"]
    store = app.read_side.store
    with store.transaction() as cursor:
        cursor.execute("CREATE TABLE ledger_leaves (leaf_index BIGINT PRIMARY KEY, "
                       "position BIGINT NOT NULL, leaf_hash TEXT NOT NULL)")
        cursor.execute("UPDATE projection_shapes SET shape = 'a row per leaf' "
                       "WHERE name = 'ledger'")
    app.read_side._created = False
    app.read_side.ensure_tables()
    with store.reading() as cursor:
        assert store.engine == "postgres" or not cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = 'ledger_leaves'").fetchall()
        if store.engine == "postgres":
            assert not cursor.execute("SELECT 1 FROM information_schema.tables WHERE "
                                      "table_name = 'ledger_leaves' AND table_schema = "
                                      "current_schema()").fetchall()
        assert cursor.execute("SELECT COUNT(*) AS n FROM ledger_leaf_blocks").fetchone()["n"] == 0
    report = app.ledger.verify(full=False)
    assert report["ok"] and report["tree_size"] == len(positions(app))


def test_postgresql_stores_a_block_uncompressed(app):
    """Hex and digits barely compress, and compressing a block cost the server more than
    storing it."""
    store = app.read_side.store
    if store.engine != "postgres":
        pytest.skip("SQLite does not compress values")
    app.read_side.ensure_tables()
    rows = store.query("SELECT attname, attstorage FROM pg_attribute WHERE attrelid = "
                       "'ledger_leaf_blocks'::regclass AND attname IN ('positions', "
                       "'leaf_hashes') ORDER BY attname")
    assert [(r["attname"], r["attstorage"]) for r in rows] == [("leaf_hashes", "e"),
                                                                ("positions", "e")]
    app.read_side.rebuild("ledger")
    assert store.query("SELECT attstorage FROM pg_attribute WHERE attrelid = "
                       "'ledger_leaf_blocks'::regclass AND attname = 'leaf_hashes'"
                       )[0]["attstorage"] == "e"
