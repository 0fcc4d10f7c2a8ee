"""A set of aggregates touched by one command or one import file, saved atomically.

Commands load aggregates through ``Changes`` so that several commands (the rows of
an import) see each other's effects before anything is stored, and so that all
their events go to the event store in one ``save()``: all or nothing.
"""

import copy
import threading
from collections import OrderedDict
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, project_aggregate
from eventsourcing.persistence import IntegrityError

from registry.errors import Conflict


class Changes:
    def __init__(self, app):
        self.app = app
        self.aggregates: dict[UUID, object] = {}

    def get(self, aggregate_id: UUID):
        """The aggregate as changed so far, or None if it does not exist."""
        if aggregate_id not in self.aggregates:
            try:
                self.aggregates[aggregate_id] = self.app.repository.get(aggregate_id)
            except AggregateNotFoundError:
                self.aggregates[aggregate_id] = None
        return self.aggregates[aggregate_id]

    def prefetch_absent(self, ids) -> None:
        """Learn in one query which of ``ids`` have never been stored, so that ``get`` need
        not ask the store for each (a bulk import creates thousands of new aggregates).
        Ids found stored are still loaded lazily by ``get``."""
        lookup = getattr(self.app.recorder, "existing_originators", None)
        wanted = [i for i in dict.fromkeys(ids) if i not in self.aggregates]
        if lookup is None or not wanted:
            return
        stored = lookup(wanted)
        for aggregate_id in wanted:
            if aggregate_id not in stored:
                self.aggregates[aggregate_id] = None

    def prefetch_stored(self, ids) -> None:
        """Load the stored aggregates among ``ids`` in one query per 500 (an import file
        refers to hundreds of providers and indicators; ``get`` would ask the store for
        each). Ids with nothing stored are left to ``get``. The same events, in the same
        order, as ``repository.get`` reads: the same aggregate. Those the application
        keeps at their latest version (``KeptAggregates``) are not read again."""
        recorder = self.app.recorder
        wanted = [i for i in dict.fromkeys(ids) if i not in self.aggregates]
        if not hasattr(recorder, "stored_events_of") or not wanted:
            return
        kept = getattr(self.app, "kept_aggregates", None) or KeptAggregates()
        self.aggregates.update(kept.latest(recorder, self.app.mapper, wanted))

    def add(self, aggregate) -> None:
        self.aggregates[aggregate.id] = aggregate

    @property
    def pending(self) -> list:
        return [a for a in self.aggregates.values() if a is not None and a.pending_events]

    def event_count(self) -> int:
        return sum(len(a.pending_events) for a in self.pending)

    def save(self) -> int:
        """Store every pending event in one transaction; returns how many."""
        pending = self.pending
        count = sum(len(a.pending_events) for a in pending)
        if not pending:
            return 0
        try:
            self.app.save(*pending)
        except IntegrityError as error:
            raise Conflict(
                "another change to the same record was stored first; "
                "reload and try again") from error
        return count


class KeptAggregates:
    """Aggregates that command after command reads (the providers and indicators that every
    file of a bulk import names), kept by the application at the version they were read.

    Stored events never change and an aggregate's versions have no gaps, so an aggregate
    kept at the version that is still its latest is the aggregate ``repository.get``
    would give: the store is asked for the latest versions (one small query) and for the
    events only of aggregates that moved on or were not kept. Loading, decoding and
    replaying the same providers and indicators for every file was about a sixth of a
    bulk import. Each command gets its own copy, with its own pending events and its own
    lists, dicts and sets, so that what one command does to an aggregate is not seen by
    the next unless it is stored. At most ``limit`` aggregates, the least recently read
    dropped first."""

    def __init__(self, limit: int = 5_000):
        self.limit = limit
        self._kept: OrderedDict[UUID, object] = OrderedDict()
        self._lock = threading.Lock()

    def latest(self, recorder, mapper, ids) -> dict[UUID, object]:
        """A copy of each of ``ids`` that has stored events, at its latest version. Only
        the ids kept are asked for their latest version; the others are loaded."""
        with self._lock:
            kept = {i: self._kept[i] for i in ids if i in self._kept}
        latest = recorder.versions_of(list(kept)) if kept else {}
        found = {i: aggregate for i, aggregate in kept.items()
                 if aggregate.version == latest.get(i)}
        loaded = {aggregate_id: project_aggregate(
                      None, [mapper.to_domain_event(event) for event in stored])
                  for aggregate_id, stored in recorder.stored_events_of(
                      [i for i in ids if i not in found]).items()}
        latest_read = {**found, **loaded}
        with self._lock:
            for aggregate_id, aggregate in latest_read.items():
                self._kept[aggregate_id] = aggregate
                self._kept.move_to_end(aggregate_id)  # read last: dropped last
            while len(self._kept) > self.limit:
                self._kept.popitem(last=False)
        return {aggregate_id: _own_copy(aggregate)
                for aggregate_id, aggregate in latest_read.items()}


_SCALARS = (str, int, float, bool, type(None))


def _own_copy(aggregate):
    """The aggregate with its own containers: copied one level deep when they hold only
    plain values (a list of service lines), entirely when they hold more."""
    copied = copy.copy(aggregate)
    for name, value in vars(copied).items():
        if isinstance(value, (list, set)) and all(isinstance(v, _SCALARS) for v in value):
            setattr(copied, name, type(value)(value))
        elif isinstance(value, (list, dict, set)):
            setattr(copied, name, copy.deepcopy(value))
    return copied


def expect_version(aggregate, expected: int | None) -> None:
    """Optimistic concurrency for people: refuse if the record moved on since they read it."""
    if expected is not None and aggregate.version != expected:
        raise Conflict(f"this record was changed by someone else since you opened it "
                       f"(you saw version {expected}, it is now version {aggregate.version}); "
                       "reload it and try again", "expected_version")
