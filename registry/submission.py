"""Submission: one provider's figure for one indicator, service line and period.

One aggregate per cell with a deterministic id. A restatement is a new version
with a reason; the original stays in the stream. A withdrawal removes the figure
from benchmarks but not from history. Regulators raise data queries on a
submission and the provider answers them.
"""

from datetime import date

from eventsourcing.domain import Aggregate, event

from registry.errors import RuleViolation
from registry.identity import submission_id

VALUE_FIELDS = ("numerator", "denominator", "value", "sd", "n")


class SubmissionError(RuleViolation):
    """A rule about submissions was broken."""


class Submission(Aggregate):
    @staticmethod
    def create_id(provider: str, indicator: str, service_line: str, period: str):
        return submission_id(provider, indicator, service_line, period)

    @event("Submitted")
    def __init__(
        self, provider: str, indicator: str, service_line: str, period: str,
        measure: str, values: dict, note: str | None, received_on: date,
        provenance: dict,
    ):
        self.provider = provider
        self.indicator = indicator
        self.service_line = service_line
        self.period = period
        self.measure = measure
        self.values = dict(values)
        self.note = note
        self.received_on = received_on
        self.withdrawn = False
        self.restatements = 0
        self.queries: dict[str, dict] = {}

    @property
    def open_queries(self) -> list[str]:
        return [qid for qid, q in self.queries.items() if q["answer"] is None]

    def restate(self, values: dict, note: str | None, received_on: date,
                provenance: dict) -> None:
        if self.withdrawn:
            raise SubmissionError(
                f"the submission for {self.cell} was withdrawn and cannot be restated")
        if values == self.values:
            raise SubmissionError(
                "the restated values are identical to the current ones", "values")
        self._restated(values=values, previous_values=self.values, note=note,
                       received_on=received_on, provenance=provenance)

    @event("Restated")
    def _restated(self, values: dict, previous_values: dict, note: str | None,
                  received_on: date, provenance: dict) -> None:
        self.values = dict(values)
        self.note = note
        self.restatements += 1

    def withdraw(self, provenance: dict) -> None:
        if self.withdrawn:
            raise SubmissionError(f"the submission for {self.cell} is already withdrawn")
        self._withdrawn(provenance=provenance)

    @event("Withdrawn")
    def _withdrawn(self, provenance: dict) -> None:
        self.withdrawn = True

    def raise_query(self, query_id: str, question: str, provenance: dict) -> None:
        if query_id in self.queries:
            raise SubmissionError(f"query {query_id} already exists", "query_id")
        self._queried(query_id=query_id, question=question, provenance=provenance)

    @event("Queried")
    def _queried(self, query_id: str, question: str, provenance: dict) -> None:
        self.queries[query_id] = {"question": question, "answer": None}

    def answer_query(self, query_id: str, answer: str, provenance: dict) -> None:
        query = self.queries.get(query_id)
        if query is None:
            raise SubmissionError(f"no query {query_id} on {self.cell}", "query_id")
        if query["answer"] is not None:
            raise SubmissionError(f"query {query_id} is already answered", "query_id")
        self._query_answered(query_id=query_id, answer=answer, provenance=provenance)

    @event("QueryAnswered")
    def _query_answered(self, query_id: str, answer: str, provenance: dict) -> None:
        self.queries[query_id]["answer"] = answer

    @property
    def cell(self) -> str:
        return f"{self.provider} {self.indicator} {self.service_line} {self.period}"
