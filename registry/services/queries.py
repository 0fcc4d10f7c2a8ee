"""Queries that read one aggregate and return plain dicts (read models live in projections)."""

from dataclasses import asdict

from registry.identity import (contract_id, ft_application_id, indicator_id,
                               organisation_id, submission_id)
from registry.pipelines import PIPELINES

_INTERNAL = {"_id", "_version", "_created_on", "_modified_on", "_pending_events"}


def _state(aggregate) -> dict:
    state = {k: v for k, v in vars(aggregate).items() if k not in _INTERNAL}
    state.update(id=str(aggregate.id), version=aggregate.version,
                 created_on=aggregate.created_on, modified_on=aggregate.modified_on)
    return state


class Queries:
    """Each query answers from the latest state, or as known at ``as_of`` (a recorded time):
    the aggregate replayed from the events recorded by then."""

    def get_organisation(self, code: str, as_of=None) -> dict | None:
        return self._read(organisation_id(code.upper()), as_of)

    def get_indicator(self, code: str, as_of=None) -> dict | None:
        return self._read(indicator_id(code.upper()), as_of)

    def get_submission(self, provider: str, indicator: str, service_line: str,
                       period: str, as_of=None) -> dict | None:
        return self._read(submission_id(provider.upper(), indicator.upper(), service_line,
                                        period), as_of)

    def get_contract(self, reference: str, as_of=None) -> dict | None:
        return self._read(contract_id(reference), as_of)

    def get_ft_application(self, provider: str, as_of=None) -> dict | None:
        attempt, latest = 1, None
        while (found := self._read(ft_application_id(provider, attempt), as_of)) is not None:
            latest, attempt = found, attempt + 1
        if latest is not None:
            latest["stages"] = [
                {"code": code, "label": label, **latest["milestones"].get(code, {})}
                for code, label in PIPELINES[latest["pipeline"]].milestones]
        return latest

    def pipelines(self) -> list[dict]:
        return [asdict(p) for p in PIPELINES.values()]

    def _read(self, aggregate_id, as_of=None) -> dict | None:
        if as_of is not None:
            return self._read_as_of(aggregate_id, as_of)
        changes = self.changes_for_reading()
        aggregate = changes.get(aggregate_id)
        return None if aggregate is None else _state(aggregate)

    def _read_as_of(self, aggregate_id, as_of) -> dict | None:
        known = [e.originator_version for e in self.repository.event_store.get(aggregate_id)
                 if e.timestamp <= as_of]
        if not known:
            return None
        return _state(self.repository.get(aggregate_id, version=max(known)))
