"""Notices: what the scheduler's jobs raised, withdrew and reopened, as known at any time.

Each notice event closes the notice's current version and opens the next
(``projections.versions``), so the open notices "as known at" a recorded time are one
indexed condition, and a notice's history is its versions in order. The projection
also keeps what the overdue-submission job needs to know who is expected to submit
what (``projections.expectations``).
"""

from typing import ClassVar

from projections.engine import Projection
from projections.expectations import Expectations
from projections.timestamps import parse_stamp, stamp
from projections.versions import current, known_at, open_version, supersede

SUBJECT = ("kind", "organisation", "provider", "due", "indicator", "service_line", "period",
           "contract", "months_before", "attempt", "milestone")
COLUMNS = ("aggregate_id", "position", "recorded_from", "recorded_to", "event_type",
           "status", *SUBJECT, "raised_at", "raised_on", "noticed_on", "because", "reason")
STATUS = {"Raised": "open", "Reopened": "open", "Withdrawn": "withdrawn"}
EXPECTATIONS = Expectations()


class Notices(Projection):
    name = "notices"
    tables: ClassVar[dict[str, str]] = {
        "notice_versions": "CREATE TABLE IF NOT EXISTS notice_versions ("
        "aggregate_id TEXT NOT NULL, position BIGINT NOT NULL, recorded_from TEXT NOT NULL, "
        "recorded_to TEXT NOT NULL, event_type TEXT NOT NULL, status TEXT NOT NULL, "
        "kind TEXT NOT NULL, organisation TEXT NOT NULL, provider TEXT NOT NULL, "
        "due TEXT NOT NULL, indicator TEXT, service_line TEXT, period TEXT, contract TEXT, "
        "months_before INTEGER, attempt INTEGER, milestone TEXT, raised_at TEXT NOT NULL, "
        "raised_on TEXT NOT NULL, noticed_on TEXT NOT NULL, because TEXT, reason TEXT, "
        "PRIMARY KEY (aggregate_id, position))",
        **EXPECTATIONS.tables,
    }
    indexes = (
        ("CREATE INDEX IF NOT EXISTS notice_versions_current ON notice_versions "
         "(recorded_to, kind, status)"),
        ("CREATE INDEX IF NOT EXISTS notice_versions_aggregate ON notice_versions "
         "(aggregate_id, recorded_to)"))

    # The runner reads no other rows (``Projection.aggregates``).
    aggregates = ("Notice", *EXPECTATIONS.aggregates)

    def apply(self, cursor, logged) -> None:
        if logged.aggregate_type != "Notice":
            EXPECTATIONS.apply(cursor, logged)
            return
        d, kind = logged.data, logged.event_type
        if kind not in STATUS:
            return
        if kind == "Raised":
            row = {**{f: _text(d[f]) for f in SUBJECT}, "raised_at": stamp(logged.recorded_at),
                   "raised_on": str(d["noticed_on"])}
        else:
            row = current(cursor, "notice_versions", logged.aggregate_id)
        row.update(event_type=kind, status=STATUS[kind], noticed_on=str(d["noticed_on"]),
                   because=d.get("because"), reason=(logged.provenance or {}).get("reason"))
        if kind == "Raised":
            open_version(cursor, "notice_versions", COLUMNS, row, logged)
        else:
            supersede(cursor, "notice_versions", COLUMNS, row, logged)


def _text(value):
    return value if value is None or isinstance(value, (str, int)) else str(value)


def open_notices(store, kind=None, organisation=None, as_of=None, limit=None,
                 newest_first=False) -> list[dict]:
    """Notices open as known at ``as_of`` (default: now), by due date (``newest_first``:
    latest due first), at most ``limit``; ``organisation`` matches the one a notice is
    for or the provider it concerns."""
    where, params = known_at(as_of)
    where += " AND status = 'open'"
    if kind:
        where += " AND kind = ?"
        params += (kind,)
    if organisation:
        where += " AND (organisation = ? OR provider = ?)"
        params += (organisation.upper(), organisation.upper())
    order = "DESC" if newest_first else "ASC"
    query = (f"SELECT * FROM notice_versions WHERE {where} ORDER BY due {order}, kind, "
             "organisation, aggregate_id")
    if limit is not None:
        query += " LIMIT ?"
        params += (int(limit),)
    return [_notice(row) for row in store.query(query, params)]


def open_counts(store, as_of=None) -> dict[str, int]:
    """How many notices of each kind are open, as known at ``as_of``."""
    where, params = known_at(as_of)
    rows = store.query(f"SELECT kind, COUNT(*) AS n FROM notice_versions WHERE {where} "
                       "AND status = 'open' GROUP BY kind ORDER BY kind", params)
    return {row["kind"]: int(row["n"]) for row in rows}


def notice_history(store, aggregate_id) -> list[dict]:
    """Every version of one notice, oldest first: raised, withdrawn, reopened."""
    rows = store.query("SELECT * FROM notice_versions WHERE aggregate_id = ? "
                       "ORDER BY position", (str(aggregate_id),))
    return [_notice(row) for row in rows]


def notice_states(store, kind: str) -> dict[str, dict]:
    """The current version of every notice of a kind, by aggregate id (for the jobs)."""
    where, params = known_at()
    rows = store.query(f"SELECT * FROM notice_versions WHERE {where} AND kind = ?",
                       (*params, kind))
    return {row["aggregate_id"]: row for row in rows}


def _notice(row: dict) -> dict:
    return {**{k: row[k] for k in ("aggregate_id", "position", "event_type", "status",
                                   *SUBJECT, "raised_on", "noticed_on", "because", "reason")},
            "raised_at": parse_stamp(row["raised_at"]).isoformat(),
            "recorded_at": parse_stamp(row["recorded_from"]).isoformat()}
