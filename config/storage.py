"""Opening the registry on the configured storage engine."""

import psycopg

from config.settings import Settings
from registry.application import Registry


def open_registry(settings: Settings | None = None) -> Registry:
    """A Registry on the configured engine; tables (and a PostgreSQL schema) are created."""
    settings = settings or Settings.from_env()
    env = settings.eventsourcing_env()
    if settings.engine == "postgres":
        ensure_schema(env)
    return Registry(env=env)


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
