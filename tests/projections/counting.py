"""A test projection that records each event it applies once (a duplicate would violate
the primary key) and can be told to fail, or to kill its own process, at a position."""

import os
import signal

from projections.engine import Projection


class Counting(Projection):
    name = "counting"
    tables = {"counted": "CREATE TABLE IF NOT EXISTS counted (position BIGINT PRIMARY KEY, "
                         "event TEXT NOT NULL)"}

    def __init__(self, fail_at: int | None = None, kill_at: int | None = None):
        self.fail_at, self.kill_at = fail_at, kill_at

    def apply(self, cursor, logged) -> None:
        if logged.position == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if logged.position == self.fail_at:
            raise ValueError("cannot project this event")
        cursor.execute("INSERT INTO counted VALUES (?, ?)",
                       (logged.position, f"{logged.aggregate_type}.{logged.event_type}"))


class BulkCounting(Counting):
    """``Counting`` with Organisation events filed by SQL over the stored rows
    (``file_range``), marked 'bulk'; ``apply`` refuses them."""

    name = "bulk_counting"
    tables = {"counted": Counting.tables["counted"]}
    set_based_aggregates = ("Organisation",)

    def apply(self, cursor, logged) -> None:
        if logged.aggregate_type in self.bulk_aggregates:
            raise AssertionError(f"event {logged.position} should have been left to the SQL")
        super().apply(cursor, logged)

    def file_range(self, cursor, after: int, last: int, held: int | None = None) -> None:
        store = cursor.store
        organisations, params = store.of_aggregates(self.bulk_aggregates)
        cursor.execute(f"INSERT INTO counted SELECT {store.events_position}, 'bulk' FROM "
                       f"{store.events_table} WHERE {store.events_position} > ? AND "
                       f"{store.events_position} <= ? AND ({organisations})",
                       (after, last, *params))


class IndexedCounting(Counting):
    """``Counting`` with an index that a rebuild creates after the rows: each event
    records whether the index existed when it was applied."""

    name = "indexed_counting"
    tables = {"counted": Counting.tables["counted"]}
    indexes = ("CREATE INDEX IF NOT EXISTS counted_event ON counted (event, position)",)
    defer_indexes = True

    def apply(self, cursor, logged) -> None:
        if logged.position == self.fail_at:
            raise ValueError("cannot project this event")
        indexed = "indexed" if has_index(cursor, "counted_event") else "not indexed"
        cursor.execute("INSERT INTO counted VALUES (?, ?)", (logged.position, indexed))


def has_index(cursor, name: str) -> bool:
    if cursor.engine == "postgres":
        row = cursor.execute("SELECT COUNT(*) AS n FROM pg_indexes WHERE indexname = ? AND "
                             "schemaname = current_schema()", (name,)).fetchone()
    else:
        row = cursor.execute("SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index' "
                             "AND name = ?", (name,)).fetchone()
    return row["n"] == 1


class HeldCounting(BulkCounting):
    """``BulkCounting`` that keeps, for each range it files, what the runner said of it:
    (after, last, how many of its Organisation events the range holds)."""

    name = "held_counting"
    tables = {"counted": Counting.tables["counted"]}

    def __init__(self, fail_at: int | None = None):
        super().__init__(fail_at=fail_at)
        self.ranges: list[tuple[int, int, int | None]] = []

    def file_range(self, cursor, after: int, last: int, held: int | None = None) -> None:
        super().file_range(cursor, after, last, held)
        self.ranges.append((after, last, held))
