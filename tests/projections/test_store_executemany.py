"""The read store's ``executemany``: on PostgreSQL a plain INSERT goes by COPY, which must
store exactly what the INSERT would have, refuse what it would refuse, and stay inside
the page's transaction."""

import sqlite3

import psycopg
import pytest

from projections.store import copy_statement

AWKWARD = ["tab\there", "new\nline", "back\\slash", "\\N", "quote ' \" ", "£ – é 🏥",
           "carriage\rreturn", "", " leading and trailing ", "end\\"]


def _table(store):
    with store.creating() as cursor:
        cursor.execute("CREATE TABLE copy_probe (k INTEGER PRIMARY KEY, text_value TEXT, "
                       "number DOUBLE PRECISION, blob BYTEA, flag BOOLEAN)")


def _rows():
    return [(i, text, i / 7 if i % 3 else None, bytes([i, 0, 255, 10, 9, 92]), i % 2 == 0)
            for i, text in enumerate(AWKWARD + [None])]


def test_plain_inserts_store_the_same_rows_on_both_engines(app):
    store = app.read_side.store
    _table(store)
    rows = _rows()
    with store.transaction() as cursor:
        cursor.executemany("INSERT INTO copy_probe VALUES (?, ?, ?, ?, ?)", rows[:5])
        cursor.executemany("INSERT INTO copy_probe (k, text_value, number, blob, flag) "
                           "VALUES (?, ?, ?, ?, ?)", rows[5:])
    stored = store.query("SELECT * FROM copy_probe ORDER BY k")
    assert [(r["k"], r["text_value"], r["number"], bytes(r["blob"]), bool(r["flag"]))
            for r in stored] == rows


def test_a_refused_row_rolls_back_the_whole_page(app):
    store = app.read_side.store
    _table(store)
    with store.transaction() as cursor:
        cursor.executemany("INSERT INTO copy_probe (k, text_value) VALUES (?, ?)", [(1, "kept")])
    refused = psycopg.errors.UniqueViolation if store.engine == "postgres" \
        else sqlite3.IntegrityError
    with pytest.raises(refused):
        with store.transaction() as cursor:
            cursor.executemany("INSERT INTO copy_probe (k, text_value) VALUES (?, ?)",
                               [(2, "new"), (3, "new"), (1, "duplicate")])
    assert store.query("SELECT k, text_value FROM copy_probe ORDER BY k") == [
        {"k": 1, "text_value": "kept"}]


@pytest.mark.parametrize("statement, copy", [
    ("INSERT INTO t VALUES (?, ?)", "COPY t FROM STDIN"),
    ("INSERT INTO ledger_leaves (leaf_index, position, leaf_hash) VALUES (?, ?, ?)",
     "COPY ledger_leaves (leaf_index, position, leaf_hash) FROM STDIN"),
    ("insert into s.t(a,b) values(?,?)", "COPY s.t (a,b) FROM STDIN"),
    ("INSERT INTO t VALUES (?, ?) ON CONFLICT DO NOTHING", None),
    ("INSERT INTO t VALUES (?, 1)", None),
    ("INSERT INTO t SELECT ?, ?", None),
    ("INSERT INTO t VALUES (?, ?) RETURNING k", None),
    ("UPDATE t SET a = ? WHERE k = ?", None),
    ("DELETE FROM t WHERE k = ?", None),
])
def test_only_plain_inserts_become_copies(statement, copy):
    assert copy_statement(statement) == copy


def test_tuples_give_the_rows_values_in_select_order_and_leave_the_cursor_as_it_was(app):
    store = app.read_side.store
    _table(store)
    rows = _rows()
    with store.transaction() as cursor:
        cursor.executemany("INSERT INTO copy_probe VALUES (?, ?, ?, ?, ?)", rows)
    with store.reading() as cursor:
        found = cursor.tuples("SELECT flag, blob, number, text_value, k FROM copy_probe "
                              "WHERE k >= ? ORDER BY k", (0,))
        after = cursor.execute("SELECT k FROM copy_probe ORDER BY k LIMIT 1").fetchall_raw()
    assert all(type(row) is tuple for row in found)
    assert [(k, text, number, bytes(blob), bool(flag))
            for flag, blob, number, text, k in found] == rows
    assert after[0]["k"] == 0  # rows by name again after it
