"""Fixtures: the same test bodies run against SQLite and PostgreSQL.

PostgreSQL comes from REGISTRY_TEST_POSTGRES_URL (default: the local server,
database ``test``). Each test gets its own schema, dropped afterwards, so runs
never see each other's events. When CI is set, PostgreSQL tests fail instead of
skipping if the server cannot be reached.
"""

import os
import uuid

import psycopg
import pytest

from config.settings import Settings
from config.storage import open_registry
from registry.provenance import Actor, Provenance

# Cheap password hashing for the many test users (production default: scrypt).
os.environ.setdefault("REGISTRY_PASSWORD_METHOD", "pbkdf2:sha256:1000")

POSTGRES_URL = os.environ.get("REGISTRY_TEST_POSTGRES_URL",
                              "postgresql://postgres@127.0.0.1:5432/test")
RUN_ID = uuid.uuid4().hex[:8]


def _postgres_available() -> str | None:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return str(error).strip().splitlines()[0]


@pytest.fixture(scope="session")
def postgres_server():
    problem = _postgres_available()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but PostgreSQL is unreachable at {POSTGRES_URL}: {problem}")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {problem}")
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """A database URL for an empty store on each engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    schema = f"t_{RUN_ID}_{uuid.uuid4().hex[:8]}"
    yield f"{server}?schema={schema}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def settings(database_url, tmp_path):
    return Settings.from_env({"REGISTRY_DATABASE_URL": database_url,
                              "REGISTRY_HOME": str(tmp_path)})


@pytest.fixture
def app(settings):
    registry = open_registry(settings)
    yield registry
    registry.close()


@pytest.fixture
def admin():
    return Provenance(Actor("admin.user", "REGISTRY", "admin"), "cli")
