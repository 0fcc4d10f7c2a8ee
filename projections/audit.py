"""Audit index: every stored event, findable by who, what, when, why and for whom.

One row per event with its provenance spread into columns (actor, channel,
reason, source file and row) so an auditor can filter without decoding payloads;
each event is filed under every organisation it concerns, by the same rules as the
histories (``projections.histories.Subjects``): under the one organisation most events
concern (a submission's provider) in the row's own ``organisation`` column, under
several (a contract's commissioner and provider, a merger's two trusts) in a link
table. The payloads are read from the log when a page is shown: the index does not
keep a second copy of them.
Events never change, so "as known at T" is simply "recorded by T". Lists page by
log position, newest first, with a cursor, so a page never repeats or skips an
event that arrives while someone is reading.
"""

import json
from collections.abc import Callable
from typing import ClassVar

from projections.engine import Projection
from projections.eventlog import (
    Unreadable,
    creation_event,
    logged_row,
    plain_json,
    records_at,
    stored_rows,
)
from projections.histories import RECORDED, TIMED, Subjects
from projections.parallel import read_in_parallel
from projections.readahead import ReadsAhead
from projections.store import placeholders
from projections.timestamps import parse_stamp, stamp
from projections.versions import known_by, moment

MAX_LIMIT = 500
# Nearly every event is a submission's: the index of kinds files only the others. A page of
# submissions alone is read in log order from the newest event back, nearly all of which
# are submissions. A query names this condition, word for word, to be read from that
# index (both engines' planners match a partial index by its condition).
NOT_SUBMISSIONS = "aggregate_type <> 'Submission'"
# Likewise nearly every event is a submission's creation: the index of event types files
# only the others, and a query for one of them names this condition word for word.
NOT_SUBMITTED = "event_type <> 'Submitted'"
# The events' key on PostgreSQL (on SQLite, the table's rowid: see ``Audit.indexes``).
EVENTS_KEY = "CREATE UNIQUE INDEX IF NOT EXISTS audit_events_position ON audit_events (position)"
# Secrets' digests are stored in User events; the audit shows that they changed, not them.
REDACTED = ("password_hash", "digest")
COLUMNS = ("position", "recorded_at", "aggregate_type", "aggregate_id", "version",
           "event_type", "actor_user", "actor_role", "actor_organisation", "channel",
           "reason", "source_file", "source_sha256", "source_row", "period", "indicator",
           "service_line", "organisation")
# Submissions, indicators and notices carry their cell in the creation event only.
CELL_FROM = {("Submission", "Submitted"): ("period", "indicator", "service_line"),
             ("Indicator", "Defined"): (None, "code", None),
             ("Notice", "Raised"): ("period", "indicator", "service_line")}


class Audit(ReadsAhead, Projection):
    name = "audit"
    tables: ClassVar[dict[str, str]] = {
        "audit_events": "CREATE TABLE IF NOT EXISTS audit_events ("
        "position BIGINT NOT NULL, recorded_at TEXT NOT NULL, aggregate_type TEXT NOT NULL, "
        "aggregate_id TEXT NOT NULL, version INTEGER NOT NULL, event_type TEXT NOT NULL, "
        "actor_user TEXT, actor_role TEXT, actor_organisation TEXT, channel TEXT, reason TEXT, "
        "source_file TEXT, source_sha256 TEXT, source_row INTEGER, period TEXT, "
        "indicator TEXT, service_line TEXT, organisation TEXT)",
        # The filings of the events that concern more than one organisation.
        "audit_organisations": "CREATE TABLE IF NOT EXISTS audit_organisations ("
        "position BIGINT NOT NULL, code TEXT NOT NULL)",
        "audit_subjects": "CREATE TABLE IF NOT EXISTS audit_subjects ("
        "aggregate_id TEXT PRIMARY KEY, codes TEXT NOT NULL)",
    }
    # The keys are unique indexes rather than primary keys, so that a rebuild writes its
    # rows into tables without an index and sorts each index once at the end: on
    # PostgreSQL, keeping the two keys up to date row by row took a third of the time of
    # copying the rows in. On SQLite the events' key is the table's own rowid instead
    # (``table_ddl``): rows are written in log order, so it costs the writes nothing, and
    # there is no index of it to sort (0.75 of 32 s of a full-scale rebuild).
    indexes = (
        EVENTS_KEY,
        "CREATE UNIQUE INDEX IF NOT EXISTS audit_organisations_key ON audit_organisations "
        "(position, code)",
    ) + tuple(
        f"CREATE INDEX IF NOT EXISTS audit_events_{name} ON audit_events ({columns}, position)"
        for name, columns in (("recorded", "recorded_at"), ("actor", "actor_user"),
                              ("period", "period"), ("aggregate", "aggregate_id"),
                              ("organisation", "organisation"))
    ) + (f"CREATE INDEX IF NOT EXISTS audit_events_type ON audit_events "
         f"(event_type, position) WHERE {NOT_SUBMITTED}",
         f"CREATE INDEX IF NOT EXISTS audit_events_aggregate_type ON audit_events "
         f"(aggregate_type, position) WHERE {NOT_SUBMISSIONS}",
         "CREATE INDEX IF NOT EXISTS audit_organisations_code ON audit_organisations "
         "(code, position)")

    # Submission events, nearly all of the log, are filed by set-based SQL over the stored
    # rows (``file_range``), with the values ``apply`` would give them; off
    # (``set_based = False``), every event goes through ``apply``: the tests compare them.
    set_based_aggregates = ("Submission",)
    # Each transaction rewrites the index leaves its rows land on, spread over ten
    # indexes: five pages at once write each leaf once instead of up to five times.
    pages_of = 5
    # Its pages look nothing up in its own tables (a cell comes from the log), so a
    # rebuild creates the ten indexes, keys included, once the rows are in.
    defer_indexes = True

    def table_ddl(self, table: str, engine: str) -> str:
        ddl = super().table_ddl(table, engine)
        if table == "audit_events" and engine == "sqlite":
            return ddl.replace("position BIGINT NOT NULL", "position INTEGER PRIMARY KEY")
        return ddl

    def indexes_on(self, engine: str) -> tuple[str, ...]:
        if engine == "sqlite":  # the rowid is the key
            return tuple(ddl for ddl in self.indexes if ddl != EVENTS_KEY)
        return self.indexes

    def read_ahead_statement(self, store) -> tuple[str, Callable]:
        """On SQLite, a worker reads two ranges in three of submissions ahead during a long
        catch-up (``projections.readahead``): the ``SELECT`` of ``file_range``'s own
        statement."""
        submissions, params = store.of_aggregates(self.bulk_aggregates, "e.topic")
        return (_SQLITE_READ.format(events=store.events_table,
                                    position=store.events_position, submissions=submissions),
                lambda after, last: (after, last, *params))

    def start_page(self, cursor) -> None:
        self.subjects = Subjects("audit_subjects")
        self.events: list[tuple] = []
        self.organisations: list[tuple] = []

    def read_ahead(self, cursor, events) -> None:
        self.subjects.read_ahead(cursor, events)

    def apply(self, cursor, logged) -> None:
        codes = [code for code in dict.fromkeys(self.subjects.concerned(cursor, logged))
                 if code]
        if len(codes) == 1:
            self._index(cursor, logged, codes[0])
        else:
            self._index(cursor, logged)
            self.organisations.extend((logged.position, code) for code in codes)

    def _index(self, cursor, logged, organisation: str | None = None) -> None:
        """The event's row in ``audit_events``, to be written with the page; with the
        one organisation it concerns (the row of an event concerning none or several has
        none: the link table files it)."""
        prov = logged.plain.get("provenance") or {}
        actor, source = prov.get("actor") or {}, prov.get("source") or {}
        cell = self._cell(cursor, logged, logged.plain)
        self.events.append(
            (logged.position, logged.recorded_stamp, logged.aggregate_type, logged.key,
             logged.version, logged.event_type,
             actor.get("user_id"), actor.get("role"), actor.get("organisation"),
             prov.get("channel"), prov.get("reason"), source.get("file"),
             source.get("sha256"), source.get("row"), *cell, organisation))

    def file_range(self, cursor, after: int, last: int, held: int | None = None) -> None:
        """The submission events after ``after`` up to ``last``, indexed by ``SUBMISSIONS``
        SQL over the stored events: provenance from each event's stored JSON, the cell
        and the provider (the organisation a submission concerns) from its creation
        event (version 1), read by the log's own key. An event whose stored time or
        aggregate id the SQL does not read as ``apply`` would is indexed in Python. Such
        events are looked for (a query that reads every state of the range again) unless
        the SQL indexed as many events as the range holds (``held``, when counted). If
        the SQL fails, the events are tried one by one, so that the failure names its
        event, as ``apply`` would."""
        store = cursor.store
        submissions, topics = store.of_aggregates(self.bulk_aggregates, "e.topic")
        params = (after, last, *topics)
        statements = tuple(
            statement and statement.format(events=store.events_table,
                                           position=store.events_position,
                                           submissions=submissions)
            for statement in SUBMISSIONS[cursor.engine])
        cursor.execute("SAVEPOINT audit_submissions")
        try:
            left = _indexed_range(cursor, statements, params, held,
                                  self.read_ahead_table(after, last))
        except Exception:
            cursor.execute("ROLLBACK TO SAVEPOINT audit_submissions")
            each = self.file_each(cursor, after, last, lambda at: _indexed_range(
                cursor, statements, (at - 1, at, *topics), None, None))
            left = [row for rows in each for row in rows]
        cursor.execute("RELEASE SAVEPOINT audit_submissions")
        providers = {int(r["position"]): r["provider"] for r in left}
        for position, row in sorted(stored_rows(cursor, store, list(providers)).items()):
            self._index(cursor, logged_row(row, store.mapper), providers[position])

    def finish_page(self, cursor) -> None:
        """The page's rows, written together."""
        cursor.executemany(f"INSERT INTO audit_events ({', '.join(COLUMNS)}) VALUES "
                           f"({placeholders(COLUMNS)})", self.events)
        self.subjects.write(cursor)
        cursor.executemany("INSERT INTO audit_organisations VALUES (?, ?)", self.organisations)

    def _cell(self, cursor, logged, state: dict) -> tuple:
        """(period, indicator, service_line) of the event: from the aggregate's creation
        event, read from the log by its own key, for the aggregates ``CELL_FROM`` names."""
        fields = CELL_FROM.get((logged.aggregate_type, logged.event_type))
        if fields:
            return tuple(state.get(f) if f else None for f in fields)
        if logged.version == 1 or logged.aggregate_type not in {a for a, _ in CELL_FROM}:
            return None, None, None
        creation = creation_event(cursor, cursor.store, logged.aggregate_id)
        fields = creation and CELL_FROM.get((creation.aggregate_type, creation.event_type))
        if not fields:
            return None, None, None
        return tuple(creation.plain.get(f) if f else None for f in fields)


def _indexed_range(cursor, statements: tuple, params: tuple, held: int | None,
                   ahead: str | None) -> list:
    """The range's submission events indexed by ``SUBMISSIONS``' statements (or copied
    from the table ``ahead``, a read-ahead worker's rows of the range); the rows
    (position, provider) of those the SQL leaves to Python, looked for unless it indexed
    ``held`` events."""
    read, index, others = statements
    if ahead:
        indexed = cursor.execute(f"{_INSERT}SELECT * FROM {ahead}").rowcount
        return [] if indexed == held else cursor.execute(others, params).fetchall()
    if read:
        read_in_parallel(cursor, "audit_parsed", read, params)
        indexed = cursor.execute(index).rowcount
        return [] if indexed == held else cursor.execute(others).fetchall()
    indexed = cursor.execute(index, params).rowcount
    return [] if indexed == held else cursor.execute(others, params).fetchall()


# ``file_range``'s statements, per engine, in this order: on PostgreSQL, the values of the
# range's submission events cut out of their stored states into a temporary table, which
# the others copy from (``projections.parallel.read_in_parallel``; SQLite, on one core,
# inserts them as it reads them: None); the events indexed (those whose stored time ``TIMED``
# reads, and on SQLite whose aggregate id is stored as 32 hex digits, as the library
# writes it); the positions and providers of those it leaves to Python. Each event's
# provenance comes from its own stored JSON, its cell and provider from its aggregate's
# creation event (version 1).
_INDEXED = ", ".join(COLUMNS)
_CREATION = ("CASE WHEN e.originator_version = 1 THEN e.state ELSE (SELECT c.state FROM "
             "{events} c WHERE c.originator_id = e.originator_id AND c.originator_version = 1) "
             "END")
_RANGE = "e.{position} > ? AND e.{position} <= ? AND ({submissions})"
_INSERT = f"INSERT INTO audit_events ({_INDEXED})\n"
_COPIED = """SELECT position, recorded_at, 'Submission', aggregate_id, version, event_type,
       actor_user, actor_role, actor_organisation, channel, reason, source_file,
       source_sha256, source_row, period, indicator, service_line, provider
FROM {parsed} WHERE timed"""
_COPY = _INSERT + _COPIED
_SQLITE_TIMED = f"({TIMED['sqlite']} AND length(e.originator_id) = 32)"
# SQLite's JSON functions keep the last few documents they parsed, so the values cut out
# of one state parse it once; the subquery's LIMIT keeps it from being merged into the
# query above, which would convert each state to text once per value. The rows in the
# order of ``COLUMNS``, which a read-ahead worker reads into a table of its own.
_SQLITE_READ = _COPIED.replace("{parsed}", f"""(
SELECT position, recorded_at, aggregate_id, version, event_type, timed,
       json_extract(s, '$.provenance.actor.user_id') AS actor_user,
       json_extract(s, '$.provenance.actor.role') AS actor_role,
       json_extract(s, '$.provenance.actor.organisation') AS actor_organisation,
       json_extract(s, '$.provenance.channel') AS channel,
       json_extract(s, '$.provenance.reason') AS reason,
       json_extract(s, '$.provenance.source.file') AS source_file,
       json_extract(s, '$.provenance.source.sha256') AS source_sha256,
       json_extract(s, '$.provenance.source.row') AS source_row,
       json_extract(c, '$.period') AS period, json_extract(c, '$.indicator') AS indicator,
       json_extract(c, '$.service_line') AS service_line,
       json_extract(c, '$.provider') AS provider
FROM (SELECT e.{{position}} AS position, {RECORDED['sqlite']} AS recorded_at,
             substr(e.originator_id, 1, 8) || '-' || substr(e.originator_id, 9, 4) || '-' ||
             substr(e.originator_id, 13, 4) || '-' || substr(e.originator_id, 17, 4) || '-' ||
             substr(e.originator_id, 21) AS aggregate_id,
             e.originator_version AS version,
             substr(e.topic, instr(e.topic, ':Submission.') + 12) AS event_type,
             1 AS timed, CAST(e.state AS TEXT) AS s, CAST({_CREATION} AS TEXT) AS c
      FROM {{events}} e WHERE {_RANGE} AND {_SQLITE_TIMED} LIMIT -1))""")
SUBMISSIONS = {
    "sqlite": (None, _INSERT + _SQLITE_READ, f"""SELECT e.{{position}} AS position,
       json_extract(CAST({_CREATION} AS TEXT), '$.provider') AS provider
FROM {{events}} e WHERE {_RANGE} AND NOT {_SQLITE_TIMED}"""),
    # On PostgreSQL the temporary table is filled by a parallel plan: each state parsed
    # once, as ``jsonb``, in the worker that reads it.
    "postgres": (f"""SELECT position, recorded_at, aggregate_id, version, event_type, timed,
       s #>> '{{{{provenance,actor,user_id}}}}' AS actor_user,
       s #>> '{{{{provenance,actor,role}}}}' AS actor_role,
       s #>> '{{{{provenance,actor,organisation}}}}' AS actor_organisation,
       s #>> '{{{{provenance,channel}}}}' AS channel,
       s #>> '{{{{provenance,reason}}}}' AS reason,
       s #>> '{{{{provenance,source,file}}}}' AS source_file,
       s #>> '{{{{provenance,source,sha256}}}}' AS source_sha256,
       (s #>> '{{{{provenance,source,row}}}}')::integer AS source_row,
       c ->> 'period' AS period, c ->> 'indicator' AS indicator,
       c ->> 'service_line' AS service_line, c ->> 'provider' AS provider
FROM (SELECT *, CASE WHEN version = 1 THEN s ELSE created END AS c FROM (
        SELECT e.{{position}} AS position, {RECORDED['postgres']} AS recorded_at,
               e.originator_id::text AS aggregate_id, e.originator_version AS version,
               substring(e.topic from position(':Submission.' in e.topic) + 12)
                 AS event_type,
               unnest(ARRAY[convert_from(e.state, 'UTF8')::jsonb]) AS s,
               unnest(ARRAY[convert_from(origin.state, 'UTF8')::jsonb]) AS created,
               {TIMED['postgres']} AS timed
        FROM {{events}} e LEFT JOIN {{events}} origin
          ON origin.originator_id = CASE WHEN e.originator_version > 1
                                        THEN e.originator_id END
         AND origin.originator_version = 1
        WHERE {_RANGE}) AS stored) AS parsed""",
                 _COPY.replace("{parsed}", "audit_parsed"),
                 "SELECT position, provider FROM audit_parsed WHERE NOT timed"),
}


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
    limit = min(limit, MAX_LIMIT)
    query, params = page(parts(organisation, event_type, aggregate_type, actor, recorded_from,
                               recorded_to, period, as_of, after, aggregate_id), limit + 1)
    with store.reading() as cursor:
        rows = cursor.execute(query, params).fetchall()
        more = len(rows) > limit
        items = _items(cursor, store, rows[:limit])
    return {"items": items, "next": items[-1]["position"] if more else None}


def audit_event(store, position: int) -> dict | None:
    """One event of the audit index, or None if no event has that position."""
    with store.reading() as cursor:
        row = cursor.execute("SELECT * FROM audit_events WHERE position = ?",
                             (int(position),)).fetchone()
        return None if row is None else _items(cursor, store, [row])[0]


def _items(cursor, store, rows: list[dict]) -> list[dict]:
    """The index's rows as items: each with its organisations and its payload from the
    log (or why the log's copy cannot be read)."""
    codes = _organisations(cursor, rows)
    unreadable: dict[int, Unreadable] = {}
    data = _payloads(cursor, store, [row["position"] for row in rows], unreadable)
    return [_item(row, codes[row["position"]], data[row["position"]],
                  unreadable.get(row["position"])) for row in rows]


def parts(organisation=None, event_type=None, aggregate_type=None, actor=None,
          recorded_from=None, recorded_to=None, period=None, as_of=None, after=None,
          aggregate_id=None) -> list[tuple[list[str], list]]:
    """The (conditions, parameters) of each part of a page (``audit_events``' filters).

    One part, or for organisations two: the events filed under one of them in their own
    row, and those filed in the link table. An event is filed in one place or the
    other, never both, so the parts never repeat an event. An organisation's events are
    a few thousand at most: each part reads them by its own index and checks the other
    filters on the rows it finds, where a planner without statistics might walk another
    filter's index (every submission, say) looking for them."""
    filters = (event_type, aggregate_type, actor, recorded_from, recorded_to, period, as_of,
               after, aggregate_id)
    if not organisation:
        return [_conditions(*filters, _column)]
    codes = [organisation] if isinstance(organisation, str) else list(organisation)
    codes = [code.upper() for code in codes]
    marks = placeholders(codes)
    own, own_params = _conditions(*filters, _checked_but_position)
    shared, shared_params = _conditions(*filters, _checked)
    return [([f"e.organisation IN ({marks})", *own], [*codes, *own_params]),
            ([f"e.position IN (SELECT o.position FROM audit_organisations o WHERE o.code IN "
              f"({marks}))", *shared], [*codes, *shared_params])]


def page(pieces: list[tuple], size: int) -> tuple[str, list]:
    """The query of a page of ``size`` events, newest first, and its parameters: each of
    the ``parts`` is a ``page_query`` of its own; two parts' pages are merged, so that
    at most twice the page's size is sorted however many events match."""
    if len(pieces) == 1:
        (where, params), = pieces
        return page_query(where), [*params, size]
    query = " UNION ALL ".join(f"SELECT * FROM ({page_query(where)}) AS part{n}"
                               for n, (where, _) in enumerate(pieces))
    return (f"{query} ORDER BY position DESC LIMIT ?",
            [value for _, params in pieces for value in (*params, size)] + [size])


def page_query(where: list[str]) -> str:
    """The query of a page of the index: the newest events matching ``where``, in log
    order, the page's size its last parameter. A filter on one value of a column has an
    index of (that column, position), so that a page is read from it in log order, not
    sorted; a page of recorded times (or as known at a time) reads the log order itself."""
    return (f"SELECT * FROM audit_events e WHERE {' AND '.join(where) or '1 = 1'} "
            "ORDER BY e.position DESC LIMIT ?")


def open_queries(store, as_of=None) -> list[dict]:
    """Data queries raised on submissions and not answered (as known at ``as_of``), oldest
    first: who raised what on which figure, and whether the figure was since withdrawn."""
    where, params = ["e.aggregate_type = 'Submission'",
                     "e.event_type IN ('Queried', 'QueryAnswered', 'Withdrawn')",
                     f"e.{NOT_SUBMITTED}"], []
    if as_of is not None:
        where.append("e.recorded_at <= ?")
        params.append(known_by(as_of))
    with store.reading() as cursor:
        rows = cursor.execute(
            "SELECT e.position, e.recorded_at, e.aggregate_id, e.event_type, e.actor_user, "
            "e.actor_role, e.period, e.indicator, e.service_line, COALESCE(e.organisation, "
            "(SELECT MIN(o.code) FROM audit_organisations o WHERE o.position = e.position)) "
            "AS provider "
            f"FROM audit_events e WHERE {' AND '.join(where)} ORDER BY e.position",
            params).fetchall()
        payloads = _payloads(cursor, store, [r["position"] for r in rows])
    waiting, withdrawn = {}, set()
    for row in rows:
        data = payloads[row["position"]]
        if data is None:  # no longer in the log, or unreadable: the ledger reports it
            continue
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


def _column(name: str) -> str:
    return f"e.{name}"


def _checked(name: str) -> str:
    """A column whose condition is checked on the rows another index finds: ``|| ''``
    (``+ 0`` for the position) keeps both engines' planners off the column's index."""
    return f"(e.{name} + 0)" if name == "position" else f"(e.{name} || '')"


def _checked_but_position(name: str) -> str:
    """As ``_checked``, but a page's cursor still seeks an index of (column, position)."""
    return _column(name) if name == "position" else _checked(name)


def _conditions(event_type, aggregate_type, actor, recorded_from, recorded_to, period, as_of,
                after, aggregate_id, column) -> tuple[list[str], list]:
    """The conditions of the filters but the organisation, and their parameters, each
    column written by ``column``."""
    where, params = [], []

    def add(condition: str, *values) -> None:
        where.append(condition)
        params.extend(values)

    kinds = [aggregate_type] if aggregate_type else []
    if event_type:
        kind, _, name = event_type.rpartition(".")
        add(f"{column('event_type')} = ?", name)
        if name != "Submitted" and column is _column:
            add(f"e.{NOT_SUBMITTED}")  # read from the index of the other types
        kinds += [kind] if kind else []
    for kind in kinds:
        if event_type:
            # Its index gives the page and the kind is checked on the rows it finds: a
            # planner without statistics (SQLite's) might otherwise walk the kind's index.
            add(f"{_checked('aggregate_type')} = ?", kind)
        else:
            add(f"{column('aggregate_type')} = ?", kind)
            if kind != "Submission" and column is _column:
                add(f"e.{NOT_SUBMISSIONS}")
    if actor:
        add(f"{column('actor_user')} = ?", actor)
    if recorded_from is not None:
        add(f"{column('recorded_at')} >= ?", stamp(moment(recorded_from)))
    if recorded_to is not None:
        add(f"{column('recorded_at')} < ?", stamp(moment(recorded_to, end_of_day=True)))
    if period:
        add(f"{column('period')} = ?", period)
    if as_of is not None:
        add(f"{column('recorded_at')} <= ?", known_by(as_of))
    if after is not None:
        add(f"{column('position')} < ?", int(after))
    if aggregate_id:
        add(f"{column('aggregate_id')} = ?", str(aggregate_id))
    return where, params


def _organisations(cursor, rows: list[dict]) -> dict[int, list[str]]:
    """The organisations each row's event is filed under: its own, or the link table's."""
    found = {r["position"]: [r["organisation"]] for r in rows if r["organisation"]}
    filed = [r["position"] for r in rows if not r["organisation"]]
    for position in filed:
        found[position] = []
    if filed:
        for row in cursor.execute(f"SELECT position, code FROM audit_organisations WHERE "
                                  f"position IN ({placeholders(filed)}) ORDER BY position, "
                                  "code", filed).fetchall():
            found[row["position"]].append(row["code"])
    return found


def _payloads(cursor, store, positions: list[int],
              unreadable: dict | None = None) -> dict[int, dict | None]:
    """The payloads of the events at ``positions``, read from the log, secrets redacted
    and keys sorted at every level, as the index has always shown them; None for an
    event the log no longer holds (removed behind the registry's back: the index keeps
    who recorded it, when and why, and the ledger's verification reports it), or holds
    in a form that cannot be read (altered: put in ``unreadable``, see ``records_at``)."""
    records = records_at(cursor, store, positions, unreadable)
    found = {}
    for position in positions:
        if position not in records:
            found[position] = None
            continue
        data = records[position]["data"]
        for key in REDACTED:
            if key in data:
                data[key] = "[redacted]"
        found[position] = json.loads(plain_json(data))
    return found


def _item(row: dict, organisations: list[str], data: dict | None,
          unreadable: Unreadable | None = None) -> dict:
    values = previous = None
    if row["aggregate_type"] == "Submission" and data is not None:
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
        "in_log": data is not None or unreadable is not None,
        "payload_error": unreadable.error if unreadable else None,
        "stored_state": unreadable.stored if unreadable else None,
        "values": values, "previous_values": previous, "changed": _changed(previous, values),
    }


def _changed(previous: dict | None, values: dict | None) -> list[str]:
    """The value fields a restatement changed, for a side-by-side view."""
    if not previous or not values:
        return []
    return sorted(k for k in set(previous) | set(values) if previous.get(k) != values.get(k))
