"""Commands on FT applications: milestones, slips and the regulator's decision.

Each provider has at most one live application; a new one (the next attempt) can
start only after the previous one was authorised, rejected or withdrawn.
Authorisation also turns the trust into a foundation trust, atomically.
"""

from registry.commands import ft_applications as cmd
from registry.commands import load
from registry.errors import NotFound, RuleViolation
from registry.ft_application import FTApplication
from registry.identity import ft_application_id
from registry.provenance import Provenance, require_reason
from registry.services.permissions import authorise


class FTApplicationCommands:
    def start_application(self, data: dict, provenance: Provenance):
        data = load(cmd.StartApplication, data)
        authorise(provenance, "manage_milestones", data["provider"])
        with self.changes() as changes:
            return self._start_application(changes, data["provider"], data["pipeline"],
                                           provenance).id

    def schedule_milestone(self, data: dict, provenance: Provenance):
        data = load(cmd.ScheduleMilestone, data)
        return self._on_application(data, provenance, lambda a, p: a.schedule(
            data["milestone"], data["target_date"], data.get("evidence"), p), start=True)

    def achieve_milestone(self, data: dict, provenance: Provenance):
        data = load(cmd.AchieveMilestone, data)
        return self._on_application(data, provenance, lambda a, p: a.achieve(
            data["milestone"], data["achieved_on"], data.get("evidence"), p), start=True)

    def slip_milestone(self, data: dict, provenance: Provenance):
        data = load(cmd.SlipMilestone, data)
        require_reason(provenance, "slip a milestone")
        return self._on_application(data, provenance, lambda a, p: a.slip(
            data["milestone"], data["new_target"], p))

    def decide_application(self, data: dict, provenance: Provenance):
        data = load(cmd.DecideApplication, data)
        decision = data["decision"]
        if decision != "authorised":
            require_reason(provenance, f"record the application as {decision}")
        authorise(provenance, "decide_application")
        with self.changes() as changes:
            application = self._current_application(changes, data["provider"])
            p = provenance.as_dict()
            if decision == "authorised":
                provider = self._organisation(changes, data["provider"], "provider")
                application.authorise(data["effective"], p)
                if provider.kind != "foundation_trust":
                    provider.change_kind("foundation_trust", data["effective"], p)
            elif decision == "deferred":
                application.defer(data.get("until"), p)
            elif decision == "rejected":
                application.reject(p)
            elif decision == "resumed":
                application.resume(p)
            else:
                application.withdraw(p)
            return application.id

    def _on_application(self, data, provenance, change, start=False, changes=None):
        authorise(provenance, "manage_milestones", data["provider"])
        with self.changes(changes) as changes:
            application = self._current_application(changes, data["provider"], start,
                                                    provenance)
            change(application, provenance.as_dict())
            return application.id

    def _current_application(self, changes, provider: str, start=False,
                             provenance=None) -> FTApplication:
        """The provider's latest application; with ``start``, a new one if none is live."""
        latest = self._latest_application(changes, provider)
        if latest is not None and not (start and latest.is_closed):
            return latest
        if start:
            return self._start_application(changes, provider, "ft2011", provenance)
        raise NotFound(f"{provider} has no foundation-trust application", "provider")

    def _latest_application(self, changes, provider: str) -> FTApplication | None:
        attempt, latest = 1, None
        while (found := changes.get(ft_application_id(provider, attempt))) is not None:
            latest, attempt = found, attempt + 1
        return latest

    def _start_application(self, changes, provider: str, pipeline: str,
                           provenance: Provenance) -> FTApplication:
        org = self._organisation(changes, provider, "provider")
        if org.kind != "nhs_trust" or org.closed is not None:
            raise RuleViolation(
                f"{provider} is a {org.kind}{' (closed)' if org.closed else ''}; only an open "
                "NHS trust can apply for foundation-trust status", "provider")
        latest = self._latest_application(changes, provider)
        if latest is not None and not latest.is_closed:
            raise RuleViolation(f"{provider} already has a {latest.status} application",
                                "provider")
        application = FTApplication(
            provider=provider, attempt=(latest.attempt + 1) if latest else 1,
            pipeline=pipeline, provenance=provenance.as_dict())
        changes.add(application)
        return application
