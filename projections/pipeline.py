"""FT pipeline board: where each aspirant trust's current application stands.

Per application: status, the stage it is at (the first milestone not achieved, in
the pipeline's order), and per milestone its first and current target, achieved
date, slips and slippage in days (achieved date, or current target, against the
first target; negative when early). Each event closes the application's current
version and opens the next (``projections.versions``), so the board can be read
as known at any recorded time; being overdue depends on the day it is read, so
it is computed from ``today`` at read time.
"""

import json
from datetime import date
from typing import ClassVar

from projections.engine import Projection
from projections.facts import as_text
from projections.timestamps import parse_stamp, stamp
from projections.versions import current, known_at, open_version, supersede
from registry.pipelines import PIPELINES

STATUS = {"Started": "in_progress", "Resumed": "in_progress", "Deferred": "deferred",
          "Authorised": "authorised", "Rejected": "rejected", "Withdrawn": "withdrawn"}
COLUMNS = ("provider", "attempt", "aggregate_id", "position", "recorded_from", "recorded_to",
           "pipeline", "status", "stage", "started", "authorised_on", "deferred_until",
           "status_reason", "status_changed_at", "slips", "slippage_days", "milestones")


class Pipeline(Projection):
    name = "pipeline"
    tables: ClassVar[dict[str, str]] = {
        "pipeline_versions": "CREATE TABLE IF NOT EXISTS pipeline_versions ("
        "provider TEXT NOT NULL, attempt INTEGER NOT NULL, aggregate_id TEXT NOT NULL, "
        "position BIGINT NOT NULL, recorded_from TEXT NOT NULL, recorded_to TEXT NOT NULL, "
        "pipeline TEXT NOT NULL, status TEXT NOT NULL, stage TEXT, started TEXT NOT NULL, "
        "authorised_on TEXT, deferred_until TEXT, status_reason TEXT, "
        "status_changed_at TEXT, slips INTEGER NOT NULL, slippage_days INTEGER NOT NULL, "
        "milestones TEXT NOT NULL, PRIMARY KEY (aggregate_id, position))",
    }
    indexes = (
        ("CREATE INDEX IF NOT EXISTS pipeline_versions_current ON pipeline_versions "
         "(recorded_to, provider)"),
        ("CREATE INDEX IF NOT EXISTS pipeline_versions_aggregate ON pipeline_versions "
         "(aggregate_id, recorded_to)"))

    # The runner reads no other rows (``Projection.aggregates``).
    aggregates = ("FTApplication",)

    def apply(self, cursor, logged) -> None:
        if logged.aggregate_type != "FTApplication":
            return
        d, kind = logged.data, logged.event_type
        if kind == "Started":
            row = {"provider": d["provider"], "attempt": d["attempt"],
                   "pipeline": d["pipeline"], "status": STATUS[kind],
                   "started": logged.recorded_at.date().isoformat(), "authorised_on": None,
                   "deferred_until": None, "status_reason": None, "status_changed_at": None}
            open_version(cursor, "pipeline_versions", COLUMNS, _summarised(row, {}), logged)
            return
        row = current(cursor, "pipeline_versions", logged.aggregate_id)
        milestones = json.loads(row["milestones"])
        if kind.startswith("Milestone"):
            _milestone_changed(milestones, kind, d)
        elif kind in STATUS:
            row.update(status=STATUS[kind], status_changed_at=stamp(logged.recorded_at),
                       status_reason=(logged.provenance or {}).get("reason"),
                       deferred_until=as_text(d.get("until")) if kind == "Deferred" else None)
            if kind == "Authorised":
                row["authorised_on"] = str(d["effective"])
        else:
            return
        supersede(cursor, "pipeline_versions", COLUMNS, _summarised(row, milestones), logged)


def _milestone_changed(milestones: dict, kind: str, d: dict) -> None:
    if kind == "MilestoneScheduled":
        target = str(d["target_date"])
        milestones[d["milestone"]] = {"target": target, "first_target": target,
                                      "achieved": None, "slips": 0}
        return
    entry = milestones.setdefault(d["milestone"], {"target": None, "first_target": None,
                                                   "achieved": None, "slips": 0})
    if kind == "MilestoneSlipped":
        entry["target"] = str(d["new_target"])
        entry["slips"] += 1
    elif kind == "MilestoneAchieved":
        entry["achieved"] = str(d["achieved_on"])


def _summarised(row: dict, milestones: dict) -> dict:
    """The row with its stage and slip totals derived from its milestones."""
    stages = milestone_list(row["pipeline"], milestones)
    pending = [m["code"] for m in stages if m["achieved"] is None]
    return {**row, "milestones": json.dumps(milestones, sort_keys=True),
            "stage": pending[0] if pending else None,
            "slips": sum(m["slips"] for m in stages),
            "slippage_days": sum(m["slippage_days"] or 0 for m in stages)}


def milestone_list(pipeline: str, milestones: dict, today: date | None = None,
                   active: bool = False) -> list[dict]:
    """Every milestone of the pipeline in order, scheduled or not; with ``active`` and
    ``today``, those past their target and not achieved are marked overdue."""
    found = []
    for code, label in PIPELINES[pipeline].milestones:
        entry = milestones.get(code) or {"target": None, "first_target": None,
                                         "achieved": None, "slips": 0}
        reached = entry["achieved"] or entry["target"]
        slippage = None if not (reached and entry["first_target"]) else (
            date.fromisoformat(reached) - date.fromisoformat(entry["first_target"])).days
        overdue = bool(active and today and entry["achieved"] is None and entry["target"]
                       and date.fromisoformat(entry["target"]) < today)
        found.append({"code": code, "label": label, **entry, "slippage_days": slippage,
                      "overdue": overdue})
    return found


def pipeline_board(store, as_of=None, today=None) -> list[dict]:
    """Each provider's latest application as known at ``as_of`` (default: now)."""
    where, params = known_at(as_of)
    rows = store.query(f"SELECT * FROM pipeline_versions WHERE {where} "
                       "ORDER BY provider, attempt", params)
    latest = {row["provider"]: row for row in rows}
    return [_application(row, today or date.today()) for row in latest.values()]


def pipeline_row(store, provider: str, as_of=None, today=None) -> dict | None:
    """One provider's latest application as known at ``as_of``, or None if it had none."""
    where, params = known_at(as_of)
    rows = store.query(f"SELECT * FROM pipeline_versions WHERE provider = ? AND {where} "
                       "ORDER BY attempt DESC LIMIT 1", (provider.upper(), *params))
    return _application(rows[0], today or date.today()) if rows else None


def _application(row: dict, today: date) -> dict:
    stages = milestone_list(row["pipeline"], json.loads(row["milestones"]), today,
                            active=row["status"] == "in_progress")
    definition = PIPELINES[row["pipeline"]]
    return {
        "provider": row["provider"], "attempt": row["attempt"], "pipeline": row["pipeline"],
        "pipeline_name": definition.name, "status": row["status"], "stage": row["stage"],
        "stage_label": definition.label(row["stage"]) if row["stage"] else None,
        "started": row["started"], "authorised_on": row["authorised_on"],
        "deferred_until": row["deferred_until"], "status_reason": row["status_reason"],
        "status_changed_at": _iso(row["status_changed_at"]), "slips": row["slips"],
        "slippage_days": row["slippage_days"], "overdue": sum(m["overdue"] for m in stages),
        "milestones": stages, "last_position": row["position"],
        "last_recorded_at": _iso(row["recorded_from"]),
    }


def _iso(text: str | None) -> str | None:
    return None if text is None else parse_stamp(text).isoformat()
