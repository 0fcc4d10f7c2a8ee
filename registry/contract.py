"""Contract: a commissioner's award of community services to a provider.

Its life is a sequence of events (award, variations, extensions, novation,
termination, renewal review and decision); nothing is edited in place, so a
commissioner can see every variation when the contract comes up for renewal.
"""

from datetime import date
from decimal import Decimal

from eventsourcing.domain import Aggregate, event

from registry.errors import RuleViolation
from registry.identity import contract_id

VARIABLE = ("service_lines", "annual_value", "total_value")


class ContractError(RuleViolation):
    """A rule about contracts was broken."""


class Contract(Aggregate):
    @staticmethod
    def create_id(reference: str):
        return contract_id(reference)

    @event("Awarded")
    def __init__(
        self, reference: str, commissioner: str, provider: str, service_lines: list[str],
        annual_value: Decimal, total_value: Decimal, start: date, end: date, route: str,
        provenance: dict,
    ):
        self.reference = reference
        self.commissioner = commissioner
        self.provider = provider
        self.service_lines = list(service_lines)
        self.annual_value = annual_value
        self.total_value = total_value
        self.start = start
        self.end = end
        self.route = route
        self.terminated: date | None = None
        self.review_open = False
        self.renewal_decision: str | None = None

    @staticmethod
    def check_term(start: date, end: date) -> None:
        if end <= start:
            raise ContractError(f"the contract ends ({end}) before it starts ({start})", "end")

    def vary(self, changes: dict, effective: date, provenance: dict) -> None:
        self._require_live("varied")
        unknown = set(changes) - set(VARIABLE)
        if unknown:
            raise ContractError(f"cannot vary {', '.join(sorted(unknown))}", sorted(unknown)[0])
        real = {k: v for k, v in changes.items() if getattr(self, k) != v}
        if not real:
            raise ContractError("the variation changes nothing", "changes")
        self._require_within_term(effective)
        self._varied(changes=real, effective=effective, provenance=provenance)

    @event("Varied")
    def _varied(self, changes: dict, effective: date, provenance: dict) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    def extend(self, new_end: date, additional_value: Decimal, provenance: dict) -> None:
        self._require_live("extended")
        if new_end <= self.end:
            raise ContractError(
                f"the new end {new_end} is not after the current end {self.end}", "new_end")
        self._extended(new_end=new_end, previous_end=self.end,
                       additional_value=additional_value, provenance=provenance)

    @event("Extended")
    def _extended(self, new_end: date, previous_end: date, additional_value: Decimal,
                  provenance: dict) -> None:
        self.end = new_end
        self.total_value += additional_value

    def novate(self, new_provider: str, effective: date, provenance: dict) -> None:
        self._require_live("novated")
        if new_provider == self.provider:
            raise ContractError(f"{new_provider} already holds the contract", "new_provider")
        self._require_within_term(effective)
        self._novated(new_provider=new_provider, previous_provider=self.provider,
                      effective=effective, provenance=provenance)

    @event("Novated")
    def _novated(self, new_provider: str, previous_provider: str, effective: date,
                 provenance: dict) -> None:
        self.provider = new_provider

    def terminate(self, effective: date, provenance: dict) -> None:
        self._require_live("terminated")
        self._require_within_term(effective)
        self._terminated(effective=effective, provenance=provenance)

    @event("Terminated")
    def _terminated(self, effective: date, provenance: dict) -> None:
        self.terminated = effective

    def open_renewal_review(self, due_by: date | None, provenance: dict) -> None:
        self._require_live("reviewed")
        if self.review_open:
            raise ContractError(f"a renewal review of {self.reference} is already open")
        self._renewal_review_opened(due_by=due_by, provenance=provenance)

    @event("RenewalReviewOpened")
    def _renewal_review_opened(self, due_by: date | None, provenance: dict) -> None:
        self.review_open = True

    def decide_renewal(self, decision: str, provenance: dict) -> None:
        if not self.review_open:
            raise ContractError(
                f"open a renewal review of {self.reference} before deciding", "decision")
        self._renewal_decided(decision=decision, provenance=provenance)

    @event("RenewalDecided")
    def _renewal_decided(self, decision: str, provenance: dict) -> None:
        self.review_open = False
        self.renewal_decision = decision

    def _require_live(self, what: str) -> None:
        if self.terminated is not None:
            raise ContractError(
                f"contract {self.reference} was terminated on {self.terminated} "
                f"and cannot be {what}")

    def _require_within_term(self, effective: date) -> None:
        if not self.start <= effective <= self.end:
            raise ContractError(
                f"{effective} is outside the contract term {self.start} to {self.end}",
                "effective")
