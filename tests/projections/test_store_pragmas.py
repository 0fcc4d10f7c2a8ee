"""How the read store's SQLite connections are set up."""

import pytest

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
