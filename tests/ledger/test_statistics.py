"""PostgreSQL's planner keeps statistics of the events table as the log grows, so that
events are found by aggregate id through the primary key, not by scanning the log."""

import pytest

from registry.imports import import_csv
from tests.builders import ADMIN, seed
from tests.ledger.test_tamper import add_users
from tests.web.conftest import wic_csv


def analysed_rows(app) -> float:
    """pg_class.reltuples of the events table: -1 until it is first analysed."""
    recorder = app.recorder
    row = app.read_side.store.query(
        "SELECT c.reltuples FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ? AND c.relname = ?",
        (recorder.datastore.schema, recorder.events_table_name))[0]
    return float(row["reltuples"])


def stored(app) -> int:
    return app.recorder.max_notification_id()


@pytest.fixture
def postgres_app(app):
    if app.read_side.store.engine != "postgres":
        assert app.recorder.refresh_statistics() is False  # SQLite keeps none
        pytest.skip("only PostgreSQL's planner uses the statistics")
    return app


@pytest.mark.postgres
def test_the_log_is_analysed_again_only_once_it_has_grown(postgres_app, monkeypatch):
    app = postgres_app
    monkeypatch.setattr(app.recorder, "STATISTICS_ROWS", 5)
    add_users(app, [f"first{i}" for i in range(8)])
    assert analysed_rows(app) < 0  # never analysed
    assert app.recorder.refresh_statistics() is True
    assert analysed_rows(app) == stored(app)
    assert app.recorder.refresh_statistics() is False  # nothing new
    add_users(app, ["onemore"])
    assert app.recorder.refresh_statistics() is False  # under the rows and the tenth
    add_users(app, [f"then{i}" for i in range(6)])
    assert app.recorder.refresh_statistics() is True
    assert analysed_rows(app) == stored(app)


@pytest.mark.postgres
def test_an_import_analyses_the_log_it_has_grown(postgres_app, monkeypatch):
    app = postgres_app
    seed(app)
    monkeypatch.setattr(app.recorder, "STATISTICS_ROWS", 10)
    assert analysed_rows(app) < 0
    before = stored(app)
    report = import_csv(app, "submissions", wic_csv(), "wic.csv", ADMIN)
    assert report.events > 10
    # analysed after the file's events were stored, before its checkpoint was
    assert analysed_rows(app) == before + report.events
