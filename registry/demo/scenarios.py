"""What happens to submissions after they arrive: late returns, restatements with
reasons, withdrawals, a provider's corrected file, and regulators' data queries.

Only simulated cells are touched; the real walk-in centre figures stay as published.
Providers act for themselves (``demo.provider@<code>``); CQC raises the queries.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from registry.demo.run import DemoRun, csv_bytes
from registry.imports import ImportOptions
from registry.imports.submissions import COLUMNS
from registry.periods import parse_period

LATE_SHARE, RESTATED_SHARE, WITHDRAWN_SHARE = 0.003, 0.01, 0.003
VALUES = ("numerator", "denominator", "value", "sd", "n")

DUPLICATES = "validation found duplicate referrals in the clinical system extract"
LATE_CONTACTS = "late-recorded contacts added after the submission deadline"
CLOCK_STOPS = "clock-stop dates corrected after a data-quality audit"
REDATED = "waiting times recalculated from corrected referral dates"
VALIDATED_LIST = "waiting list validated: patients already discharged were still open"
ULCERS = ("pressure ulcers reclassified as present on admission to the caseload after "
          "root-cause analysis")
WITHDRAWAL_REASONS = (
    "figures incomplete: clinical system outage during the period",
    "submitted in error for a service run by another provider in this area",
    "duplicate of a return made through the lead provider",
)
BATCH = ("RY6", "WAITD", "community_therapies", ("2017-10", "2017-11", "2017-12"),
         "RY6-WAITD-resubmission-2017-10-to-2017-12.csv",
         "waiting times recalculated after clock-start dates were corrected in the "
         "therapy referral system")


@dataclass
class Plan:
    late: list[dict] = field(default_factory=list)
    restated: list[dict] = field(default_factory=list)
    withdrawn: list[dict] = field(default_factory=list)


def key(row: dict) -> tuple[str, str, str, str]:
    return row["provider"], row["indicator"], row["service_line"], row["period"]


def plan(run: DemoRun, rows: list[dict]) -> Plan:
    """Choose disjoint cells to arrive late, to be restated and to be withdrawn."""
    provider, indicator, line, periods, *_ = BATCH
    reserved = {(provider, indicator, line, p) for p in periods}
    candidates = [i for i, row in enumerate(rows) if key(row) not in reserved]
    counts = [round(len(rows) * share)
              for share in (LATE_SHARE, RESTATED_SHARE, WITHDRAWN_SHARE)]
    chosen = run.rng.sample(candidates, sum(counts))
    late, restated = chosen[:counts[0]], chosen[counts[0]:counts[0] + counts[1]]
    withdrawn = chosen[counts[0] + counts[1]:]
    return Plan(late=[rows[i] for i in sorted(late)],
                restated=[rows[i] for i in sorted(restated)],
                withdrawn=[rows[i] for i in sorted(withdrawn)])


def submit_late(run: DemoRun, late: list[dict]) -> None:
    """Returns that arrived more than a month after the period ended."""
    for done, row in enumerate(late, start=1):
        period = parse_period(row["period"])
        received = period.end + timedelta(days=run.rng.randint(35, 120))
        run.app.submit({**_cell(row), **_values(row), "received_on": received.isoformat(),
                        "note": "late return: held back by the provider for validation"},
                       run.provider(row["provider"]))
        run.summary.submissions += 1
        run.progress("late submissions", done, len(late))


def restate(run: DemoRun, restated: list[dict]) -> None:
    total = len(restated) + 2
    for done, row in enumerate(restated, start=1):
        values, reason = revise(run.rng, row)
        _restate(run, row, values, reason)
        run.progress("restatements", done, total)
    # One cell restated twice: both versions stay visible.
    row = restated[0]
    values, reason = revise(run.rng, row)
    _restate(run, row, values, reason + " (second correction)")
    run.progress("restatements", total - 1, total)
    resubmit(run)
    run.progress("restatements", total, total)


def _restate(run: DemoRun, row: dict, values: dict, reason: str) -> None:
    run.app.restate({**_cell(row), **values}, run.provider(row["provider"]).because(reason))
    row.update(values)
    run.summary.restatements += 1


def resubmit(run: DemoRun) -> None:
    """A provider's corrected file, imported with --restate and a reason."""
    provider, indicator, line, periods, filename, reason = BATCH
    rows = []
    for period in periods:
        stored = run.app.get_submission(provider, indicator, line, period)["values"]
        rows.append({"provider": provider, "indicator": indicator, "service_line": line,
                     "period": period, "value": f"{stored['value'] * Decimal('1.06'):.1f}",
                     "sd": f"{stored['sd']:.1f}", "n": stored["n"]})
    run.import_file("submissions", filename, csv_bytes(COLUMNS, rows),
                    provenance=run.provider(provider),
                    options=ImportOptions(restate=True, reason=reason))


def withdraw(run: DemoRun, withdrawn: list[dict]) -> None:
    for done, row in enumerate(withdrawn, start=1):
        reason = run.rng.choice(WITHDRAWAL_REASONS)
        run.app.withdraw(_cell(row), run.provider(row["provider"]).because(reason))
        run.summary.withdrawals += 1
        run.progress("withdrawals", done, len(withdrawn))


def query(run: DemoRun, rows: list[dict], avoid: set) -> None:
    """CQC queries the highest pressure-ulcer rate (answered) and the lowest new-birth
    visit figure (still open)."""
    usable = [r for r in rows if key(r) not in avoid]
    ulcers = max((r for r in usable if r["indicator"] == "PU1000" and r["numerator"] >= 5),
                 key=lambda r: r["numerator"] / r["denominator"])
    visits = min((r for r in usable if r["indicator"] == "HVNBV"),
                 key=lambda r: r["numerator"] / r["denominator"])
    cqc = run.regulator("CQC")
    query_id = run.app.raise_query(
        {**_cell(ulcers), "question": (
            f"The pressure ulcer rate for {ulcers['period']} is far above the trust's usual "
            "range. Please confirm the caseload count and whether ulcers present on "
            "admission to the caseload were excluded.")}, cqc)
    run.progress("data queries", 1, 3)
    run.app.answer_query(
        {**_cell(ulcers), "query_id": query_id, "answer": (
            "Confirmed: a cluster of category 2 ulcers in one locality during a staffing "
            "gap, reviewed by the tissue viability team. The caseload count was checked "
            "against the clinical system; the figures stand.")},
        run.provider(ulcers["provider"]))
    run.progress("data queries", 2, 3)
    run.app.raise_query(
        {**_cell(visits), "question": (
            f"New birth visits within 14 days fell to "
            f"{100 * visits['numerator'] / visits['denominator']:.1f}% in "
            f"{visits['period']}. Is this a change in recording or in the service?")}, cqc)
    run.summary.data_queries += 2
    run.progress("data queries", 3, 3)


def revise(rng, row: dict) -> tuple[dict, str]:
    """New values for a restatement of ``row`` and the reason, by measure."""
    measure = row["measure"]
    if measure == "proportion":
        num, den = row["numerator"], row["denominator"]
        k = max(1, round(den * rng.uniform(0.01, 0.04)))
        choice = rng.choice((DUPLICATES, LATE_CONTACTS, CLOCK_STOPS))
        if choice == DUPLICATES and den > k:
            new_den = den - k
            return _proportion(min(new_den, max(0, num - round(k * num / den))),
                               new_den, num, den), choice
        if choice == CLOCK_STOPS and num + k <= den:
            return _proportion(num + k, den, num, den), choice
        new_den = den + k
        return _proportion(num + round(k * num / den), new_den, num, den), LATE_CONTACTS
    if measure == "rate":
        num, den = row["numerator"], row["denominator"]
        if num > 0:
            return {"numerator": num - min(num, rng.randint(1, 2)), "denominator": den}, ULCERS
        return {"numerator": 1, "denominator": den}, LATE_CONTACTS
    if measure == "mean":
        factor = Decimal(str(round(rng.uniform(0.9, 1.1), 3)))
        value = max(Decimal("0.5"), Decimal(str(row["value"])) * factor)
        if f"{value:.1f}" == f"{Decimal(str(row['value'])):.1f}":
            value += Decimal("0.3")
        return {"value": f"{value:.1f}", "sd": str(row["sd"]),
                "n": max(2, row["n"] + rng.randint(-3, 3))}, REDATED
    if measure == "median":
        value = int(row["value"])
        new = value + rng.choice((-3, -2, -1, 1, 2, 3))
        return {"value": new if new >= 1 else value + 2, "n": row["n"]}, REDATED
    value = int(row["value"])
    if value > 0:
        return {"value": value - min(value, rng.randint(1, 3))}, VALIDATED_LIST
    return {"value": 1}, LATE_CONTACTS


def _proportion(num: int, den: int, old_num: int, old_den: int) -> dict:
    if (num, den) == (old_num, old_den):
        num = num - 1 if num > 0 else num + 1
    return {"numerator": num, "denominator": den}


def _cell(row: dict) -> dict:
    return {"provider": row["provider"], "indicator": row["indicator"],
            "service_line": row["service_line"], "period": row["period"]}


def _values(row: dict) -> dict:
    return {name: row[name] for name in VALUES if row.get(name) not in (None, "")}
