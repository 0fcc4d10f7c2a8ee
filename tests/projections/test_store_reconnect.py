"""A read store outlives its PostgreSQL connection: a long-running process (the scheduler,
a web worker) carries on after the server drops it."""

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
