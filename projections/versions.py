"""Versioned rows: a change closes the current version and opens the next.

Each version carries the recorded range in which it was what the registry knew
(``recorded_from <= T < recorded_to``; the current one ends at ``LATEST``), so a
register can be read as known at any recorded time with one indexed condition,
and a rebuild reproduces every range exactly because both ends are event times.
"""

from datetime import UTC, date, datetime, time, timedelta

from projections.facts import LATEST
from projections.store import placeholders
from projections.timestamps import stamp


def moment(value, end_of_day: bool = False) -> datetime:
    """A datetime from a datetime, an ISO string or a date (its start, or with
    ``end_of_day`` the start of the next day, so a date bound covers the whole day)."""
    value = _parsed(value)
    if isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if end_of_day else value
    return datetime.combine(day, time(), tzinfo=UTC)


def known_at(as_of=None, alias: str = "") -> tuple[str, tuple]:
    """The SQL condition (and parameters) selecting the versions known at ``as_of``;
    without ``as_of``, the current versions. A date means by the end of that day."""
    prefix = f"{alias}." if alias else ""
    if as_of is None:
        return f"{prefix}recorded_to = ?", (LATEST,)
    at = known_by(as_of)
    return f"{prefix}recorded_from <= ? AND {prefix}recorded_to > ?", (at, at)


def known_by(as_of) -> str:
    """The last recorded time (as stored text) that counts as known at ``as_of``."""
    value = _parsed(as_of)
    if isinstance(value, datetime):
        return stamp(value)
    return stamp(moment(value, end_of_day=True) - timedelta(microseconds=1))


def _parsed(value):
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value or " " in value \
            else date.fromisoformat(value)
    return value


def current(cursor, table: str, aggregate_id) -> dict:
    """The current version of an aggregate's row; a missing one is a projection error."""
    row = cursor.execute(f"SELECT * FROM {table} WHERE aggregate_id = ? AND recorded_to = ?",
                         (str(aggregate_id), LATEST)).fetchone()
    if row is None:
        raise LookupError(f"{table} has no current version of {aggregate_id}")
    return row


def open_version(cursor, table: str, columns: tuple[str, ...], row: dict, logged) -> None:
    """Insert ``row`` as the version current from this event on."""
    row = {**row, "aggregate_id": str(logged.aggregate_id), "position": logged.position,
           "recorded_from": stamp(logged.recorded_at), "recorded_to": LATEST}
    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) "
                   f"VALUES ({placeholders(columns)})", [row[c] for c in columns])


def supersede(cursor, table: str, columns: tuple[str, ...], row: dict, logged) -> None:
    """Close the aggregate's current version at this event's time and open ``row``."""
    cursor.execute(f"UPDATE {table} SET recorded_to = ? WHERE aggregate_id = ? AND "
                   "recorded_to = ?", (stamp(logged.recorded_at), str(logged.aggregate_id),
                                       LATEST))
    open_version(cursor, table, columns, row, logged)
