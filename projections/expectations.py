"""What providers are expected to submit: who delivered which service line when, and which
indicators each service line reports in which period.

Kept by the notices projection (its own copy, so it rebuilds on its own) from contract and
indicator events, as they stand now (valid time only):

- ``notice_deliveries``: per contract, the provider and service lines over each stretch
  of its term. The contracts register holds each contract as it stands after its last
  change, which cannot say that a novation moved the service to a new provider on
  1 October or that a variation added podiatry from a given date; the events can, so the
  stretches are rebuilt from them whenever the contract changes.
- ``notice_indicators``: per indicator, its frequency, the service lines it reports from
  each effective period (a revision of its service lines takes effect from its
  effective period; a correction rewrites the lines currently in force) and, when
  retired, its last period.
"""

import json
from datetime import date, timedelta
from typing import ClassVar

from projections.benchmarks import FACTS

SUBMISSIONS = f"{FACTS.p}_submissions"


class Expectations:
    tables: ClassVar[dict[str, str]] = {
        "notice_contracts": "CREATE TABLE IF NOT EXISTS notice_contracts ("
        "aggregate_id TEXT PRIMARY KEY, reference TEXT NOT NULL, state TEXT NOT NULL)",
        "notice_deliveries": "CREATE TABLE IF NOT EXISTS notice_deliveries ("
        "aggregate_id TEXT NOT NULL, reference TEXT NOT NULL, provider TEXT NOT NULL, "
        "service_line TEXT NOT NULL, start_date TEXT NOT NULL, end_date TEXT NOT NULL, "
        "PRIMARY KEY (aggregate_id, service_line, start_date))",
        "notice_indicators": "CREATE TABLE IF NOT EXISTS notice_indicators ("
        "aggregate_id TEXT PRIMARY KEY, code TEXT NOT NULL, state TEXT NOT NULL)",
    }

    @property
    def aggregates(self) -> tuple[str, ...]:
        """The aggregates it has handlers for (``_Aggregate_Event``)."""
        return tuple(sorted({name.split("_")[1] for name in dir(self)
                             if name.startswith("_") and name[1:2].isupper()}))

    def apply(self, cursor, logged) -> None:
        handler = getattr(self, f"_{logged.aggregate_type}_{logged.event_type}", None)
        if handler is not None:
            handler(cursor, logged)

    # contracts

    def _Contract_Awarded(self, cursor, logged) -> None:
        d = logged.data
        state = {"provider": d["provider"], "service_lines": list(d["service_lines"]),
                 "start": str(d["start"]), "end": str(d["end"]), "terminated": None,
                 "changes": []}
        cursor.execute("INSERT INTO notice_contracts VALUES (?, ?, ?)",
                       (str(logged.aggregate_id), d["reference"], json.dumps(state)))
        self._deliveries(cursor, logged, d["reference"], state)

    def _Contract_Varied(self, cursor, logged) -> None:
        lines = logged.data["changes"].get("service_lines")
        if lines is not None:
            self._contract_change(cursor, logged, lambda s: s["changes"].append(
                {"effective": str(logged.data["effective"]), "service_lines": list(lines)}))

    def _Contract_Novated(self, cursor, logged) -> None:
        self._contract_change(cursor, logged, lambda s: s["changes"].append(
            {"effective": str(logged.data["effective"]),
             "provider": logged.data["new_provider"]}))

    def _Contract_Extended(self, cursor, logged) -> None:
        self._contract_change(cursor, logged,
                              lambda s: s.update(end=str(logged.data["new_end"])))

    def _Contract_Terminated(self, cursor, logged) -> None:
        self._contract_change(cursor, logged,
                              lambda s: s.update(terminated=str(logged.data["effective"])))

    def _contract_change(self, cursor, logged, change) -> None:
        row = cursor.execute("SELECT reference, state FROM notice_contracts WHERE "
                             "aggregate_id = ?", (str(logged.aggregate_id),)).fetchone()
        if row is None:
            raise LookupError(f"contract {logged.aggregate_id} was never awarded")
        state = json.loads(row["state"])
        change(state)
        cursor.execute("UPDATE notice_contracts SET state = ? WHERE aggregate_id = ?",
                       (json.dumps(state), str(logged.aggregate_id)))
        self._deliveries(cursor, logged, row["reference"], state)

    def _deliveries(self, cursor, logged, reference: str, state: dict) -> None:
        key = str(logged.aggregate_id)
        cursor.execute("DELETE FROM notice_deliveries WHERE aggregate_id = ?", (key,))
        cursor.executemany(
            "INSERT INTO notice_deliveries VALUES (?, ?, ?, ?, ?, ?)",
            [(key, reference, provider, line, start.isoformat(), end.isoformat())
             for provider, lines, start, end in stretches(state) for line in lines])

    # indicators

    def _Indicator_Defined(self, cursor, logged) -> None:
        d = logged.data
        state = {"frequency": d["frequency"], "retired": False, "last_period": None,
                 "terms": [{"from": None, "service_lines": list(d["service_lines"])}]}
        cursor.execute("INSERT INTO notice_indicators VALUES (?, ?, ?)",
                       (str(logged.aggregate_id), d["code"], json.dumps(state)))

    def _Indicator_Revised(self, cursor, logged) -> None:
        lines = logged.data["changes"].get("service_lines")
        if lines is not None:
            self._indicator_change(cursor, logged, lambda s: s["terms"].append(
                {"from": logged.data["effective_period"], "service_lines": list(lines)}))

    def _Indicator_Corrected(self, cursor, logged) -> None:
        lines = logged.data["changes"].get("service_lines")
        if lines is not None:
            self._indicator_change(cursor, logged,
                                   lambda s: s["terms"][-1].update(service_lines=list(lines)))

    def _Indicator_Retired(self, cursor, logged) -> None:
        self._indicator_change(cursor, logged, lambda s: s.update(
            retired=True, last_period=logged.data.get("last_period")))

    def _indicator_change(self, cursor, logged, change) -> None:
        key = str(logged.aggregate_id)
        row = cursor.execute("SELECT state FROM notice_indicators WHERE aggregate_id = ?",
                             (key,)).fetchone()
        if row is None:
            raise LookupError(f"indicator {logged.aggregate_id} was never defined")
        state = json.loads(row["state"])
        change(state)
        cursor.execute("UPDATE notice_indicators SET state = ? WHERE aggregate_id = ?",
                       (json.dumps(state), key))


def stretches(state: dict) -> list[tuple[str, list[str], date, date]]:
    """(provider, service lines, first day, last day) over the contract's term, split at
    each novation and each variation of its service lines (in effective-date order); a
    termination ends the term on its effective date."""
    end = date.fromisoformat(state["end"])
    if state["terminated"]:
        end = min(end, date.fromisoformat(state["terminated"]))
    provider, lines = state["provider"], state["service_lines"]
    start, found = date.fromisoformat(state["start"]), []
    for change in sorted(state["changes"], key=lambda c: c["effective"]):
        effective = date.fromisoformat(change["effective"])
        if effective > start:
            found.append((provider, lines, start, effective - timedelta(days=1)))
            start = effective
        provider = change.get("provider", provider)
        lines = change.get("service_lines", lines)
    found.append((provider, lines, start, end))
    return [(p, ls, s, min(e, end)) for p, ls, s, e in found if s <= min(e, end)]


def deliveries(cursor) -> list[dict]:
    """Every stretch of every contract: provider, service line, first and last day."""
    return [{**row, "start": date.fromisoformat(row["start_date"]),
             "end": date.fromisoformat(row["end_date"])}
            for row in cursor.execute(
                "SELECT reference, provider, service_line, start_date, end_date FROM "
                "notice_deliveries ORDER BY provider, service_line, start_date, reference"
            ).fetchall()]


def catalogue(cursor) -> dict[str, dict]:
    """Each indicator's frequency, service-line terms and retirement, by code."""
    rows = cursor.execute("SELECT code, state FROM notice_indicators ORDER BY code").fetchall()
    return {row["code"]: json.loads(row["state"]) for row in rows}


def first_periods(cursor) -> dict[str, date]:
    """The first day of the earliest period anyone submitted for, by indicator (from the
    benchmarks' facts): collection of an indicator starts there."""
    rows = cursor.execute(f"SELECT indicator, MIN(period_start) AS first FROM {SUBMISSIONS} "
                          "GROUP BY indicator").fetchall()
    return {row["indicator"]: date.fromisoformat(row["first"]) for row in rows}


def submitted_cells(cursor, since: date) -> set[tuple[str, str, str, str]]:
    """(provider, indicator, service line, period) of every submission not withdrawn, for
    periods starting on or after ``since`` (from the benchmarks' facts)."""
    rows = cursor.execute(FACTS.newest(f"{SUBMISSIONS} s", "s.period_start >= ?"),
                          (since.isoformat(),)).fetchall()
    return {(r["provider"], r["indicator"], r["service_line"], r["period"]) for r in rows}
