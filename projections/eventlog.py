"""Reading the application's notification log as plain, JSON-ready event records.

Every read model and the history queries start here: events in log order, each
with its position, aggregate, type, recorded time, provenance and payload.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from uuid import UUID

import orjson
from eventsourcing.persistence import Notification

from projections.timestamps import stamp

PAGE = 1000
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic",
             "provenance"}


class LoggedEvent:
    """One stored event: its place in the log, its stored form and (decoded on demand) the event."""

    __slots__ = ("position", "aggregate_id", "version", "topic", "notification", "_mapper",
                 "_event", "_data", "_plain", "_key", "_types")

    def __init__(self, position: int, aggregate_id: UUID, version: int, topic: str,
                 event: object = None, notification=None, mapper=None):
        self.position, self.aggregate_id, self.version, self.topic = (
            position, aggregate_id, version, topic)
        self.notification, self._mapper, self._event = notification, mapper, event
        self._data = self._plain = self._key = self._types = None

    @property
    def event(self) -> object:
        """The domain event, decoded the first time it is asked for."""
        if self._event is None and self._mapper is not None:
            self._event = self._mapper.to_domain_event(self.notification)
        return self._event

    @property
    def aggregate_type(self) -> str:
        if self._types is None:
            self._types = topic_types(self.topic)
        return self._types[0]

    @property
    def event_type(self) -> str:
        if self._types is None:
            self._types = topic_types(self.topic)
        return self._types[1]

    @property
    def key(self) -> str:
        """The aggregate id as text, as the read models store it."""
        if self._key is None:
            self._key = str(self.aggregate_id)
        return self._key

    @property
    def recorded_at(self) -> datetime:
        return self.event.timestamp

    @property
    def provenance(self) -> dict:
        return getattr(self.event, "provenance", {})

    @property
    def data(self) -> dict:
        """The payload (a new dict each time: callers may change it)."""
        if self._data is None:
            self._data = {k: v for k, v in vars(self.event).items() if k not in _ENVELOPE}
        return dict(self._data)

    @property
    def plain(self) -> dict:
        """The stored state (payload, recorded time, provenance) with JSON-ready values,
        as ``plain`` makes them, decoded straight from the stored JSON (``plain_state``)
        without building the domain event. Shared: callers must not change it."""
        if self._plain is None:
            if self.notification is None:
                self._plain = plain({k: v for k, v in vars(self.event).items()
                                     if k not in ("originator_id", "originator_version")})
            else:
                self._plain = plain_state(self.notification.state, self._mapper)
        return self._plain

    @property
    def plain_data(self) -> dict:
        """``data`` with JSON-ready values (a new dict each time)."""
        return {k: v for k, v in self.plain.items() if k not in _ENVELOPE}

    @property
    def recorded_stamp(self) -> str:
        """``stamp(recorded_at)``, from the stored text when it is already UTC."""
        text = self.plain["timestamp"]
        if len(text) == 32 and text.endswith("+00:00"):
            return text[:26] + "Z"
        return stamp(datetime.fromisoformat(text))

    def as_dict(self, plain_values: bool = True) -> dict:
        """The event as a record; its values made JSON-ready unless ``plain_values`` is
        False (for ``plain_json``, which does that as it encodes)."""
        if plain_values:
            return _record(self.position, self.key, self.version, self.topic, self.plain)
        record = {
            "position": self.position,
            "recorded_at": self.recorded_at,
            "aggregate": self.aggregate_type,
            "aggregate_id": self.aggregate_id,
            "version": self.version,
            "event": self.event_type,
            "provenance": self.provenance,
            "data": self.data,
        }
        return record


def _record(position: int, key: str, version: int, topic: str, state: dict) -> dict:
    """An event's record (see ``LoggedEvent.as_dict``) from its plain stored state."""
    aggregate, event = topic_types(topic)
    return {"position": position, "recorded_at": state["timestamp"], "aggregate": aggregate,
            "aggregate_id": key, "version": version, "event": event,
            "provenance": state.get("provenance", {}),
            "data": {k: v for k, v in state.items() if k not in _ENVELOPE}}


@lru_cache(maxsize=1024)
def topic_types(topic: str) -> tuple[str, str]:
    """(aggregate, event) of a topic, ``module:Aggregate.Event``."""
    return topic.split(":")[1].split(".")[0], topic.split(".")[-1]


def event_name(topic) -> str:
    """``Aggregate.Event`` of a stored topic, for messages; ``?`` when the stored topic is
    none (a row rewritten outside the registry)."""
    if isinstance(topic, str) and ":" in topic:
        return ".".join(topic_types(topic))
    return "?"


# The library's JSON transcoder writes a custom type as {"_type_": name, "_data_": data},
# compactly, in that key order. For these the plain value is the data itself (ISO dates
# and times, decimals as written); a UUID's plain value is its dashed form. A brace
# followed by a bare quote cannot occur inside a JSON string (quotes there are escaped).
_AS_WRITTEN = re.compile(
    r'\{"_type_":"(?:datetime_iso|date_iso|decimal_str)","_data_":("[^"\\]*")\}')
_UUID_HEX = re.compile(r'\{"_type_":"uuid_hex","_data_":"([0-9a-f]{32})"\}')


def plain_state(state: bytes, mapper=None) -> dict:
    """A stored event's state with JSON-ready values, equal to ``plain`` of what the
    library's mapper decodes: markers of the types above are replaced in the text, then
    the text is parsed once. Any other custom type goes through the mapper's transcoder."""
    text = bytes(state).decode("utf-8")
    if '"_type_"' in text:
        text = "".join(_AS_WRITTEN.split(text))  # each marker by its data, all in C
        if '"uuid_hex"' in text:
            text = _UUID_HEX.sub(lambda m: f'"{UUID(m.group(1))}"', text)
        if '"_type_"' in text:
            if mapper is None:
                raise ValueError("a stored state with a custom type needs the mapper")
            return plain(mapper.transcoder.decode(bytes(state)))
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # what orjson refuses and json reads (NaN, huge ints)
        return json.loads(text)


def read_events(app, after: int = 0, stop: int | None = None, page: int = PAGE,
                limit: int | None = None):
    """Stored events after position ``after`` (up to ``stop``, at most ``limit``), in order."""
    while True:
        size = page if limit is None else min(page, limit)
        notifications = app.recorder.select_notifications(
            start=after, limit=size, stop=stop, inclusive_of_start=False)
        for notification in notifications:
            yield LoggedEvent(position=notification.id,
                              aggregate_id=notification.originator_id,
                              version=notification.originator_version,
                              topic=notification.topic,
                              notification=notification, mapper=app.mapper)
        if limit is not None:
            limit -= len(notifications)
        if len(notifications) < size or limit == 0:
            return
        after = notifications[-1].id


# ``leave_out`` for a projection that reads every stored row of a range itself (the ledger).
EVERY_AGGREGATE = ("*",)


def read_range(app, store, after: int, size: int, leave_out: tuple[str, ...],
               only: tuple[str, ...] = ()):
    """The next ``size`` events of the log after position ``after``, for a projection that
    files the events of the aggregates ``leave_out`` by SQL over the stored rows, or
    applies only those of the aggregates ``only``: returns (the last position of the
    range, how many events it holds, the events to apply as ``LoggedEvent``s in order).
    Only their rows are read and decoded; none when ``leave_out`` is
    ``EVERY_AGGREGATE``."""
    table, position = store.events_table, store.events_position
    left_out, params = store.of_aggregates(leave_out)
    wanted, wanted_params = store.of_aggregates(only) if only else ("1 = 1", [])
    with store.reading() as cursor:
        last, count = range_end(cursor, store, after, size)
        if not count:
            return after, 0, []
        if leave_out == EVERY_AGGREGATE:
            return last, count, []
        rows = cursor.execute(
            f"SELECT {position} AS position, originator_id, originator_version, topic, state "
            f"FROM {table} WHERE {position} > ? AND {position} <= ? AND NOT ({left_out}) "
            f"AND ({wanted}) ORDER BY {position}",
            (after, last, *params, *wanted_params)).fetchall_raw()
        return last, count, [logged_row(r, app.mapper) for r in rows]


def range_end(cursor, store, after: int, size: int) -> tuple[int, int]:
    """(the position of the last of the next ``size`` events after ``after``, how many
    there are): the range the runner applies next (``after`` and 0 when there are none)."""
    table, position = store.events_table, store.events_position
    row = cursor.execute(
        f"SELECT COUNT(*) AS n, MAX(p) AS last FROM (SELECT {position} AS p FROM {table} "
        f"WHERE {position} > ? ORDER BY {position} LIMIT ?) AS page", (after, size)).fetchone()
    return (int(row["last"]), int(row["n"])) if row["n"] else (after, 0)


def logged_row(row, mapper) -> LoggedEvent:
    """A ``LoggedEvent`` from a stored row (position, originator_id, originator_version,
    topic, state) read from the events table."""
    originator = row["originator_id"]
    originator = originator if isinstance(originator, UUID) else UUID(originator)
    notification = Notification(id=int(row["position"]), originator_id=originator,
                                originator_version=int(row["originator_version"]),
                                topic=row["topic"], state=bytes(row["state"]))
    return LoggedEvent(position=notification.id, aggregate_id=originator,
                       version=notification.originator_version, topic=notification.topic,
                       notification=notification, mapper=mapper)


def _of_aggregate(store, aggregate_id: UUID) -> tuple[str, tuple]:
    """A condition on the events table selecting one aggregate's events by the log's own
    key, and its parameters."""
    if store.engine == "postgres":
        return "originator_id = ?", (aggregate_id,)
    # the library stores the id as 32 hex digits
    return "originator_id IN (?, ?)", (aggregate_id.hex, str(aggregate_id))


def creation_event(cursor, store, aggregate_id: UUID) -> LoggedEvent | None:
    """The first event (version 1) of an aggregate, read from the log by its own key."""
    where, params = _of_aggregate(store, aggregate_id)
    row = cursor.execute(
        f"SELECT {store.events_position} AS position, originator_id, originator_version, "
        f"topic, state FROM {store.events_table} WHERE {where} AND originator_version = 1",
        params).fetchone()
    return None if row is None else logged_row(row, store.mapper)


def aggregate_events(cursor, store, aggregate_id: UUID, before: int) -> list[LoggedEvent]:
    """An aggregate's events with versions below ``before``, in order, read from the log
    by its own key."""
    where, params = _of_aggregate(store, aggregate_id)
    rows = cursor.execute(
        f"SELECT {store.events_position} AS position, originator_id, originator_version, "
        f"topic, state FROM {store.events_table} WHERE {where} AND originator_version < ? "
        "ORDER BY originator_version", (*params, before)).fetchall_raw()
    return [logged_row(row, store.mapper) for row in rows]


def range_topics(cursor, store, names, after: int, last: int) -> list[dict]:
    """The position and topic of each event of the aggregates ``names`` after position
    ``after`` up to ``last``, in order."""
    position = store.events_position
    condition, params = store.of_aggregates(names)
    return cursor.execute(
        f"SELECT {position} AS position, topic FROM {store.events_table} WHERE "
        f"{position} > ? AND {position} <= ? AND ({condition}) ORDER BY {position}",
        (after, last, *params)).fetchall()


def stored_rows(cursor, store, positions) -> dict[int, dict]:
    """The stored rows (position, originator_id, originator_version, topic, state) of the
    events at ``positions``, read 500 per query from the store's events table; a position
    that holds no event is absent from the result."""
    found = {}
    positions = [int(p) for p in positions]
    for start in range(0, len(positions), 500):
        chunk = positions[start:start + 500]
        rows = cursor.execute(
            f"SELECT {store.events_position} AS position, originator_id, originator_version, "
            f"topic, state FROM {store.events_table} "
            f"WHERE {store.events_position} IN ({', '.join('?' * len(chunk))})",
            chunk).fetchall_raw()
        found.update((int(r["position"]), r) for r in rows)
    return found


def records_at(cursor, store, positions, unreadable: dict | None = None) -> dict[int, dict]:
    """The records (``LoggedEvent.as_dict``) of the events at ``positions`` (see
    ``stored_rows``), decoded straight from the stored rows. A row whose state cannot be
    read as an event's (not JSON, or without its recorded time: altered behind the
    registry's back, which the ledger's verification names) is left out, and put in
    ``unreadable`` if given: its position, with why and its stored bytes as text."""
    found = {}
    for position, row in stored_rows(cursor, store, positions).items():
        originator = row["originator_id"]
        try:
            key = str(originator if isinstance(originator, UUID) else UUID(originator))
            found[position] = _record(position, key, int(row["originator_version"]),
                                      row["topic"], plain_state(row["state"], store.mapper))
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
            if unreadable is not None:
                unreadable[position] = Unreadable(
                    f"{type(error).__name__}: {error}",
                    bytes(row["state"]).decode("utf-8", "replace"))
    return found


@dataclass(frozen=True)
class Unreadable:
    """A stored event whose state cannot be read as an event's: why, and its stored bytes
    as text (UTF-8; a byte that is not UTF-8 shown as U+FFFD)."""
    error: str
    stored: str


def plain_json(value) -> str:
    """``plain(value)`` as compact JSON with sorted keys, without building the plain copy
    first: the encoder turns dates, decimals and UUIDs into the same strings as it meets
    them (tuples become lists either way). Python's encoder takes what orjson refuses
    (integers beyond 64 bits). orjson would write a non-finite float as null; registry
    events hold no floats (measures are decimals, kept as text)."""
    try:
        return orjson.dumps(value, default=_plain_default, option=_ORJSON).decode()
    except TypeError:
        return _SORTED.encode(value)


def _plain_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_SORTED = json.JSONEncoder(sort_keys=True, default=_plain_default, separators=(",", ":"))
_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def plain(value):
    """A JSON-ready copy: dates as ISO strings, decimals and UUIDs as strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    return value
