"""How the read store's connections are set up."""

from contextlib import contextmanager

import pytest

from projections.audit import Audit
from tests.builders import seed


def test_dropping_a_read_model_does_not_rewrite_its_pages_as_zeros(app):
    """Debian's SQLite zeroes every freed page (secure_delete on), which made dropping a
    read model for a rebuild cost as much I/O as writing it; the read store asks for
    "fast" secure delete (2), which clears freed content only where that is free."""
    store = app.read_side.store
    if store.engine != "sqlite":
        pytest.skip("a PostgreSQL connection has no secure_delete")
    seed(app)
    app.read_side.rebuild("audit")  # through the store's own connection
    with store.reading() as cursor:
        assert cursor.execute("PRAGMA secure_delete").fetchone()["secure_delete"] == 2
    conn = store.connect()
    try:
        assert conn.execute("PRAGMA secure_delete").fetchone()[0] == 2
    finally:
        conn.close()


def _sort_threads(store, cursor=None) -> int:
    if cursor is not None:
        return cursor.execute("PRAGMA threads").fetchone()["threads"]
    with store.reading() as cursor:
        return cursor.execute("PRAGMA threads").fetchone()["threads"]


def _settings(cursor) -> dict:
    return {name: cursor.execute(f"PRAGMA {name}").fetchone()[name]
            for name in ("synchronous", "cache_size", "temp_store", "wal_autocheckpoint")}


def test_an_index_on_a_filled_read_model_sorts_on_two_threads_only_while_built(app):
    """SQLite sorts on one thread unless asked: a full-scale index build took a fifth
    longer."""
    store = app.read_side.store
    if store.engine != "sqlite":
        pytest.skip("PostgreSQL sorts an index build in parallel workers by itself")
    before = _sort_threads(store)
    with store.indexing() as cursor:
        during = _sort_threads(store, cursor)
    assert (before, during, _sort_threads(store)) == (0, 2, 0)


def test_a_rebuild_builds_its_deferred_indexes_with_two_sort_threads_and_its_own_cache(
        app, monkeypatch):
    """Two sort threads, and the connection's own settings, not a projection page's: an
    index sort sizes its memory by the page cache (and keeps it in memory with
    ``temp_store`` on memory)."""
    store = app.read_side.store
    if store.engine != "sqlite":
        pytest.skip("PostgreSQL sorts an index build in parallel workers by itself")
    seed(app)
    with store.reading() as cursor:
        own = _settings(cursor)
    indexing, threads, seen = store.indexing, [], []

    @contextmanager
    def recording():
        with indexing() as cursor:
            threads.append(_sort_threads(store, cursor))
            seen.append(_settings(cursor))
            yield cursor

    monkeypatch.setattr(store, "indexing", recording)
    app.read_side.rebuild("audit")
    assert threads == [2] * len(Audit().indexes_on("sqlite"))
    assert _sort_threads(store) == 0
    assert seen == [own] * len(Audit().indexes_on("sqlite"))


def test_a_projection_page_has_a_larger_cache_and_its_own_settings_only_while_it_runs(app):
    """A page of a full-scale rebuild modifies more pages than SQLite's default 2 MB cache
    holds: they were spilled to the write-ahead log and written again (4.9 GB written to
    rebuild a 100 MB read model). A page runs with 64 MB, statement journals in memory
    and the log copied back every 16384 pages; the connection's own settings return
    after it, whether it commits or fails."""
    store = app.read_side.store
    if store.engine != "sqlite":
        pytest.skip("PostgreSQL's page settings are synchronous_commit (test_engine)")
    with store.reading() as cursor:
        own = _settings(cursor)
    assert own["cache_size"] != -65536 and own["temp_store"] != 2
    with store.applying() as cursor:
        assert _settings(cursor) == {"synchronous": 1, "cache_size": -65536, "temp_store": 2,
                                     "wal_autocheckpoint": 16384}
    with store.reading() as cursor:
        assert _settings(cursor) == own
    with pytest.raises(RuntimeError), store.applying():
        raise RuntimeError("a failed page")
    with store.reading() as cursor:
        assert _settings(cursor) == own
    with store.transaction() as cursor:
        assert _settings(cursor) == own

