"""The registry's service layer: one eventsourcing Application.

Command methods validate their input (marshmallow schemas), check the rules that
need stored state, and save every resulting event atomically; they return ids.
Query methods return plain dicts. Configuration comes from ``config.settings``.
"""

from contextlib import contextmanager
from datetime import date

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Transcoding

from registry.services.changes import Changes, KeptAggregates
from registry.services.contracts import ContractCommands
from registry.services.ft_applications import FTApplicationCommands
from registry.services.indicators import IndicatorCommands
from registry.services.organisations import OrganisationCommands
from registry.services.queries import Queries
from registry.services.submissions import SubmissionCommands
from registry.services.users import UserCommands


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class CollectedEvents(ProcessingEvent):
    """The library's ``ProcessingEvent``, which knows an ``Aggregate`` by its class.

    The library's own tells an aggregate from an event by two ``isinstance`` checks
    against runtime-checkable ``Protocol``s, which Python 3.11 answers by listing and
    looking up the protocol's every attribute: about a tenth of a bulk import, where
    each submission is an aggregate of one event. An ``Aggregate`` is collected here as
    the library collects it (its pending events, in order, and the aggregate by id);
    anything else goes to the library's checks, in the same order."""

    def collect_events(self, *objs, **kwargs) -> None:
        for obj in objs:
            if isinstance(obj, Aggregate):
                self.events.extend(obj.collect_events())
                self.aggregates[obj.id] = obj
            elif obj is not None:
                super().collect_events(obj)
        self.saved_kwargs.update(kwargs)


class Registry(
    OrganisationCommands,
    IndicatorCommands,
    SubmissionCommands,
    ContractCommands,
    FTApplicationCommands,
    UserCommands,
    Queries,
    Application,
):
    name = "Registry"

    def __init__(self, env=None):
        try:
            super().__init__(env)
        except BaseException:
            # A store that cannot be opened must not leave its connection pool behind.
            if getattr(self, "factory", None) is not None:
                self.factory.close()
            raise
        self.saved_hooks: list = []
        self.close_hooks: list = []
        self.kept_aggregates = KeptAggregates()

    def save(self, *objs, **kwargs):
        """Store events atomically, then run the hooks (e.g. inline projections).

        As the library's ``Application.save`` (eventsourcing 9.5), with the events
        collected by ``CollectedEvents``."""
        processing_event = CollectedEvents()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)
        for hook in self.saved_hooks:
            hook()
        return recordings

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def close(self) -> None:
        for hook in self.close_hooks:
            hook()
        self.close_hooks.clear()
        super().close()

    @contextmanager
    def changes(self, outer: Changes | None = None):
        """Collect changes and save them at the end, or join an outer set of changes."""
        if outer is not None:
            yield outer
            return
        changes = Changes(self)
        yield changes
        changes.save()

    def changes_for_reading(self) -> Changes:
        return Changes(self)
