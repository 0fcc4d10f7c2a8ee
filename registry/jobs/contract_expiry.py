"""Contract expiry: a notice to the commissioner 12, 6 and 3 months before a contract ends.

Read from the contracts register as it stands. A notice is warranted from the day its
lead time begins (the end date less 12, 6 or 3 calendar months, the day of the month
clamped to the month's length) until the contract's last day, for a contract not
terminated. Each is recorded once; a run that first sees a contract inside several lead
times (after downtime, or a late award) records each of them. The notices for an end
date are withdrawn when the contract ends, is extended (the new end date gets its own
notices) or is terminated.
"""

import calendar
from datetime import date, datetime

from projections.contracts import contracts_register
from registry.jobs.recording import JobResult, catch_up, day_of, record_notices
from registry.notice import CONTRACT_EXPIRY, Subject

JOB = "contract_expiry"
LEAD_MONTHS = (12, 6, 3)


def contract_expiry(app, now: datetime) -> JobResult:
    day = day_of(now)
    catch_up(app, "contracts", "notices")
    contracts = {c["reference"]: c for c in contracts_register(app.read_side.store, today=day)}
    warranted = {}
    for contract in contracts.values():
        end = date.fromisoformat(contract["end"])
        if contract["terminated"] or day > end:
            continue
        for months in LEAD_MONTHS:
            if day >= months_before(end, months):
                subject = Subject(CONTRACT_EXPIRY, contract["commissioner"],
                                  contract["provider"], end, contract=contract["reference"],
                                  months_before=months)
                warranted[subject.id] = subject

    def withdrawal(row: dict) -> tuple[str, str]:
        contract = contracts.get(row["contract"])
        if contract is None:
            return "not_found", f"contract {row['contract']} is no longer in the register"
        if contract["terminated"]:
            return "terminated", (f"contract {row['contract']} was terminated from "
                                  f"{contract['terminated']}")
        if contract["end"] != row["due"]:
            return "end_changed", f"contract {row['contract']} now ends on {contract['end']}"
        if day > date.fromisoformat(contract["end"]):
            return "ended", f"contract {row['contract']} ended on {contract['end']}"
        return "not_due", (f"contract {row['contract']} does not end within "
                           f"{row['months_before']} months")

    return record_notices(app, JOB, CONTRACT_EXPIRY, warranted, day, withdrawal)


def months_before(end: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (31 August less 6 months: 28 or 29
    February)."""
    index = end.year * 12 + end.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(end.day, calendar.monthrange(year, month)[1]))
