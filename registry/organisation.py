"""Organisation: a provider, commissioner or regulator, keyed by its ODS code.

Lineage is part of the record: a merger closes the predecessor and names its
successor; a transfer of services names the receiving provider. Both concern the
two organisations, and histories follow them.
"""

from datetime import date

from eventsourcing.domain import Aggregate, event

from registry.errors import RuleViolation
from registry.identity import organisation_id
from registry.vocabulary import COMMISSIONER_KINDS, PROVIDER_KINDS

CORRECTABLE = ("name", "kind", "region", "opened")


class OrganisationError(RuleViolation):
    """A rule about organisations was broken."""


class Organisation(Aggregate):
    @staticmethod
    def create_id(code: str):
        return organisation_id(code)

    @event("Registered")
    def __init__(
        self, code: str, name: str, kind: str, region: str | None,
        opened: date | None, provenance: dict,
    ):
        self.code = code
        self.name = name
        self.kind = kind
        self.region = region
        self.opened = opened
        self.closed: date | None = None
        self.system: str | None = None
        self.merged_into: str | None = None
        self.transfers: list[dict] = []

    @property
    def is_provider(self) -> bool:
        return self.kind in PROVIDER_KINDS

    @property
    def is_commissioner(self) -> bool:
        return self.kind in COMMISSIONER_KINDS

    def is_open_during(self, start: date, end: date) -> bool:
        """True if the organisation existed at some point between start and end."""
        opened_in_time = self.opened is None or self.opened <= end
        return opened_in_time and (self.closed is None or start < self.closed)

    def rename(self, name: str, effective: date, provenance: dict) -> None:
        self._require_open("renamed")
        if name == self.name:
            raise OrganisationError(f"{self.code} is already named '{name}'", "name")
        self._renamed(name=name, effective=effective, provenance=provenance)

    @event("Renamed")
    def _renamed(self, name: str, effective: date, provenance: dict) -> None:
        self.name = name

    def change_kind(self, kind: str, effective: date, provenance: dict) -> None:
        self._require_open("changed")
        if kind == self.kind:
            raise OrganisationError(f"{self.code} is already of kind '{kind}'", "kind")
        self._type_changed(kind=kind, previous_kind=self.kind, effective=effective,
                           provenance=provenance)

    @event("TypeChanged")
    def _type_changed(self, kind: str, previous_kind: str, effective: date,
                      provenance: dict) -> None:
        self.kind = kind

    def join_system(self, system: str, effective: date, provenance: dict) -> None:
        self._require_open("moved into a system")
        if system == self.system:
            raise OrganisationError(f"{self.code} is already in system {system}", "system")
        self._joined_system(system=system, effective=effective, provenance=provenance)

    @event("JoinedSystem")
    def _joined_system(self, system: str, effective: date, provenance: dict) -> None:
        self.system = system

    def merge_into(self, successor: "Organisation", effective: date, provenance: dict) -> None:
        self._require_open("merged")
        if successor.code == self.code:
            raise OrganisationError("an organisation cannot merge into itself", "successor")
        if successor.closed is not None:
            raise OrganisationError(
                f"successor {successor.code} closed on {successor.closed}", "successor")
        self._require_not_before_opening(effective)
        self._merged(successor=successor.code, effective=effective, provenance=provenance)

    @event("Merged")
    def _merged(self, successor: str, effective: date, provenance: dict) -> None:
        self.merged_into = successor
        self.closed = effective

    def transfer_services(self, recipient: "Organisation", service_lines: list[str],
                          effective: date, provenance: dict) -> None:
        self._require_open("transfer services from")
        if recipient.code == self.code:
            raise OrganisationError("services cannot be transferred to the same provider",
                                    "recipient")
        if not recipient.is_provider or recipient.closed is not None:
            raise OrganisationError(
                f"{recipient.code} is not an open provider and cannot receive services",
                "recipient")
        self._services_transferred(recipient=recipient.code, service_lines=service_lines,
                                   effective=effective, provenance=provenance)

    @event("ServicesTransferred")
    def _services_transferred(self, recipient: str, service_lines: list[str],
                              effective: date, provenance: dict) -> None:
        self.transfers.append(
            {"recipient": recipient, "service_lines": list(service_lines),
             "effective": effective})

    def correct(self, changes: dict, provenance: dict) -> None:
        """Correct registration details that were recorded wrongly (not a real change)."""
        real = {k: v for k, v in changes.items() if getattr(self, k) != v}
        unknown = set(real) - set(CORRECTABLE)
        if unknown:
            raise OrganisationError(f"cannot correct {', '.join(sorted(unknown))}",
                                    sorted(unknown)[0])
        if not real:
            raise OrganisationError("the correction changes nothing")
        self._corrected(changes=real, provenance=provenance)

    @event("Corrected")
    def _corrected(self, changes: dict, provenance: dict) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    def close(self, effective: date, provenance: dict) -> None:
        self._require_open("closed")
        self._require_not_before_opening(effective)
        self._closed(effective=effective, provenance=provenance)

    @event("Closed")
    def _closed(self, effective: date, provenance: dict) -> None:
        self.closed = effective

    def _require_open(self, what: str) -> None:
        if self.closed is not None:
            raise OrganisationError(
                f"{self.code} closed on {self.closed} and cannot be {what}")

    def _require_not_before_opening(self, effective: date) -> None:
        if self.opened is not None and effective < self.opened:
            raise OrganisationError(
                f"{effective} is before {self.code} opened on {self.opened}", "effective")
