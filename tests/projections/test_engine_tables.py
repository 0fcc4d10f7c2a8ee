"""Two processes starting at once on a new database both create the read models' tables."""

import sqlite3
import threading

import psycopg
import pytest

from projections import all_projections
from projections.engine import Runner
from projections.store import ReadStore


def test_runners_creating_the_tables_at_the_same_moment_both_succeed(app):
    stores = [ReadStore(app) for _ in range(3)]
    runners = [Runner(app, store, all_projections()) for store in stores]
    start, failures = threading.Barrier(len(runners)), []

    def create(runner):
        start.wait()
        try:
            runner.ensure_tables()
        except Exception as error:  # collected: the assertion below names it
            failures.append(error)

    threads = [threading.Thread(target=create, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert failures == []
    assert {row["name"] for row in app.read_side.status()} == {
        p.name for p in all_projections()}


def test_every_text_column_of_a_read_model_compares_bytes_on_both_engines(app):
    """SQLite compares TEXT as bytes; PostgreSQL's read models declare COLLATE "C" so that
    they order and compare alike, whatever the database's locale."""
    store = app.read_side.store
    app.read_side.ensure_tables()
    tables = {t for p in all_projections() for t in p.tables}
    with store.reading() as cursor:
        if store.engine == "postgres":
            rows = cursor.execute(
                "SELECT table_name, column_name, collation_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND data_type = 'text'").fetchall()
            text = [r for r in rows if r["table_name"] in tables]
            assert text and {r["collation_name"] for r in text} == {"C"}, text
    with store.applying() as cursor:
        # Upper case before lower, and a code point's UTF-8 bytes, as Python orders str.
        values = ["b", "B", "a", "Z", "é", "e", "_"]
        for value in values:
            cursor.execute("INSERT INTO audit_subjects (aggregate_id, codes) VALUES (?, '')",
                           (value,))
        ordered = [r["aggregate_id"] for r in cursor.execute(
            "SELECT aggregate_id FROM audit_subjects ORDER BY aggregate_id").fetchall()]
        assert ordered == sorted(values)


def test_a_table_keyed_by_one_bigint_keeps_the_key_as_its_own_rows_order(app):
    """On SQLite a read model's BIGINT PRIMARY KEY is the table's rowid (no second b-tree
    of the key to write on each insert); on both engines the key stays unique, as does
    the audit index's position: the rowid on SQLite, a unique index on PostgreSQL (built
    after the rows in a rebuild)."""
    store = app.read_side.store
    app.read_side.ensure_tables()
    keyed = [t for p in all_projections() for t, ddl in p.tables.items()
             if "BIGINT PRIMARY KEY" in ddl]
    assert "ledger_leaf_blocks" in keyed and "ledger_checkpoints" in keyed
    with store.reading() as cursor:
        if store.engine == "sqlite":
            for table in keyed:
                indexes = cursor.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                    "AND name LIKE 'sqlite_autoindex_%'", (table,)).fetchall()
                assert indexes == [], table
            # The audit's events are keyed by their position, the rowid, with no index of it
            keys = [r["name"] for r in cursor.execute(
                "SELECT name FROM pragma_table_info('audit_events') WHERE pk = 1").fetchall()]
            assert keys == ["position"]
            assert cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                "'audit_events' AND name = 'audit_events_position'").fetchall() == []
    inserts = {
        "ledger_leaf_blocks": ("INSERT INTO ledger_leaf_blocks (block, first_position, "
                               "last_position, positions, leaf_hashes) VALUES (?, ?, ?, ?, ?)",
                               (7, 7, 7, "7", "00")),
        "audit_events": ("INSERT INTO audit_events (position, recorded_at, aggregate_type, "
                         "aggregate_id, version, event_type) VALUES (?, ?, ?, ?, ?, ?)",
                         (7, "2026-01-01T00:00:00.000000Z", "Submission", "x", 1, "Submitted")),
    }
    for table, (insert, row) in inserts.items():
        with store.applying() as cursor:
            cursor.execute(insert, row)
        with pytest.raises((sqlite3.IntegrityError, psycopg.errors.UniqueViolation)):
            with store.applying() as cursor:
                cursor.execute(insert, row)
        assert store.query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"] == 1, table
