"""Bitemporal fact tables kept by the figure projections (benchmarks, SPC).

Every version of every submission, organisation and indicator is kept with its
log position and recorded time, so figures can be computed from the facts as
they stand now or as they were known at any recorded time. Each projection keeps
its own copy (under its own table prefix) so it stays independent of the others.
"""

import json
from collections.abc import Callable
from functools import lru_cache

from projections import fact_filing
from projections.eventlog import aggregate_events
from projections.timestamps import stamp
from registry.periods import parse_period

_VALUES = ("numerator", "denominator", "value", "sd", "n")
_ORG_FIELDS = ("name", "kind", "region")
_INDICATOR_FIELDS = ("name", "measure", "unit", "multiplier", "polarity", "frequency",
                     "target", "service_lines", "domain", "subdomain")
LATEST = "9999-12-31T23:59:59.999999Z"
SUBMISSION_COLUMNS = ("aggregate_id", "version", "provider", "indicator", "service_line",
                      "period", "period_start", "position", "recorded_at", "withdrawn",
                      "numerator", "denominator", "value", "sd", "n")


class FactTables:
    def __init__(self, prefix: str, by_cell: bool = True):
        """``by_cell``: submission facts indexed by cell (indicator, service line,
        period), for a read model that reads every provider's figure of a cell; they
        are always indexed by series (provider, indicator, service line)."""
        self.p, self.by_cell = prefix, by_cell

    @property
    def tables(self) -> dict[str, str]:
        p = self.p
        return {
            f"{p}_submissions": f"CREATE TABLE IF NOT EXISTS {p}_submissions ("
            "aggregate_id TEXT NOT NULL, version INTEGER NOT NULL, provider TEXT NOT NULL, "
            "indicator TEXT NOT NULL, service_line TEXT NOT NULL, period TEXT NOT NULL, "
            "period_start TEXT NOT NULL, position BIGINT NOT NULL, recorded_at TEXT NOT NULL, "
            "withdrawn INTEGER NOT NULL, numerator BIGINT, denominator BIGINT, "
            "value TEXT, sd TEXT, n BIGINT, PRIMARY KEY (position))",
            f"{p}_organisations": f"CREATE TABLE IF NOT EXISTS {p}_organisations ("
            "code TEXT NOT NULL, aggregate_id TEXT NOT NULL, position BIGINT NOT NULL, "
            "recorded_at TEXT NOT NULL, name TEXT, kind TEXT, region TEXT, "
            "PRIMARY KEY (code, position))",
            f"{p}_indicators": f"CREATE TABLE IF NOT EXISTS {p}_indicators ("
            "code TEXT NOT NULL, aggregate_id TEXT NOT NULL, position BIGINT NOT NULL, "
            "recorded_at TEXT NOT NULL, definition TEXT NOT NULL, "
            "PRIMARY KEY (code, position))",
            # Period labels and their first days, for filing by SQL (``fact_filing``).
            f"{p}_periods": f"CREATE TABLE IF NOT EXISTS {p}_periods ("
            "label TEXT PRIMARY KEY, start TEXT NOT NULL)",
            f"{p}_lineage": f"CREATE TABLE IF NOT EXISTS {p}_lineage ("
            "predecessor TEXT NOT NULL, successor TEXT NOT NULL, effective TEXT NOT NULL, "
            "position BIGINT NOT NULL, recorded_at TEXT NOT NULL, "
            "PRIMARY KEY (predecessor, successor))",
        }

    @property
    def indexes(self) -> tuple[str, ...]:
        return self.deferred + self._kept

    @property
    def _kept(self) -> tuple[str, ...]:
        p = self.p
        return (f"CREATE INDEX IF NOT EXISTS {p}_organisations_id ON {p}_organisations "
                "(aggregate_id, position)",
                f"CREATE INDEX IF NOT EXISTS {p}_indicators_id ON {p}_indicators "
                "(aggregate_id, position)")

    @property
    def scratch(self) -> tuple[str, ...]:
        """Tables of these that are not facts (see ``Projection.scratch``)."""
        return (f"{self.p}_periods",)

    @property
    def deferred(self) -> tuple[str, ...]:
        """The indexes a rebuild creates after the facts are filed (one sort each,
        instead of an entry placed per fact at a point of the index unrelated to the
        log's order): the pages look submission facts up by position only, and by
        provider or indicator when an organisation or indicator changes, which is rare.
        A submission's earlier versions are read from the log (``_latest_submission``);
        queries find its newest version among its cell's rows (``newest``), so the facts
        need no index by submission."""
        p = self.p
        cell = (f"CREATE INDEX IF NOT EXISTS {p}_submissions_cell ON {p}_submissions "
                "(indicator, service_line, period, provider)",) if self.by_cell else ()
        return (*cell, f"CREATE INDEX IF NOT EXISTS {p}_submissions_series ON "
                f"{p}_submissions (provider, indicator, service_line)")

    def keys(self, cursor, columns: tuple[str, ...], column: str, codes) -> set[tuple]:
        """Distinct values of ``columns`` among submissions whose ``column`` is one of
        ``codes``: one query per 500 codes (during a rebuild the index that would serve
        one query per code is not there yet)."""
        codes, found = sorted(set(codes)), set()
        for start in range(0, len(codes), 500):
            chunk = codes[start:start + 500]
            rows = cursor.execute(f"SELECT DISTINCT {', '.join(columns)} FROM "
                                  f"{self.p}_submissions WHERE {column} IN "
                                  f"({', '.join('?' * len(chunk))})", chunk).fetchall()
            found.update(tuple(r[c] for c in columns) for r in rows)
        return found

    def submissions_at(self, cursor, where: str, params, known_at: str) -> list[dict]:
        """The latest version of each submission matching ``where``, as known at ``known_at``;
        withdrawn submissions are left out."""
        return cursor.execute(
            f"{self.newest(f'{self.p}_submissions s', f'{where} AND s.recorded_at <= ?')} "
            "ORDER BY provider", (*params, known_at)).fetchall()

    def newest(self, source: str, where: str) -> str:
        """A SELECT of the facts' columns of the newest version of each submission among
        the rows of ``source`` (the facts as ``s``, maybe joined) matching ``where``, not
        withdrawn. Every version of a submission has its cell, so a condition on the
        cell selects all of them or none."""
        return (f"SELECT {', '.join(SUBMISSION_COLUMNS)} FROM (SELECT s.*, ROW_NUMBER() OVER "
                "(PARTITION BY s.aggregate_id ORDER BY s.version DESC) AS newest "
                f"FROM {source} WHERE {where}) AS versions WHERE newest = 1 AND withdrawn = 0")

    def definition_at(self, cursor, code: str, known_at: str) -> dict | None:
        row = cursor.execute(f"SELECT definition FROM {self.p}_indicators WHERE code = ? AND "
                             "recorded_at <= ? ORDER BY position DESC LIMIT 1",
                             (code, known_at)).fetchone()
        return json.loads(row["definition"]) if row else None

    def organisations_at(self, cursor, codes, known_at: str) -> dict[str, dict]:
        """Each code's latest version as known at ``known_at``: one query per 500 codes."""
        codes, found = list(dict.fromkeys(codes)), {}
        for start in range(0, len(codes), 500):
            chunk = codes[start:start + 500]
            rows = cursor.execute(
                f"SELECT code, name, kind, region FROM {self.p}_organisations WHERE code IN "
                f"({', '.join('?' * len(chunk))}) AND recorded_at <= ? ORDER BY code, position",
                (*chunk, known_at)).fetchall()
            for row in rows:  # in position order: the latest version is the last one kept
                found[row["code"]] = row
        return found

    def lineage_at(self, cursor, known_at: str) -> list[dict]:
        """Every merger (predecessor, successor, effective) recorded by ``known_at``."""
        return cursor.execute(f"SELECT predecessor, successor, effective FROM {self.p}_lineage "
                              "WHERE recorded_at <= ? ORDER BY predecessor",
                              (known_at,)).fetchall()

    def apply(self, cursor, logged, page: "FactPage | None" = None) -> dict | None:
        """Record the facts an event carries; returns what changed, for dirty tracking.

        With ``page`` (``FactPage``) submission versions are buffered and written by
        ``page.write``, one executemany per page, which must come before anything reads
        the submissions table in that transaction; without, each is written at once.
        """
        handler = getattr(self, f"_{logged.aggregate_type}_{logged.event_type}", None)
        return handler(cursor, logged, page) if handler else None

    def file_range(self, cursor, after: int, last: int, name: str,
                   ahead: str | None = None) -> None:
        """File the submission events after ``after`` up to ``last`` by set-based SQL
        over the stored events (``fact_filing``), for the read model ``name``, which
        leaves them to SQL; the versions filed are those at positions in the range
        (their facts copied from ``ahead``, the table a read-ahead worker filled)."""
        fact_filing.file_range(self, cursor, after, last, name, ahead)

    def read_ahead_statement(self, store) -> tuple[str, Callable]:
        """For a read model filing these facts (``ReadsAhead``): the ``SELECT`` of the
        facts of a range on SQLite, and its parameters for a range. The table of period
        labels it reads is filled first (otherwise by the first range with submissions),
        so that the worker finds it full from its first range."""
        with store.applying() as cursor:
            fact_filing.ensure_periods(self, cursor)
        submissions, params = store.of_aggregates(("Submission",), "e.topic")
        return (fact_filing.SQLITE_READ.format(
                    events=store.events_table, position=store.events_position,
                    submissions=submissions, table=self.p),
                lambda after, last: (after, last, *params))

    def filed_in(self, columns: tuple[str, ...]) -> str:
        """A SELECT of the distinct ``columns`` of the versions filed from the positions
        after one parameter up to another."""
        return (f"SELECT DISTINCT {', '.join(columns)} FROM {self.p}_submissions "
                "WHERE position > ? AND position <= ?")

    def page(self) -> "FactPage":
        return FactPage(self)

    # submissions

    def _Submission_Submitted(self, cursor, logged, page=None):
        d = logged.plain
        row = {"provider": d["provider"], "indicator": d["indicator"],
               "service_line": d["service_line"], "period": d["period"], "withdrawn": 0,
               **{k: d["values"].get(k) for k in _VALUES}}
        return self._submission_version(cursor, logged, row, page)

    def _Submission_Restated(self, cursor, logged, page=None):
        row = self._latest_submission(cursor, logged)
        row.update({k: logged.plain["values"].get(k) for k in _VALUES})
        return self._submission_version(cursor, logged, row, page)

    def _Submission_Withdrawn(self, cursor, logged, page=None):
        row = self._latest_submission(cursor, logged)
        row["withdrawn"] = 1
        return self._submission_version(cursor, logged, row, page)

    def _latest_submission(self, cursor, logged) -> dict:
        """The submission as its earlier versions left it, folded from its events read
        from the log by the log's own key (not from the facts: a rebuild creates their
        index by aggregate last)."""
        row = None
        for event in aggregate_events(cursor, cursor.store, logged.aggregate_id,
                                      logged.version):
            if event.event_type == "Submitted":
                d = event.plain
                row = {"provider": d["provider"], "indicator": d["indicator"],
                       "service_line": d["service_line"], "period": d["period"],
                       "withdrawn": 0, **{k: d["values"].get(k) for k in _VALUES}}
            elif row is not None and event.event_type == "Restated":
                row.update({k: event.plain["values"].get(k) for k in _VALUES})
            elif row is not None and event.event_type == "Withdrawn":
                row["withdrawn"] = 1
        if row is None:
            raise LookupError(f"submission {logged.aggregate_id} has no first version in "
                              "the log")
        return row

    def _submission_version(self, cursor, logged, row: dict, page=None) -> dict:
        start = _period_start(row["period"])
        values = (logged.key, logged.version, row["provider"], row["indicator"],
                  row["service_line"], row["period"], start, logged.position,
                  logged.recorded_stamp, row["withdrawn"], row["numerator"],
                  row["denominator"], as_text(row["value"]), as_text(row["sd"]), row["n"])
        if page is None or not page.buffer(cursor, values):
            cursor.execute(f"INSERT INTO {self.p}_submissions VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)
        return {"cell": (row["indicator"], row["service_line"], row["period"]),
                "series": (row["provider"], row["indicator"], row["service_line"])}

    # organisations

    def _Organisation_Registered(self, cursor, logged, page=None):
        d = logged.data
        return self._organisation_version(cursor, logged, d["code"],
                                          {f: d.get(f) for f in _ORG_FIELDS})

    def _organisation_change(self, cursor, logged, changes: dict):
        current = self._latest(cursor, "organisations", logged)
        code = current.pop("code")
        return self._organisation_version(cursor, logged, code, {**current, **changes})

    def _Organisation_Renamed(self, cursor, logged, page=None):
        return self._organisation_change(cursor, logged, {"name": logged.data["name"]})

    def _Organisation_TypeChanged(self, cursor, logged, page=None):
        return self._organisation_change(cursor, logged, {"kind": logged.data["kind"]})

    def _Organisation_Corrected(self, cursor, logged, page=None):
        changes = {k: v for k, v in logged.data["changes"].items() if k in _ORG_FIELDS}
        return self._organisation_change(cursor, logged, changes) if changes else None

    def _Organisation_Merged(self, cursor, logged, page=None):
        code = self._latest(cursor, "organisations", logged)["code"]
        cursor.execute(f"INSERT INTO {self.p}_lineage VALUES (?, ?, ?, ?, ?)",
                       (code, logged.data["successor"], str(logged.data["effective"]),
                        logged.position, stamp(logged.recorded_at)))
        return {"merged": (code, logged.data["successor"])}

    def _latest(self, cursor, kind: str, logged) -> dict:
        columns = "code, name, kind, region" if kind == "organisations" else "code, definition"
        row = cursor.execute(
            f"SELECT {columns} FROM {self.p}_{kind} WHERE aggregate_id = ? "
            "ORDER BY position DESC LIMIT 1", (str(logged.aggregate_id),)).fetchone()
        if row is None:
            raise LookupError(f"{kind[:-1]} {logged.aggregate_id} has no earlier version")
        return row

    def _organisation_version(self, cursor, logged, code: str, row: dict) -> dict:
        cursor.execute(f"INSERT INTO {self.p}_organisations VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (code, str(logged.aggregate_id), logged.position,
                        stamp(logged.recorded_at), row["name"], row["kind"], row["region"]))
        return {"organisation": code}

    # indicators

    def _Indicator_Defined(self, cursor, logged, page=None):
        d = logged.data
        definition = {f: d.get(f) for f in _INDICATOR_FIELDS}
        definition["revisions"] = []
        return self._indicator_version(cursor, logged, d["code"], definition)

    def _indicator_change(self, cursor, logged, changes: dict, revision: str | None = None):
        row = self._latest(cursor, "indicators", logged)
        definition = json.loads(row["definition"])
        definition.update({k: v for k, v in changes.items() if k in _INDICATOR_FIELDS})
        if revision:
            definition["revisions"].append(revision)
        return self._indicator_version(cursor, logged, row["code"], definition)

    def _Indicator_Revised(self, cursor, logged, page=None):
        return self._indicator_change(cursor, logged, logged.data["changes"],
                                      logged.data["effective_period"])

    def _Indicator_Corrected(self, cursor, logged, page=None):
        return self._indicator_change(cursor, logged, logged.data["changes"])

    def _indicator_version(self, cursor, logged, code: str, definition: dict) -> dict:
        cursor.execute(f"INSERT INTO {self.p}_indicators VALUES (?, ?, ?, ?, ?)",
                       (code, str(logged.aggregate_id), logged.position,
                        stamp(logged.recorded_at),
                        json.dumps(_jsonable(definition), sort_keys=True)))
        return {"indicator": code}


class FactPage:
    """A page's submission versions, written together (``write``). ``read_ahead`` learns
    which of the page's positions are filed already, so that an event filed twice (a row
    inserted behind the registry's back) is still refused by the table's key at its own
    event, as a one-row INSERT refuses it."""

    def __init__(self, tables: FactTables):
        self.tables = tables
        self.rows: list[tuple] = []
        self.positions: set[int] = set()  # filed or buffered

    def read_ahead(self, cursor, events) -> None:
        positions = [e.position for e in events if e.aggregate_type == "Submission"]
        for start in range(0, len(positions), 500):
            chunk = positions[start:start + 500]
            rows = cursor.execute(
                f"SELECT position FROM {self.tables.p}_submissions WHERE "
                f"position IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
            self.positions.update(int(r["position"]) for r in rows)

    def buffer(self, cursor, values: tuple) -> bool:
        """Keep the version for ``write``; False (write it now) if its position is taken."""
        position = values[7]
        if position in self.positions:
            self.write(cursor)
            return False
        self.positions.add(position)
        self.rows.append(values)
        return True

    def write(self, cursor) -> None:
        cursor.executemany(f"INSERT INTO {self.tables.p}_submissions VALUES "
                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", self.rows)
        self.rows = []


@lru_cache(maxsize=4096)
def _period_start(label: str) -> str:
    return parse_period(label).start.isoformat()


def as_text(value) -> str | None:
    """Decimals and dates are kept as text, exactly as given (a plain value is that text
    already); None stays NULL."""
    return None if value is None else str(value)


def _jsonable(definition: dict) -> dict:
    return {k: (str(v) if v is not None and k == "target" else v)
            for k, v in definition.items()}
