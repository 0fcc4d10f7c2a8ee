"""Notice: something the passage of time brought to light, recorded by the registry itself.

Three kinds: a provider's expected submission is overdue; a contract ends within 12, 6
or 3 months; an FT milestone's target date passed without it being achieved. The
scheduler's jobs (``registry.jobs``) raise a notice when its condition first holds,
withdraw it when the condition no longer holds (the submission arrived, the contract
ended or was extended, the milestone was achieved or moved) and reopen it if the
condition holds again (the submission was withdrawn, the application resumed).

One aggregate per subject, its id derived from the subject (``Subject.id``): a job run
twice, or two processes racing, cannot record one notice twice, because the second
``Raised`` collides with the first on the aggregate's version.
"""

from dataclasses import asdict, dataclass
from datetime import date

from eventsourcing.domain import Aggregate, event

from registry.errors import RuleViolation
from registry.identity import notice_id

OVERDUE_SUBMISSION, CONTRACT_EXPIRY, MILESTONE_SLIPPED = (
    "overdue_submission", "contract_expiry", "milestone_slipped")
KINDS = (OVERDUE_SUBMISSION, CONTRACT_EXPIRY, MILESTONE_SLIPPED)
OPEN, WITHDRAWN = "open", "withdrawn"
# The fields that identify a notice's subject, beyond whom it is for and when it fell due.
REQUIRED = {OVERDUE_SUBMISSION: ("indicator", "service_line", "period"),
            CONTRACT_EXPIRY: ("contract", "months_before"),
            MILESTONE_SLIPPED: ("attempt", "milestone")}


class NoticeError(RuleViolation):
    """A rule about notices was broken."""


@dataclass(frozen=True)
class Subject:
    """What a notice is about. ``organisation`` is whom it is for (the provider, or for a
    contract's expiry its commissioner); ``provider`` the provider concerned; ``due`` the
    day it fell due (submission deadline, contract end, milestone target)."""

    kind: str
    organisation: str
    provider: str
    due: date
    indicator: str | None = None
    service_line: str | None = None
    period: str | None = None
    contract: str | None = None
    months_before: int | None = None
    attempt: int | None = None
    milestone: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"notice kind must be one of {', '.join(KINDS)}")
        missing = [f for f in REQUIRED[self.kind] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} notice needs {', '.join(missing)}")

    @property
    def key(self) -> tuple[str, ...]:
        if self.kind == OVERDUE_SUBMISSION:
            return self.provider, self.indicator, self.service_line, self.period
        if self.kind == CONTRACT_EXPIRY:
            return self.contract, self.due.isoformat(), str(self.months_before)
        return self.provider, str(self.attempt), self.milestone, self.due.isoformat()

    @property
    def id(self):
        return notice_id(self.kind, *self.key)

    def describe(self) -> str:
        """One line for people: what is due, from whom, by when."""
        if self.kind == OVERDUE_SUBMISSION:
            return (f"{self.provider} has not submitted {self.indicator} "
                    f"({self.service_line}) for {self.period}, due by {self.due}")
        if self.kind == CONTRACT_EXPIRY:
            return (f"contract {self.contract} ({self.organisation} with {self.provider}) "
                    f"ends on {self.due}, within {self.months_before} months")
        return (f"{self.provider}'s FT milestone {self.milestone} (application "
                f"{self.attempt}) was due on {self.due} and is not achieved")


class Notice(Aggregate):
    @staticmethod
    def create_id(kind: str, organisation: str, provider: str, due: date,
                  indicator: str | None, service_line: str | None, period: str | None,
                  contract: str | None, months_before: int | None, attempt: int | None,
                  milestone: str | None):
        return Subject(kind, organisation, provider, due, indicator, service_line, period,
                       contract, months_before, attempt, milestone).id

    @classmethod
    def raise_for(cls, subject: Subject, noticed_on: date, provenance: dict) -> "Notice":
        return cls(**asdict(subject), noticed_on=noticed_on, provenance=provenance)

    @event("Raised")
    def __init__(
        self, kind: str, organisation: str, provider: str, due: date, indicator: str | None,
        service_line: str | None, period: str | None, contract: str | None,
        months_before: int | None, attempt: int | None, milestone: str | None,
        noticed_on: date, provenance: dict,
    ):
        self.subject = Subject(kind, organisation, provider, due, indicator, service_line,
                               period, contract, months_before, attempt, milestone)
        self.status = OPEN

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def withdraw(self, because: str, noticed_on: date, provenance: dict) -> None:
        if not self.is_open:
            raise NoticeError(f"the notice that {self.subject.describe()} is already withdrawn")
        self._withdrawn(because=because, noticed_on=noticed_on, provenance=provenance)

    @event("Withdrawn")
    def _withdrawn(self, because: str, noticed_on: date, provenance: dict) -> None:
        self.status = WITHDRAWN

    def reopen(self, noticed_on: date, provenance: dict) -> None:
        if self.is_open:
            raise NoticeError(f"the notice that {self.subject.describe()} is already open")
        self._reopened(noticed_on=noticed_on, provenance=provenance)

    @event("Reopened")
    def _reopened(self, noticed_on: date, provenance: dict) -> None:
        self.status = OPEN
