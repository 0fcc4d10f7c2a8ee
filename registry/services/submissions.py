"""Commands on submissions: submit, restate, withdraw, and data queries."""

from datetime import datetime, timezone
from uuid import uuid4

from registry.commands import load
from registry.commands import submissions as cmd
from registry.errors import (
    AlreadyExists,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RegistryError,
    RuleViolation,
)
from registry.identity import submission_id
from registry.measures import check_values, stored_values
from registry.periods import parse_period
from registry.provenance import Provenance, require_reason
from registry.services.changes import expect_version
from registry.services.permissions import authorise
from registry.submission import Submission


class SubmissionCommands:
    def submit(self, data: dict, provenance: Provenance):
        with self.changes() as changes:
            return self._submit(changes, load(cmd.Submit, data), provenance)

    def submit_many(self, items: list, provenance: Provenance) -> list:
        """All or nothing: every item is checked, errors are named ``items[i].field``, and
        the submissions are stored in one transaction only if none was refused. A role
        that may not submit for an item's provider is refused at once (nothing stored)."""
        errors, ids = {}, []
        with self.changes() as changes:
            for index, item in enumerate(items):
                try:
                    ids.append(self._submit(changes, load(cmd.Submit, item), provenance))
                except PermissionDenied:
                    raise
                except InvalidInput as error:
                    errors.update({_item(index, f): m for f, m in error.errors.items()})
                except RegistryError as error:
                    errors[_item(index, error.field)] = [error.message]
            if errors:
                raise InvalidInput(errors)
        return ids

    def restate(self, data: dict, provenance: Provenance):
        with self.changes() as changes:
            return self._restate(changes, load(cmd.Restate, data), provenance)

    def withdraw(self, data: dict, provenance: Provenance):
        data = load(cmd.SubmissionCell, data)
        require_reason(provenance, "withdraw a submission")
        authorise(provenance, "submit", data["provider"])
        with self.changes() as changes:
            submission = self._submission(changes, data)
            submission.withdraw(provenance.as_dict())
            return submission.id

    def raise_query(self, data: dict, provenance: Provenance) -> str:
        data = load(cmd.RaiseQuery, data)
        authorise(provenance, "query")
        query_id = uuid4().hex[:12]
        with self.changes() as changes:
            self._submission(changes, data).raise_query(
                query_id, data["question"], provenance.as_dict())
        return query_id

    def answer_query(self, data: dict, provenance: Provenance):
        data = load(cmd.AnswerQuery, data)
        authorise(provenance, "answer_query", data["provider"])
        with self.changes() as changes:
            submission = self._submission(changes, data)
            submission.answer_query(data["query_id"], data["answer"], provenance.as_dict())
            return submission.id

    def _submit(self, changes, data: dict, provenance: Provenance):
        authorise(provenance, "submit", data["provider"])
        indicator, values, received_on = self._checked_values(changes, data)
        if changes.get(submission_id(*_cell(data))) is not None:
            raise AlreadyExists(
                f"{' '.join(_cell(data))} was already submitted; restate it with a reason "
                "to change its values", "period")
        submission = Submission(
            provider=data["provider"], indicator=data["indicator"],
            service_line=data["service_line"], period=data["period"],
            measure=indicator.measure, values=values, note=data.get("note"),
            received_on=received_on, provenance=provenance.as_dict())
        changes.add(submission)
        return submission.id

    def _restate(self, changes, data: dict, provenance: Provenance):
        require_reason(provenance, "restate a submission")
        authorise(provenance, "submit", data["provider"])
        _, values, received_on = self._checked_values(changes, data)
        submission = self._submission(changes, data)
        expect_version(submission, data.get("expected_version"))
        submission.restate(values, data.get("note"), received_on, provenance.as_dict())
        return submission.id

    def _checked_values(self, changes, data: dict):
        """Check the cell against the catalogue and the provider; return the values."""
        indicator = self._indicator(changes, data["indicator"], "indicator")
        period = parse_period(data["period"])
        errors = {}
        if period.frequency != indicator.frequency:
            errors["period"] = [f"{indicator.code} is {indicator.frequency}; "
                                f"'{period.label}' is a {period.frequency} period"]
        if not indicator.accepts(period.label):
            errors["indicator"] = [f"{indicator.code} is retired"
                                   + (f" after {indicator.last_period}"
                                      if indicator.last_period else "")]
        if data["service_line"] not in indicator.service_lines:
            errors["service_line"] = [f"{indicator.code} is reported for "
                                      f"{', '.join(indicator.service_lines)} only"]
        values = stored_values(data)
        errors.update(check_values(indicator.measure, values))
        received_on = data.get("received_on") or datetime.now(timezone.utc).date()
        if received_on < period.start:
            errors["received_on"] = [f"is before the period {period.label} began"]
        if errors:
            raise InvalidInput(errors)
        self._check_provider(changes, data["provider"], period)
        return indicator, values, received_on

    def _check_provider(self, changes, code: str, period) -> None:
        provider = self._organisation(changes, code, "provider")
        if not provider.is_provider:
            raise RuleViolation(f"{code} is a {provider.kind}, not a provider", "provider")
        if not provider.is_open_during(period.start, period.end):
            dates = f"opened {provider.opened}" if provider.opened else ""
            if provider.closed:
                dates += f"{', ' if dates else ''}closed {provider.closed}"
            raise RuleViolation(f"{code} was not open during {period.label} ({dates})",
                                "provider")

    def _submission(self, changes, data: dict) -> Submission:
        submission = changes.get(submission_id(*_cell(data)))
        if submission is None:
            raise NotFound(f"nothing was submitted for {' '.join(_cell(data))}", "period")
        return submission


def _item(index: int, field: str | None) -> str:
    return f"items[{index}]" + (f".{field}" if field and field != "_schema" else "")


def _cell(data: dict) -> tuple[str, str, str, str]:
    return data["provider"], data["indicator"], data["service_line"], data["period"]
