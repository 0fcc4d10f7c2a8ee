"""The registry's service layer: one eventsourcing Application.

Command methods validate their input (marshmallow schemas), check the rules that
need stored state, and save every resulting event atomically; they return ids.
Query methods return plain dicts. Configuration comes from ``config.settings``.
"""

from contextlib import contextmanager
from datetime import date

from eventsourcing.application import Application
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
        """Store events atomically, then run the hooks (e.g. inline projections)."""
        recordings = super().save(*objs, **kwargs)
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
