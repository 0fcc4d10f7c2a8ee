"""A read store outlives its PostgreSQL connection: a long-running process (the scheduler,
a web worker) carries on after the server drops it."""

import sqlite3

import psycopg
import pytest


def test_after_the_server_drops_the_connection_the_next_statement_reconnects(app):
    store = app.read_side.store
    if store.engine != "postgres":
        pytest.skip("an SQLite file has no server to lose")
    [row] = store.query("SELECT pg_backend_pid() AS pid")
    with psycopg.connect(**store._connect_args, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (row["pid"],))
    with pytest.raises(psycopg.OperationalError):
        store.query("SELECT 1 AS one")
    assert store.query("SELECT 1 AS one") == [{"one": 1}]
    [again] = store.query("SELECT pg_backend_pid() AS pid")
    assert again["pid"] != row["pid"]


def test_renew_closes_this_threads_connection_and_the_next_statement_opens_one(app):
    store = app.read_side.store
    store.query("SELECT 1 AS one")
    old = store._local.conn
    store.renew()
    assert (old.closed if store.engine == "postgres" else _closed_sqlite(old))
    assert old not in store._all
    assert store.query("SELECT 1 AS one") == [{"one": 1}]
    assert store._local.conn is not old
    store.renew()
    store.renew()  # nothing open: nothing to do


def test_each_read_model_replays_on_a_postgresql_backend_of_its_own(app):
    store = app.read_side.store
    if store.engine != "postgres":
        pytest.skip("an SQLite file has no server backend")
    [before] = store.query("SELECT pg_backend_pid() AS pid")
    app.read_side.rebuild("contracts")
    [after] = store.query("SELECT pg_backend_pid() AS pid")
    assert after["pid"] != before["pid"]


def _closed_sqlite(conn) -> bool:
    try:
        conn.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False
