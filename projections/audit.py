"""Audit index: every stored event, findable by who, what, when, why and for whom.

One row per event with its provenance spread into columns (actor, channel,
reason, source file and row) so an auditor can filter without decoding payloads;
a link table files each event under every organisation it concerns, by the same
rules as the histories (``projections.histories.Subjects``). Events never change,
so "as known at T" is simply "recorded by T". Lists page by log position, newest
first, with a cursor, so a page never repeats or skips an event that arrives
while someone is reading.
"""

import json
from typing import ClassVar

from projections.engine import Projection
from projections.eventlog import plain_json
from projections.histories import Subjects
from projections.store import placeholders
from projections.timestamps import parse_stamp, stamp
from projections.versions import known_by, moment

MAX_LIMIT = 500
# Secrets' digests are stored in User events; the audit shows that they changed, not them.
REDACTED = ("password_hash", "digest")
COLUMNS = ("position", "recorded_at", "aggregate_type", "aggregate_id", "version",
           "event_type", "actor_user", "actor_role", "actor_organisation", "channel",
           "reason", "source_file", "source_sha256", "source_row", "period", "indicator",
           "service_line", "data")
# Submissions, indicators and notices carry their cell in the creation event only.
CELL_FROM = {("Submission", "Submitted"): ("period", "indicator", "service_line"),
             ("Indicator", "Defined"): (None, "code", None),
             ("Notice", "Raised"): ("period", "indicator", "service_line")}


class Audit(Projection):
    name = "audit"
    tables: ClassVar[dict[str, str]] = {
        "audit_events": "CREATE TABLE IF NOT EXISTS audit_events ("
        "position BIGINT PRIMARY KEY, recorded_at TEXT NOT NULL, aggregate_type TEXT NOT NULL, "
        "aggregate_id TEXT NOT NULL, version INTEGER NOT NULL, event_type TEXT NOT NULL, "
        "actor_user TEXT, actor_role TEXT, actor_organisation TEXT, channel TEXT, reason TEXT, "
        "source_file TEXT, source_sha256 TEXT, source_row INTEGER, period TEXT, "
        "indicator TEXT, service_line TEXT, data TEXT NOT NULL)",
        "audit_organisations": "CREATE TABLE IF NOT EXISTS audit_organisations ("
        "position BIGINT NOT NULL, code TEXT NOT NULL, PRIMARY KEY (position, code))",
        "audit_subjects": "CREATE TABLE IF NOT EXISTS audit_subjects ("
        "aggregate_id TEXT PRIMARY KEY, codes TEXT NOT NULL)",
    }
    indexes = tuple(
        f"CREATE INDEX IF NOT EXISTS audit_events_{name} ON audit_events ({columns}, position)"
        for name, columns in (("recorded", "recorded_at"), ("actor", "actor_user"),
                              ("type", "event_type, aggregate_type"),
                              ("aggregate_type", "aggregate_type"), ("period", "period"),
                              ("aggregate", "aggregate_id"))
    ) + ("CREATE INDEX IF NOT EXISTS audit_organisations_code ON audit_organisations "
         + "(code, position)",)

    def start_page(self, cursor) -> None:
        self.subjects = Subjects("audit_subjects")
        self.events: list[tuple] = []
        self.organisations: list[tuple] = []
        self.first_cells: dict[str, tuple] = {}  # each aggregate's first cell in this page

    def read_ahead(self, cursor, events) -> None:
        self.subjects.read_ahead(cursor, events)

    def apply(self, cursor, logged) -> None:
        prov = logged.plain.get("provenance") or {}
        actor, source = prov.get("actor") or {}, prov.get("source") or {}
        data = logged.plain_data
        cell = self._cell(cursor, logged, data)
        for key in REDACTED:
            if key in data:
                data[key] = "[redacted]"
        self.events.append(
            (logged.position, logged.recorded_stamp, logged.aggregate_type, logged.key,
             logged.version, logged.event_type,
             actor.get("user_id"), actor.get("role"), actor.get("organisation"),
             prov.get("channel"), prov.get("reason"), source.get("file"),
             source.get("sha256"), source.get("row"), *cell, plain_json(data)))
        self.first_cells.setdefault(logged.key, cell)
        codes = self.subjects.concerned(cursor, logged)
        self.organisations.extend((logged.position, code) for code in dict.fromkeys(codes))

    def finish_page(self, cursor) -> None:
        """The page's rows, written together."""
        cursor.executemany(f"INSERT INTO audit_events VALUES ({placeholders(COLUMNS)})",
                           self.events)
        self.subjects.write(cursor)
        cursor.executemany("INSERT INTO audit_organisations VALUES (?, ?)", self.organisations)

    def _cell(self, cursor, logged, data: dict) -> tuple:
        """(period, indicator, service_line) of the event: from the aggregate's first event
        (the table's, or if it has none, this page's first)."""
        fields = CELL_FROM.get((logged.aggregate_type, logged.event_type))
        if fields:
            return tuple(data.get(f) if f else None for f in fields)
        if logged.aggregate_type not in {a for a, _ in CELL_FROM}:
            return None, None, None
        key = logged.key
        first = cursor.execute("SELECT period, indicator, service_line FROM audit_events "
                               "WHERE aggregate_id = ? ORDER BY position LIMIT 1",
                               (key,)).fetchone()
        if first:
            return first["period"], first["indicator"], first["service_line"]
        return self.first_cells.get(key, (None, None, None))


def audit_events(store, organisation=None, event_type=None, aggregate_type=None, actor=None,
                 recorded_from=None, recorded_to=None, period=None, as_of=None, after=None,
                 limit=50, aggregate_id=None) -> dict:
    """A page of events, newest first: {"items": [...], "next": cursor or None}.

    ``organisation`` is a code or a list of codes (e.g. a lineage); ``event_type`` is
    "Restated" or "Submission.Restated"; ``recorded_from`` is inclusive and
    ``recorded_to`` exclusive (a date as ``recorded_to`` includes that day);
    ``after`` is the previous page's ``next``.
    """
    limit = int(limit)
    if limit < 1:
        raise ValueError("limit must be at least 1")
    where, params = _filters(organisation, event_type, aggregate_type, actor, recorded_from,
                             recorded_to, period, as_of, after)
    if aggregate_id:
        where.append("e.aggregate_id = ?")
        params.append(str(aggregate_id))
    with store.reading() as cursor:
        rows = cursor.execute(
            f"SELECT * FROM audit_events e WHERE {' AND '.join(where) or '1 = 1'} "
            "ORDER BY e.position DESC LIMIT ?", (*params, min(limit, MAX_LIMIT) + 1)).fetchall()
        more = len(rows) > min(limit, MAX_LIMIT)
        rows = rows[:min(limit, MAX_LIMIT)]
        codes = _organisations(cursor, [r["position"] for r in rows])
    items = [_item(row, codes.get(row["position"], [])) for row in rows]
    return {"items": items, "next": items[-1]["position"] if more else None}


def audit_event(store, position: int) -> dict | None:
    """One event of the audit index, or None if no event has that position."""
    with store.reading() as cursor:
        row = cursor.execute("SELECT * FROM audit_events WHERE position = ?",
                             (int(position),)).fetchone()
        codes = _organisations(cursor, [row["position"]] if row else [])
    return _item(row, codes.get(row["position"], [])) if row else None


def open_queries(store, as_of=None) -> list[dict]:
    """Data queries raised on submissions and not answered (as known at ``as_of``), oldest
    first: who raised what on which figure, and whether the figure was since withdrawn."""
    where, params = ["e.aggregate_type = 'Submission'",
                     "e.event_type IN ('Queried', 'QueryAnswered', 'Withdrawn')"], []
    if as_of is not None:
        where.append("e.recorded_at <= ?")
        params.append(known_by(as_of))
    rows = store.query(
        "SELECT e.position, e.recorded_at, e.aggregate_id, e.event_type, e.actor_user, "
        "e.actor_role, e.period, e.indicator, e.service_line, e.data, (SELECT MIN(o.code) "
        "FROM audit_organisations o WHERE o.position = e.position) AS provider "
        f"FROM audit_events e WHERE {' AND '.join(where)} ORDER BY e.position", params)
    waiting, withdrawn = {}, set()
    for row in rows:
        data = json.loads(row["data"])
        if row["event_type"] == "Withdrawn":
            withdrawn.add(row["aggregate_id"])
        elif row["event_type"] == "QueryAnswered":
            waiting.pop((row["aggregate_id"], data["query_id"]), None)
        else:
            waiting[(row["aggregate_id"], data["query_id"])] = {
                "query_id": data["query_id"], "question": data["question"],
                "raised_at": parse_stamp(row["recorded_at"]).isoformat(),
                "raised_by": {"user_id": row["actor_user"], "role": row["actor_role"]},
                "provider": row["provider"], "indicator": row["indicator"],
                "service_line": row["service_line"], "period": row["period"],
                "aggregate_id": row["aggregate_id"], "position": row["position"]}
    return [{**query, "withdrawn": query["aggregate_id"] in withdrawn}
            for query in waiting.values()]


def _filters(organisation, event_type, aggregate_type, actor, recorded_from, recorded_to,
             period, as_of, after) -> tuple[list[str], list]:
    where, params = [], []

    def add(condition: str, *values) -> None:
        where.append(condition)
        params.extend(values)

    if organisation:
        codes = [organisation] if isinstance(organisation, str) else list(organisation)
        add(f"e.position IN (SELECT o.position FROM audit_organisations o WHERE o.code IN "
            f"({placeholders(codes)}))", *[c.upper() for c in codes])
    if event_type:
        kind, _, name = event_type.rpartition(".")
        add("e.event_type = ?", name)
        if kind:
            add("e.aggregate_type = ?", kind)
    if aggregate_type:
        add("e.aggregate_type = ?", aggregate_type)
    if actor:
        add("e.actor_user = ?", actor)
    if recorded_from is not None:
        add("e.recorded_at >= ?", stamp(moment(recorded_from)))
    if recorded_to is not None:
        add("e.recorded_at < ?", stamp(moment(recorded_to, end_of_day=True)))
    if period:
        add("e.period = ?", period)
    if as_of is not None:
        add("e.recorded_at <= ?", known_by(as_of))
    if after is not None:
        add("e.position < ?", int(after))
    return where, params


def _organisations(cursor, positions: list[int]) -> dict[int, list[str]]:
    if not positions:
        return {}
    rows = cursor.execute(f"SELECT position, code FROM audit_organisations WHERE position IN "
                          f"({placeholders(positions)}) ORDER BY position, code",
                          positions).fetchall()
    found: dict[int, list[str]] = {}
    for row in rows:
        found.setdefault(row["position"], []).append(row["code"])
    return found


def _item(row: dict, organisations: list[str]) -> dict:
    data = json.loads(row["data"])
    values = previous = None
    if row["aggregate_type"] == "Submission":
        values, previous = data.get("values"), data.get("previous_values")
    source = None if row["source_file"] is None else {
        "file": row["source_file"], "sha256": row["source_sha256"], "row": row["source_row"]}
    return {
        "position": row["position"],
        "recorded_at": parse_stamp(row["recorded_at"]).isoformat(),
        "aggregate_type": row["aggregate_type"], "aggregate_id": row["aggregate_id"],
        "version": row["version"], "event_type": row["event_type"],
        "actor": {"user_id": row["actor_user"], "role": row["actor_role"],
                  "organisation": row["actor_organisation"]},
        "channel": row["channel"], "reason": row["reason"], "source": source,
        "period": row["period"], "indicator": row["indicator"],
        "service_line": row["service_line"], "organisations": organisations, "data": data,
        "values": values, "previous_values": previous, "changed": _changed(previous, values),
    }


def _changed(previous: dict | None, values: dict | None) -> list[str]:
    """The value fields a restatement changed, for a side-by-side view."""
    if not previous or not values:
        return []
    return sorted(k for k in set(previous) | set(values) if previous.get(k) != values.get(k))
