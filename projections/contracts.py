"""Contracts register: each contract as it stands after every variation, extension,
novation, termination and renewal decision, and as it stood at any recorded time.

Each event closes the contract's current version and opens the next (see
``projections.versions``), so ``as_of`` is one indexed condition. Status depends
on the day it is read (a contract expires without any event), so it is computed
at read time from ``today``, never stored.
"""

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import ClassVar

from projections.engine import Projection
from projections.facts import as_text
from projections.timestamps import parse_stamp
from projections.versions import current, known_at, open_version, supersede

COLUMNS = ("reference", "aggregate_id", "position", "recorded_from", "recorded_to",
           "commissioner", "provider", "awarded_provider", "service_lines", "start_date",
           "end_date", "annual_value", "total_value", "route", "terminated", "review_status",
           "review_due_by", "renewal_decision", "decided_on", "decision_reason",
           "variations", "extensions", "novations")
NO_REVIEW = {"review_status": "none", "review_due_by": None, "renewal_decision": None,
             "decided_on": None, "decision_reason": None}


class Contracts(Projection):
    name = "contracts"
    tables: ClassVar[dict[str, str]] = {
        "contract_versions": "CREATE TABLE IF NOT EXISTS contract_versions ("
        "reference TEXT NOT NULL, aggregate_id TEXT NOT NULL, position BIGINT NOT NULL, "
        "recorded_from TEXT NOT NULL, recorded_to TEXT NOT NULL, commissioner TEXT NOT NULL, "
        "provider TEXT NOT NULL, awarded_provider TEXT NOT NULL, service_lines TEXT NOT NULL, "
        "start_date TEXT NOT NULL, end_date TEXT NOT NULL, annual_value TEXT, "
        "total_value TEXT, route TEXT, terminated TEXT, review_status TEXT NOT NULL, "
        "review_due_by TEXT, renewal_decision TEXT, decided_on TEXT, decision_reason TEXT, "
        "variations INTEGER NOT NULL, extensions INTEGER NOT NULL, "
        "novations INTEGER NOT NULL, PRIMARY KEY (reference, position))",
    }
    indexes = (
        ("CREATE INDEX IF NOT EXISTS contract_versions_current ON contract_versions "
         "(recorded_to, end_date)"),
        ("CREATE INDEX IF NOT EXISTS contract_versions_aggregate ON contract_versions "
         "(aggregate_id, recorded_to)"))

    # The runner reads no other rows (``Projection.aggregates``).
    aggregates = ("Contract",)

    def apply(self, cursor, logged) -> None:
        if logged.aggregate_type != "Contract":
            return
        if logged.event_type == "Awarded":
            open_version(cursor, "contract_versions", COLUMNS, _awarded(logged.data), logged)
            return
        change = CHANGES.get(logged.event_type)
        if change is None:
            return
        row = current(cursor, "contract_versions", logged.aggregate_id)
        row.update(change(row, logged))
        supersede(cursor, "contract_versions", COLUMNS, row, logged)


def _awarded(d: dict) -> dict:
    return {"reference": d["reference"], "commissioner": d["commissioner"],
            "provider": d["provider"], "awarded_provider": d["provider"],
            "service_lines": json.dumps(list(d["service_lines"])),
            "start_date": str(d["start"]), "end_date": str(d["end"]),
            "annual_value": as_text(d["annual_value"]), "total_value": as_text(d["total_value"]),
            "route": d["route"], "terminated": None, **NO_REVIEW,
            "variations": 0, "extensions": 0, "novations": 0}


def _varied(row: dict, logged) -> dict:
    changed = {k: as_text(v) for k, v in logged.data["changes"].items()
               if k in ("annual_value", "total_value")}
    if "service_lines" in logged.data["changes"]:
        changed["service_lines"] = json.dumps(list(logged.data["changes"]["service_lines"]))
    return {**changed, "variations": row["variations"] + 1}


def _extended(row: dict, logged) -> dict:
    total = Decimal(row["total_value"] or 0) + Decimal(logged.data["additional_value"])
    return {"end_date": str(logged.data["new_end"]), "total_value": str(total),
            "extensions": row["extensions"] + 1}


def _novated(row: dict, logged) -> dict:
    return {"provider": logged.data["new_provider"], "novations": row["novations"] + 1}


def _terminated(row: dict, logged) -> dict:
    return {"terminated": str(logged.data["effective"])}


def _review_opened(row: dict, logged) -> dict:
    due = logged.data.get("due_by")
    return {**NO_REVIEW, "review_status": "open", "review_due_by": due and str(due)}


def _renewal_decided(row: dict, logged) -> dict:
    return {"review_status": "decided", "renewal_decision": logged.data["decision"],
            "decided_on": logged.recorded_at.date().isoformat(),
            "decision_reason": (logged.provenance or {}).get("reason")}


CHANGES = {"Varied": _varied, "Extended": _extended, "Novated": _novated,
           "Terminated": _terminated, "RenewalReviewOpened": _review_opened,
           "RenewalDecided": _renewal_decided}


def contracts_register(store, as_of=None, commissioner=None, provider=None,
                       expiring_within_days=None, today=None) -> list[dict]:
    """Contracts as known at ``as_of`` (default: now), ordered by end date.

    ``expiring_within_days`` keeps live, unterminated contracts ending between
    ``today`` and that many days after it.
    """
    today = today or date.today()
    where, params = known_at(as_of)
    for column, value in (("commissioner", commissioner), ("provider", provider)):
        if value:
            where += f" AND {column} = ?"
            params += (value.upper(),)
    if expiring_within_days is not None:
        where += " AND terminated IS NULL AND end_date >= ? AND end_date <= ?"
        params += (today.isoformat(),
                   (today + timedelta(days=int(expiring_within_days))).isoformat())
    rows = store.query(f"SELECT * FROM contract_versions WHERE {where} "
                       "ORDER BY end_date, reference", params)
    return [_contract(row, today) for row in rows]


def contract_row(store, reference: str, as_of=None, today=None) -> dict | None:
    """One contract as known at ``as_of`` (default: now), or None if not yet awarded."""
    where, params = known_at(as_of)
    rows = store.query(f"SELECT * FROM contract_versions WHERE reference = ? AND {where}",
                       (reference, *params))
    return _contract(rows[0], today or date.today()) if rows else None


def _contract(row: dict, today: date) -> dict:
    end = date.fromisoformat(row["end_date"])
    return {
        "reference": row["reference"], "commissioner": row["commissioner"],
        "provider": row["provider"], "awarded_provider": row["awarded_provider"],
        "service_lines": json.loads(row["service_lines"]), "start": row["start_date"],
        "end": row["end_date"], "terminated": row["terminated"],
        "annual_value": row["annual_value"], "total_value": row["total_value"],
        "status": _status(row["terminated"], end, today), "days_to_end": (end - today).days,
        "route": row["route"], "review_status": row["review_status"],
        "review_due_by": row["review_due_by"], "renewal_decision": row["renewal_decision"],
        "decided_on": row["decided_on"], "decision_reason": row["decision_reason"],
        "variations": row["variations"], "extensions": row["extensions"],
        "novations": row["novations"], "last_position": row["position"],
        "last_recorded_at": parse_stamp(row["recorded_from"]).isoformat(),
    }


def _status(terminated: str | None, end: date, today: date) -> str:
    """live, terminated (once its effective date has come) or expired (after its end)."""
    if terminated and date.fromisoformat(terminated) <= today:
        return "terminated"
    return "expired" if end < today else "live"
