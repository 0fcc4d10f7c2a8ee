"""Indicator: a versioned entry in the catalogue of measures.

A revision takes effect from a reporting period and is a recorded change in the
definition: SPC charts restart their limits there. A retired indicator accepts no
submissions for periods after its last period.
"""

from eventsourcing.domain import Aggregate, event

from registry.errors import RuleViolation
from registry.identity import indicator_id
from registry.periods import parse_period

REVISABLE = ("name", "subdomain", "service_lines", "unit", "multiplier", "polarity", "target")


class IndicatorError(RuleViolation):
    """A rule about the indicator catalogue was broken."""


class Indicator(Aggregate):
    @staticmethod
    def create_id(code: str):
        return indicator_id(code)

    @event("Defined")
    def __init__(
        self, code: str, name: str, domain: str, subdomain: str | None,
        service_lines: list[str], measure: str, unit: str, multiplier: int | None,
        polarity: str, frequency: str, target: str | None, provenance: dict,
    ):
        self.code = code
        self.name = name
        self.domain = domain
        self.subdomain = subdomain
        self.service_lines = list(service_lines)
        self.measure = measure
        self.unit = unit
        self.multiplier = multiplier
        self.polarity = polarity
        self.frequency = frequency
        self.target = target
        self.revisions: list[dict] = []
        self.retired = False
        self.last_period: str | None = None

    def accepts(self, period_label: str) -> bool:
        """Whether a submission for this period may still be recorded."""
        if not self.retired:
            return True
        if self.last_period is None:
            return False
        return parse_period(period_label) <= parse_period(self.last_period)

    def revise(self, changes: dict, effective_period: str, provenance: dict) -> None:
        self._require_not_retired("revised")
        unknown = set(changes) - set(REVISABLE)
        if unknown:
            raise IndicatorError(
                f"cannot revise {', '.join(sorted(unknown))}: define a new indicator instead",
                sorted(unknown)[0])
        real = {k: v for k, v in changes.items() if getattr(self, k) != v}
        if not real:
            raise IndicatorError("the revision changes nothing", "changes")
        if parse_period(effective_period).frequency != self.frequency:
            raise IndicatorError(
                f"effective period must be {self.frequency}", "effective_period")
        self._revised(changes=real, effective_period=effective_period, provenance=provenance)

    @event("Revised")
    def _revised(self, changes: dict, effective_period: str, provenance: dict) -> None:
        for name, value in changes.items():
            setattr(self, name, value)
        self.revisions.append({"effective_period": effective_period, "changes": dict(changes)})

    def correct(self, changes: dict, provenance: dict) -> None:
        """Correct catalogue details recorded wrongly; a new definition is a revision."""
        self._require_not_retired("corrected")
        real = {k: v for k, v in changes.items() if getattr(self, k) != v}
        fixed = set(real) - set(REVISABLE) - {"domain"}
        if fixed:
            raise IndicatorError(
                f"cannot change {', '.join(sorted(fixed))} of {self.code}: "
                "define a new indicator instead", sorted(fixed)[0])
        if not real:
            raise IndicatorError("the correction changes nothing")
        self._corrected(changes=real, provenance=provenance)

    @event("Corrected")
    def _corrected(self, changes: dict, provenance: dict) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    def retire(self, last_period: str | None, provenance: dict) -> None:
        self._require_not_retired("retired again")
        self._retired(last_period=last_period, provenance=provenance)

    @event("Retired")
    def _retired(self, last_period: str | None, provenance: dict) -> None:
        self.retired = True
        self.last_period = last_period

    def _require_not_retired(self, what: str) -> None:
        if self.retired:
            raise IndicatorError(f"indicator {self.code} is retired and cannot be {what}")
