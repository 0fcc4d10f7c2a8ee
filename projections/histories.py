"""Histories: every event that concerns an organisation, following merger lineage.

The projection files each event's position under every organisation it concerns
(see ``CREATION_PARTIES``), with the organisations it concerns, and records
lineage (predecessor -> successor). The events themselves are read from the log
when a history is asked for: the read model is an index of the log, not a second
copy of it. A history is read as known at any recorded time: events and lineage
recorded after it are left out.
"""

import logging
from datetime import datetime

import orjson

from projections.engine import Projection
from projections.eventlog import logged_row, records_at, stored_rows
from projections.timestamps import stamp

log = logging.getLogger("registry.projections")


class Histories(Projection):
    name = "histories"
    tables = {
        "history_subjects": "CREATE TABLE IF NOT EXISTS history_subjects ("
                            "aggregate_id TEXT PRIMARY KEY, codes TEXT NOT NULL)",
        "history_events": "CREATE TABLE IF NOT EXISTS history_events ("
                          "organisation TEXT NOT NULL, position BIGINT NOT NULL, "
                          "recorded_at TEXT NOT NULL, organisations TEXT NOT NULL, "
                          "PRIMARY KEY (organisation, position))",
        "history_lineage": "CREATE TABLE IF NOT EXISTS history_lineage ("
                           "predecessor TEXT NOT NULL, successor TEXT NOT NULL, "
                           "effective TEXT, recorded_at TEXT NOT NULL, position BIGINT, "
                           "PRIMARY KEY (predecessor, successor))",
    }
    indexes = ("CREATE INDEX IF NOT EXISTS history_lineage_successor "
               "ON history_lineage (successor)",)

    # Submission events, nearly all of the log, are filed by set-based SQL over the stored
    # rows (``file_range``): the same rows as ``apply`` would write, taken from the events
    # inside the database, which the runner then neither reads nor decodes. Every other
    # event goes through ``apply``. Off (``set_based = False``), every event is filed one
    # by one, in Python: the tests compare the two.
    set_based_aggregates = ("Submission",)
    # Each page rewrites the index leaf of every organisation it files under (hundreds):
    # five pages at once write each of those leaves once instead of five times.
    pages_of = 5

    def start_page(self, cursor) -> None:
        self.subjects = Subjects("history_subjects")
        self.rows: list[tuple] = []

    def read_ahead(self, cursor, events) -> None:
        self.subjects.read_ahead(cursor, events)

    def apply(self, cursor, logged) -> None:
        codes = self.subjects.concerned(cursor, logged)
        if not codes:
            return
        recorded, listed = logged.recorded_stamp, _listed(codes)
        self.rows.extend((code, logged.position, recorded, listed) for code in codes)
        if (logged.aggregate_type, logged.event_type) == ("Organisation", "Merged"):
            cursor.execute(
                "INSERT INTO history_lineage VALUES (?, ?, ?, ?, ?)",
                (codes[0], logged.plain["successor"], str(logged.plain["effective"]),
                 recorded, logged.position))

    def finish_page(self, cursor) -> None:
        """The page's rows, written together."""
        self.subjects.write(cursor)
        cursor.executemany("INSERT INTO history_events (organisation, position, recorded_at, "
                           "organisations) VALUES (?, ?, ?, ?)", self.rows)

    def file_range(self, cursor, after: int, last: int, held: int | None = None) -> None:
        """The submission events after ``after`` up to ``last``, filed by ``SUBMISSIONS``
        SQL over the stored events. A submission concerns its provider, named by its
        creation event (version 1), which the SQL reads from the log by the log's own
        key: submissions need no rows in ``history_subjects``. An event whose stored time
        the SQL does not read (not first in the stored JSON, or not UTC to the
        microsecond) is filed in Python, with the same values. Such events are looked
        for (a query that reads every state of the range again) unless the SQL filed as
        many events as the range holds (``held``, when counted). If the SQL fails (a
        submission filed twice, a provider missing), the events are tried one by one, so
        that the failure names its event, as ``apply`` would."""
        store = cursor.store
        submissions, params = store.of_aggregates(self.bulk_aggregates, "e.topic")
        statements = [statement.format(events=store.events_table,
                                       position=store.events_position,
                                       submissions=submissions)
                      for statement in SUBMISSIONS[cursor.engine]]
        cursor.execute("SAVEPOINT history_submissions")
        try:
            filed = cursor.execute(statements[0], (after, last, *params)).rowcount
        except Exception:
            cursor.execute("ROLLBACK TO SAVEPOINT history_submissions")
            self.file_each(cursor, after, last, lambda at: cursor.execute(
                statements[0], (at - 1, at, *params)))
            filed = None
        cursor.execute("RELEASE SAVEPOINT history_submissions")
        untimed = [] if filed is not None and filed == held else cursor.execute(
            statements[1], (after, last, *params)).fetchall()
        if untimed:
            events = {int(r["position"]): r for r in untimed}
            for position, row in stored_rows(cursor, store, events).items():
                provider = events[position]["provider"]
                if provider is not None:
                    recorded = logged_row(row, store.mapper).recorded_stamp
                    self.rows.append((provider, position, recorded, _listed([provider])))


# ``file_range``'s statements, per engine. The first files each submission event
# of a range whose stored JSON begins with its recorded time in UTC to the microsecond
# ('{"timestamp":{"_type_":"datetime_iso","_data_":"YYYY-MM-DDTHH:MM:SS.ffffff+00:00"}',
# as the library writes it), with that time as ``LoggedEvent.recorded_stamp`` gives it
# ("YYYY-MM-DDTHH:MM:SS.ffffffZ"), under the provider its creation event names. The
# second gives the provider of each event of the range that the first leaves out.
_STORED_TIME = '{"timestamp":{"_type_":"datetime_iso","_data_":"'
_SQLITE_TIMED = (f"substr(e.state, 1, 48) = CAST('{_STORED_TIME}' AS BLOB) AND "
                 "substr(e.state, 75, 8) = CAST('+00:00\"}' AS BLOB)"
                 ).replace("{", "{{").replace("}", "}}")  # kept through str.format
_POSTGRES_TIMED = (f"substring(e.state from 1 for 48) = convert_to('{_STORED_TIME}', 'UTF8') "
                   "AND substring(e.state from 75 for 8) = convert_to('+00:00\"}', 'UTF8')"
                   ).replace("{", "{{").replace("}", "}}")
# For other read models' statements: the condition above and the recorded time it reads.
TIMED = {"sqlite": _SQLITE_TIMED, "postgres": _POSTGRES_TIMED}
RECORDED = {"sqlite": "CAST(substr(e.state, 49, 26) AS TEXT) || 'Z'",
            "postgres": "convert_from(substring(e.state from 49 for 26), 'UTF8') || 'Z'"}
SUBMISSIONS = {
    "sqlite": (f"""INSERT INTO history_events (organisation, position, recorded_at, organisations)
SELECT provider, position, recorded_at, json_array(provider) FROM (
  SELECT json_extract(CAST(CASE WHEN e.originator_version = 1 THEN e.state ELSE (
           SELECT c.state FROM {{events}} c WHERE c.originator_id = e.originator_id
           AND c.originator_version = 1) END AS TEXT), '$.provider') AS provider,
         e.{{position}} AS position, CAST(substr(e.state, 49, 26) AS TEXT) || 'Z' AS recorded_at
  FROM {{events}} e
  WHERE e.{{position}} > ? AND e.{{position}} <= ? AND ({{submissions}}) AND {_SQLITE_TIMED}
  LIMIT -1)""", f"""SELECT e.{{position}} AS position,
       json_extract(CAST(c.state AS TEXT), '$.provider') AS provider
FROM {{events}} e LEFT JOIN {{events}} c
  ON c.originator_id = e.originator_id AND c.originator_version = 1
WHERE e.{{position}} > ? AND e.{{position}} <= ? AND ({{submissions}}) AND NOT ({_SQLITE_TIMED})"""),
    "postgres": (f"""INSERT INTO history_events (organisation, position, recorded_at, organisations)
SELECT provider, position, recorded_at, jsonb_build_array(provider)::text FROM (
  SELECT convert_from(CASE WHEN e.originator_version = 1 THEN e.state ELSE (
           SELECT c.state FROM {{events}} c WHERE c.originator_id = e.originator_id
           AND c.originator_version = 1) END, 'UTF8')::json ->> 'provider' AS provider,
         e.{{position}} AS position,
         convert_from(substring(e.state from 49 for 26), 'UTF8') || 'Z' AS recorded_at
  FROM {{events}} e
  WHERE e.{{position}} > ? AND e.{{position}} <= ? AND ({{submissions}}) AND {_POSTGRES_TIMED}
  OFFSET 0) AS filed""", f"""SELECT e.{{position}} AS position,
       convert_from(c.state, 'UTF8')::json ->> 'provider' AS provider
FROM {{events}} e LEFT JOIN {{events}} c
  ON c.originator_id = e.originator_id AND c.originator_version = 1
WHERE e.{{position}} > ? AND e.{{position}} <= ? AND ({{submissions}}) AND NOT ({_POSTGRES_TIMED})"""),
}


CREATION_PARTIES = {
    ("Organisation", "Registered"): ("code",),
    ("Submission", "Submitted"): ("provider",),
    ("Contract", "Awarded"): ("commissioner", "provider"),
    ("FTApplication", "Started"): ("provider",),
    ("Notice", "Raised"): ("organisation", "provider"),
}
OTHER_PARTIES = {
    ("Organisation", "Merged"): "successor",
    ("Organisation", "ServicesTransferred"): "recipient",
    ("Contract", "Novated"): "new_provider",
}


def concerned(cursor, logged, subjects: str) -> list[str]:
    """The organisations an event concerns; creation events name them, others inherit.

    ``subjects`` is the calling projection's own table (aggregate_id, codes), so each
    read model that files events by organisation stays rebuildable on its own.
    """
    table = Subjects(subjects)
    codes = table.concerned(cursor, logged)
    table.write(cursor)
    return codes


class Subjects:
    """``concerned`` for a page of events. ``read_ahead`` looks up the page's aggregates
    in one query; what the page learns is kept in memory, so later events of the page
    find it without a query, and written once, by ``write``, in the page's transaction."""

    def __init__(self, table: str):
        self.table = table
        self.stored: dict[str, list[str]] = {}  # codes in the table, for keys looked up
        self.looked: set[str] = set()  # keys whose stored codes (or absence) are known
        self.known: dict[str, list[str]] = {}  # codes as this page leaves them
        self.created: set[str] = set()  # to insert
        self.changed: set[str] = set()  # stored before this page, to update

    def read_ahead(self, cursor, events) -> None:
        keys = list(dict.fromkeys(e.key for e in events))
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            for row in cursor.execute(
                    f"SELECT aggregate_id, codes FROM {self.table} WHERE aggregate_id IN "
                    f"({', '.join('?' * len(chunk))})", chunk).fetchall():
                self.stored[row["aggregate_id"]] = orjson.loads(row["codes"])
            self.looked.update(chunk)

    def _look_up(self, cursor, key: str) -> None:
        if key not in self.looked:
            row = cursor.execute(f"SELECT codes FROM {self.table} WHERE aggregate_id = ?",
                                 (key,)).fetchone()
            if row:
                self.stored[key] = orjson.loads(row["codes"])
            self.looked.add(key)

    def concerned(self, cursor, logged) -> list[str]:
        key = logged.key
        data = logged.plain
        parties = CREATION_PARTIES.get((logged.aggregate_type, logged.event_type))
        if parties:
            codes = ([data[parties[0]]] if len(parties) == 1
                     else list(dict.fromkeys(data[f] for f in parties)))
            self._look_up(cursor, key)
            if key in self.stored or key in self.created:
                # Created twice (a row inserted behind the registry's back): the table's
                # key refuses it here, at this event, as a one-row INSERT would.
                self.write(cursor)
                cursor.execute(f"INSERT INTO {self.table} VALUES (?, ?)",
                               (key, _listed(codes)))
            self.known[key] = list(codes)
            self.created.add(key)
            return codes
        if key not in self.known:
            self._look_up(cursor, key)
            self.known[key] = list(self.stored.get(key, []))
        codes = list(self.known[key])
        other = data.get(OTHER_PARTIES.get((logged.aggregate_type, logged.event_type), ""))
        if other and other not in codes:
            codes.append(other)
            if logged.aggregate_type == "Contract" and (key in self.created
                                                        or key in self.stored):
                self.known[key] = list(codes)
                if key not in self.created:
                    self.changed.add(key)
        return codes

    def write(self, cursor) -> None:
        cursor.executemany(f"INSERT INTO {self.table} VALUES (?, ?)",
                           [(key, _listed(self.known[key])) for key in self.created])
        cursor.executemany(f"UPDATE {self.table} SET codes = ? WHERE aggregate_id = ?",
                           [(_listed(self.known[key]), key) for key in self.changed])
        for key in self.created | self.changed:
            self.stored[key] = list(self.known[key])
            self.looked.add(key)
        self.created, self.changed = set(), set()


def _listed(codes: list[str]) -> str:
    """Codes as stored: a compact JSON list."""
    return orjson.dumps(codes).decode()


def lineage(store, code: str, as_of: datetime | None = None) -> list[str]:
    """The organisation and all its predecessors (recursively), as known at ``as_of``."""
    known_at = stamp(as_of) if as_of else "9999"
    found, frontier = [code], [code]
    with store.reading() as cursor:
        while frontier:
            marks = ",".join("?" * len(frontier))
            rows = cursor.execute(
                f"SELECT predecessor FROM history_lineage WHERE successor IN ({marks}) "
                "AND recorded_at <= ? ORDER BY predecessor", (*frontier, known_at)).fetchall()
            frontier = [r["predecessor"] for r in rows if r["predecessor"] not in found]
            found += frontier
    return found


def history(store, code: str, as_of: datetime | None = None) -> list[dict]:
    """Every event concerning ``code`` or its predecessors, in recorded order: each event's
    record (``LoggedEvent.as_dict``) with the organisations it concerns."""
    return history_page(store, code, as_of)["items"]


def history_page(store, code: str, as_of: datetime | None = None, after: int | None = None,
                 limit: int | None = None) -> dict:
    """The events of ``history`` after position ``after`` (the previous page's ``next``),
    at most ``limit`` of them (all without): {"items": [...], "next": the position to
    pass as ``after`` for the next page, or None on the last}."""
    limit = None if limit is None else int(limit)
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    codes = lineage(store, code.upper(), as_of)
    marks = ",".join("?" * len(codes))
    known_at = stamp(as_of) if as_of else "9999"
    where, params = "", [*codes, known_at]
    if after is not None:
        where = " AND position > ?"
        params.append(int(after))
    if limit is not None:
        # An event filed under several of the lineage's organisations has a row under
        # each: enough rows for one more event than the page, however they repeat.
        where += " ORDER BY position LIMIT ?"
        params.append((limit + 1) * len(codes))
    else:
        where += " ORDER BY position"
    with store.reading() as cursor:
        rows = cursor.execute(
            f"SELECT position, organisations FROM history_events WHERE organisation IN "
            f"({marks}) AND recorded_at <= ?{where}", params).fetchall_raw()
        # An event concerning an organisation and its predecessor (a merger) is filed
        # under each, with the same organisations: adjacent in position order, the
        # repeats are skipped.
        filed, last = [], None
        for row in rows:  # thousands at a decade's length
            if row["position"] != last:
                filed.append((int(row["position"]), row["organisations"]))
                last = row["position"]
        more = limit is not None and len(filed) > limit
        filed = filed[:limit]
        unreadable: dict = {}
        events = records_at(cursor, store, [position for position, _ in filed], unreadable)
    records, missing = [], []
    for position, organisations in filed:
        if position not in events:
            if position not in unreadable:
                missing.append(position)
            continue
        record = events[position]
        record["organisations"] = orjson.loads(organisations)
        records.append(record)
    if missing:
        # Removed from the log behind the registry's back: the history is what the log
        # holds; the audit index still lists them and the ledger's verification names them.
        log.warning("the history of %s leaves out events the log no longer holds: %s",
                    code.upper(), ", ".join(map(str, missing[:20])))
    if unreadable:
        # Altered behind the registry's back into something that is not an event: left
        # out as if removed; the audit index shows them as stored.
        log.warning("the history of %s leaves out events whose stored state cannot be "
                    "read: %s", code.upper(), ", ".join(map(str, sorted(unreadable)[:20])))
    return {"items": records, "next": filed[-1][0] if more else None}
