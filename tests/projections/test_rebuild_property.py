"""Random event sequences give the same read models incrementally and after a rebuild."""

import uuid

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.settings import Settings
from config.storage import open_registry
from registry.errors import RegistryError
from tests.builders import ADMIN, provider_of, seed, wic

PROVIDERS = ["RY6", "RYX", "RY2", "NXA01"]
PERIODS = [f"2018-{m:02d}" for m in range(1, 7)]

operation = st.one_of(
    st.tuples(st.just("submit"), st.sampled_from(PROVIDERS), st.sampled_from(PERIODS),
              st.integers(0, 100)),
    st.tuples(st.just("restate"), st.sampled_from(PROVIDERS), st.sampled_from(PERIODS),
              st.integers(0, 100)),
    st.tuples(st.just("withdraw"), st.sampled_from(PROVIDERS), st.sampled_from(PERIODS),
              st.just(0)),
    st.tuples(st.just("merge"), st.sampled_from(["RYX", "RY6"]), st.sampled_from(PERIODS),
              st.just(0)),
    st.tuples(st.just("kind"), st.sampled_from(["RY6", "RYX"]), st.just(""), st.just(0)),
    st.tuples(st.just("catch_up"), st.just(""), st.just(""), st.integers(1, 7)),
)


def carry_out(app, op) -> None:
    action, code, period, number = op
    cell = wic(provider=code, period=period, numerator=number)
    try:
        if action == "submit":
            app.submit(cell, ADMIN)
        elif action == "restate":
            app.restate(cell, provider_of(code, "correction"))
        elif action == "withdraw":
            del cell["numerator"], cell["denominator"]
            app.withdraw(cell, ADMIN.because("withdrawn"))
        elif action == "merge":
            app.merge_organisation({"code": code, "successor": "RY2",
                                    "effective": f"{period}-01"}, ADMIN.because("merger"))
        elif action == "kind":
            app.change_organisation_kind({"code": code, "kind": "foundation_trust",
                                          "effective": "2019-01-01"}, ADMIN)
        else:
            app.read_side.page = number
            app.read_side.catch_up()
    except RegistryError:
        pass  # refused commands store nothing; the sequence goes on


@pytest.fixture
def fresh_store(database_url, tmp_path):
    """A factory of empty stores, one per generated example."""
    made = []

    def make():
        if database_url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.db'}"
        else:
            server, schema = database_url.split("?schema=")
            url = f"{server}?schema={schema}_{len(made)}"
            made.append((server, f"{schema}_{len(made)}"))
        return open_registry(Settings.from_env({"REGISTRY_DATABASE_URL": url,
                                                "REGISTRY_INLINE_PROJECTIONS": "off",
                                                "REGISTRY_HOME": str(tmp_path)}))

    yield make
    for server, schema in made:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=25))
def test_incremental_and_rebuilt_read_models_are_identical(fresh_store, operations):
    app = fresh_store()
    try:
        seed(app)
        for op in operations:
            carry_out(app, op)
        app.read_side.page = 500
        app.read_side.catch_up()
        incremental = app.read_side.checksums()
        app.read_side.rebuild()
        assert app.read_side.checksums() == incremental
    finally:
        app.close()
