"""FTApplication: an aspirant trust's route to foundation-trust status.

A state machine over the milestones of its pipeline (``registry.pipelines``):
milestones are scheduled with target dates, slip with a reason, and are achieved
strictly in order, once each. A decision to authorise needs the assessment passed;
authorisation, rejection and withdrawal end the application, a deferral pauses it.
"""

from datetime import date

from eventsourcing.domain import Aggregate, event

from registry.errors import RuleViolation
from registry.identity import ft_application_id
from registry.pipelines import PIPELINES

OPEN, DEFERRED, AUTHORISED, REJECTED, WITHDRAWN = (
    "open", "deferred", "authorised", "rejected", "withdrawn")
CLOSED_STATUSES = (AUTHORISED, REJECTED, WITHDRAWN)


class FTApplicationError(RuleViolation):
    """A rule about foundation-trust applications was broken."""


class FTApplication(Aggregate):
    @staticmethod
    def create_id(provider: str, attempt: int):
        return ft_application_id(provider, attempt)

    @event("Started")
    def __init__(self, provider: str, attempt: int, pipeline: str, provenance: dict):
        self.provider = provider
        self.attempt = attempt
        self.pipeline = pipeline
        self.status = OPEN
        self.milestones: dict[str, dict] = {}

    @property
    def definition(self):
        return PIPELINES[self.pipeline]

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def is_achieved(self, milestone: str) -> bool:
        return self.milestones.get(milestone, {}).get("achieved") is not None

    def schedule(self, milestone: str, target_date: date, evidence: str | None,
                 provenance: dict) -> None:
        self._require_open()
        self._require_known(milestone)
        if milestone in self.milestones:
            raise FTApplicationError(
                f"{milestone} is already scheduled; record a slip to move its target",
                "milestone")
        self._milestone_scheduled(milestone=milestone, target_date=target_date,
                                  evidence=evidence, provenance=provenance)

    @event("MilestoneScheduled")
    def _milestone_scheduled(self, milestone: str, target_date: date, evidence: str | None,
                             provenance: dict) -> None:
        self.milestones[milestone] = {"target": target_date, "achieved": None, "slips": 0}

    def slip(self, milestone: str, new_target: date, provenance: dict) -> None:
        self._require_open()
        current = self.milestones.get(milestone)
        if current is None:
            raise FTApplicationError(f"{milestone} has not been scheduled", "milestone")
        if current["achieved"] is not None:
            raise FTApplicationError(f"{milestone} was already achieved", "milestone")
        if current["target"] == new_target:
            raise FTApplicationError(f"{milestone} is already due on {new_target}",
                                     "target_date")
        self._milestone_slipped(milestone=milestone, new_target=new_target,
                                previous_target=current["target"], provenance=provenance)

    @event("MilestoneSlipped")
    def _milestone_slipped(self, milestone: str, new_target: date, previous_target: date,
                           provenance: dict) -> None:
        self.milestones[milestone]["target"] = new_target
        self.milestones[milestone]["slips"] += 1

    def achieve(self, milestone: str, achieved_on: date, evidence: str | None,
                provenance: dict) -> None:
        self._require_open()
        self._require_known(milestone)
        if self.is_achieved(milestone):
            raise FTApplicationError(
                f"{milestone} was already achieved on {self.milestones[milestone]['achieved']}",
                "milestone")
        codes = self.definition.codes
        for earlier in codes[: codes.index(milestone)]:
            if not self.is_achieved(earlier):
                raise FTApplicationError(
                    f"{milestone} cannot be achieved before {earlier}", "milestone")
            if self.milestones[earlier]["achieved"] > achieved_on:
                raise FTApplicationError(
                    f"{milestone} cannot be achieved on {achieved_on}, before {earlier} "
                    f"({self.milestones[earlier]['achieved']})", "achieved_date")
        self._milestone_achieved(milestone=milestone, achieved_on=achieved_on,
                                 evidence=evidence, provenance=provenance)

    @event("MilestoneAchieved")
    def _milestone_achieved(self, milestone: str, achieved_on: date, evidence: str | None,
                            provenance: dict) -> None:
        entry = self.milestones.setdefault(
            milestone, {"target": None, "achieved": None, "slips": 0})
        entry["achieved"] = achieved_on

    def defer(self, until: date | None, provenance: dict) -> None:
        self._require_open()
        self._require_assessment_started("deferred")
        self._deferred(until=until, provenance=provenance)

    @event("Deferred")
    def _deferred(self, until: date | None, provenance: dict) -> None:
        self.status = DEFERRED

    def resume(self, provenance: dict) -> None:
        if self.status != DEFERRED:
            raise FTApplicationError("only a deferred application can be resumed")
        self._resumed(provenance=provenance)

    @event("Resumed")
    def _resumed(self, provenance: dict) -> None:
        self.status = OPEN

    def authorise(self, effective: date, provenance: dict) -> None:
        self._require_decidable("authorised")
        if not self.is_achieved(self.definition.assessment):
            raise FTApplicationError(
                f"the application has not passed its assessment "
                f"({self.definition.assessment}) and cannot be authorised")
        self._authorised(effective=effective, provenance=provenance)

    @event("Authorised")
    def _authorised(self, effective: date, provenance: dict) -> None:
        self.status = AUTHORISED

    def reject(self, provenance: dict) -> None:
        self._require_decidable("rejected")
        self._require_assessment_started("rejected")
        self._rejected(provenance=provenance)

    @event("Rejected")
    def _rejected(self, provenance: dict) -> None:
        self.status = REJECTED

    def withdraw(self, provenance: dict) -> None:
        if self.is_closed:
            raise FTApplicationError(f"the application is already {self.status}")
        self._withdrawn(provenance=provenance)

    @event("Withdrawn")
    def _withdrawn(self, provenance: dict) -> None:
        self.status = WITHDRAWN

    def _require_open(self) -> None:
        if self.status != OPEN:
            raise FTApplicationError(
                f"the application of {self.provider} is {self.status}; "
                + ("resume it first" if self.status == DEFERRED else "start a new one"))

    def _require_decidable(self, what: str) -> None:
        if self.is_closed:
            raise FTApplicationError(
                f"the application is already {self.status} and cannot be {what}")

    def _require_known(self, milestone: str) -> None:
        if milestone not in self.definition.codes:
            raise FTApplicationError(
                f"'{milestone}' is not a milestone of the {self.pipeline} pipeline "
                f"(one of {', '.join(self.definition.codes)})", "milestone")

    def _require_assessment_started(self, what: str) -> None:
        submission_step = self.definition.codes[-2]
        if not self.is_achieved(submission_step):
            raise FTApplicationError(
                f"the application cannot be {what} before {submission_step} is achieved")
