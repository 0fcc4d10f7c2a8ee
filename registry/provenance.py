"""Provenance: who recorded a fact, through what channel, from what source, and why.

Every event carries a provenance dict. Recorded time is the event's own timestamp
(UTC, set when the event is created); the reporting period or effective date is a
separate field of the event itself.
"""

from dataclasses import dataclass, replace

from registry.errors import InvalidInput
from registry.vocabulary import CHANNELS, ROLES


@dataclass(frozen=True)
class Actor:
    user_id: str
    organisation: str
    role: str


@dataclass(frozen=True)
class Source:
    """An input file: its name, SHA-256 of its bytes, and the row a fact came from."""

    file: str
    sha256: str
    row: int | None = None


@dataclass(frozen=True)
class Provenance:
    actor: Actor
    channel: str
    source: Source | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        errors = {}
        if self.channel not in CHANNELS:
            errors["channel"] = [f"must be one of {', '.join(CHANNELS)}"]
        if self.actor.role not in ROLES:
            errors["actor.role"] = [f"must be one of {', '.join(ROLES)}"]
        if not self.actor.user_id:
            errors["actor.user_id"] = ["is required"]
        if errors:
            raise InvalidInput(errors)

    def at_row(self, row: int) -> "Provenance":
        assert self.source is not None, "only file imports have rows"
        source = self.source
        return Provenance(self.actor, self.channel, Source(source.file, source.sha256, row),
                          self.reason)

    def because(self, reason: str | None) -> "Provenance":
        return replace(self, reason=reason)

    def as_dict(self) -> dict:
        """As ``dataclasses.asdict`` gives it (same keys, same order), less the absent
        source and reason; spelt out, as it is built for every stored event."""
        actor = self.actor
        data = {"actor": {"user_id": actor.user_id, "organisation": actor.organisation,
                          "role": actor.role}, "channel": self.channel}
        if self.source is not None:
            source = self.source
            data["source"] = {"file": source.file, "sha256": source.sha256, "row": source.row}
        if self.reason is not None:
            data["reason"] = self.reason
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Provenance":
        source = data.get("source")
        return cls(
            actor=Actor(**data["actor"]),
            channel=data["channel"],
            source=Source(**source) if source else None,
            reason=data.get("reason"),
        )


def require_reason(provenance: Provenance, what: str) -> None:
    """Restatements, withdrawals and corrections must say why."""
    if not (provenance.reason or "").strip():
        raise InvalidInput({"reason": [f"a reason is required to {what}"]})
