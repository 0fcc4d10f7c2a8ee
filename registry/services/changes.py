"""A set of aggregates touched by one command or one import file, saved atomically.

Commands load aggregates through ``Changes`` so that several commands (the rows of
an import) see each other's effects before anything is stored, and so that all
their events go to the event store in one ``save()``: all or nothing.
"""

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
        refers to a hundred organisations; ``get`` would ask the store for each). Ids with
        nothing stored are left to ``get``. The same events, in the same order, as
        ``repository.get`` reads: the same aggregate."""
        load = getattr(self.app.recorder, "stored_events_of", None)
        wanted = [i for i in dict.fromkeys(ids) if i not in self.aggregates]
        if load is None or not wanted:
            return
        to_event = self.app.mapper.to_domain_event
        for aggregate_id, stored in load(wanted).items():
            self.aggregates[aggregate_id] = project_aggregate(
                None, [to_event(event) for event in stored])

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


def expect_version(aggregate, expected: int | None) -> None:
    """Optimistic concurrency for people: refuse if the record moved on since they read it."""
    if expected is not None and aggregate.version != expected:
        raise Conflict(f"this record was changed by someone else since you opened it "
                       f"(you saw version {expected}, it is now version {aggregate.version}); "
                       "reload it and try again", "expected_version")
