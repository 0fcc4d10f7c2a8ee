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
    def get_organisation(self, code: str) -> dict | None:
        return self._read(organisation_id(code.upper()))

    def get_indicator(self, code: str) -> dict | None:
        return self._read(indicator_id(code.upper()))

    def get_submission(self, provider: str, indicator: str, service_line: str,
                       period: str) -> dict | None:
        return self._read(submission_id(provider, indicator, service_line, period))

    def get_contract(self, reference: str) -> dict | None:
        return self._read(contract_id(reference))

    def get_ft_application(self, provider: str) -> dict | None:
        attempt, latest = 1, None
        while (found := self._read(ft_application_id(provider, attempt))) is not None:
            latest, attempt = found, attempt + 1
        if latest is not None:
            latest["stages"] = [
                {"code": code, "label": label, **latest["milestones"].get(code, {})}
                for code, label in PIPELINES[latest["pipeline"]].milestones]
        return latest

    def pipelines(self) -> list[dict]:
        return [asdict(p) for p in PIPELINES.values()]

    def _read(self, aggregate_id) -> dict | None:
        changes = self.changes_for_reading()
        aggregate = changes.get(aggregate_id)
        return None if aggregate is None else _state(aggregate)
