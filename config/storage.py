"""Opening the registry on the configured storage engine."""

from contextlib import contextmanager

import psycopg
from eventsourcing.persistence import OperationalError

from charts import cache as chart_cache
from config.settings import Settings
from ledger.service import LedgerService
from projections import open_runner
from projections.engine import ProjectionFailed
from projections.store import lock_key
from registry.application import Registry


def open_registry(settings: Settings | None = None) -> Registry:
    """A Registry on the configured engine; tables (and a PostgreSQL schema) are created.

    With inline projections on (the embedded default), read models catch up after
    every command; a projection failure is logged and shown by ``projections status``
    but does not undo the command, whose events are already stored.
    """
    settings = settings or Settings.from_env()
    env = settings.eventsourcing_env()
    if settings.engine == "postgres":
        with creating_tables(env):
            ensure_schema(env)
            app = Registry(env=env)
    else:
        app = Registry(env=env)
    app.read_side = open_runner(app)
    app.ledger = LedgerService(app, app.factory.ledger_key)
    chart_cache.use_directory(settings.chart_cache)
    app.close_hooks.append(app.read_side.store.close)
    if settings.inline_projections:
        app.saved_hooks.append(lambda: _catch_up_quietly(app.read_side))
    return app


def _catch_up_quietly(runner) -> None:
    try:
        runner.catch_up()
    except ProjectionFailed:
        pass  # logged, and recorded for `registry projections status`


@contextmanager
def creating_tables(env: dict[str, str]):
    """Processes opening the registry at the same moment (web workers, a scheduler) take
    turns: the library creates its tables and functions on every start, and two doing so
    at once on PostgreSQL fail ('tuple concurrently updated'). The read side's tables
    take the same lock (``ReadStore.creating``)."""
    try:
        conn = psycopg.connect(**connection_kwargs(env), autocommit=True)
    except psycopg.OperationalError as error:  # as the library reports an unreachable store
        raise OperationalError(str(error)) from error
    with conn:
        key = lock_key(f"registry.ddl:{env['POSTGRES_SCHEMA']}")
        conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))


def ensure_schema(env: dict[str, str]) -> None:
    """The eventsourcing library never creates a schema; create it if it is missing."""
    schema = env["POSTGRES_SCHEMA"]
    if schema == "public":
        return
    with psycopg.connect(**connection_kwargs(env), autocommit=True) as conn:
        conn.execute(psycopg.sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
            psycopg.sql.Identifier(schema)))


def connection_kwargs(env: dict[str, str]) -> dict:
    return {"dbname": env["POSTGRES_DBNAME"], "host": env["POSTGRES_HOST"],
            "port": int(env["POSTGRES_PORT"]), "user": env["POSTGRES_USER"],
            "password": env["POSTGRES_PASSWORD"] or None,
            "connect_timeout": int(env["POSTGRES_CONNECT_TIMEOUT"])}
