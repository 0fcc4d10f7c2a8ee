"""Reading the application's notification log as plain, JSON-ready event records.

Every read model and the history queries start here: events in log order, each
with its position, aggregate, type, recorded time, provenance and payload.
"""

import json
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

PAGE = 1000
_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic",
             "provenance"}


class LoggedEvent:
    """One stored event: its place in the log, its stored form and (decoded on demand) the event."""

    __slots__ = ("position", "aggregate_id", "version", "topic", "notification", "_mapper",
                 "_event", "_data")

    def __init__(self, position: int, aggregate_id: UUID, version: int, topic: str,
                 event: object = None, notification=None, mapper=None):
        self.position, self.aggregate_id, self.version, self.topic = (
            position, aggregate_id, version, topic)
        self.notification, self._mapper, self._event = notification, mapper, event
        self._data = None

    @property
    def event(self) -> object:
        """The domain event, decoded the first time it is asked for."""
        if self._event is None and self._mapper is not None:
            self._event = self._mapper.to_domain_event(self.notification)
        return self._event

    @property
    def aggregate_type(self) -> str:
        return self.topic.split(":")[1].split(".")[0]

    @property
    def event_type(self) -> str:
        return self.topic.split(".")[-1]

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

    def as_dict(self, plain_values: bool = True) -> dict:
        """The event as a record; its values made JSON-ready unless ``plain_values`` is
        False (for ``plain_json``, which does that as it encodes)."""
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
        return plain(record) if plain_values else record


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


def plain_json(value) -> str:
    """``json.dumps(plain(value), sort_keys=True)``, without building the plain copy first:
    the encoder turns dates, decimals and UUIDs into the same strings as it meets them
    (tuples become lists either way; stored events' keys are strings already)."""
    return _SORTED.encode(value)


def _plain_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_SORTED = json.JSONEncoder(sort_keys=True, default=_plain_default)


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
