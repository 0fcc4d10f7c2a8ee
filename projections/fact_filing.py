"""Filing submission facts by set-based SQL over the stored events (benchmarks, SPC).

A submission's first version (its ``Submitted`` event, version 1 of the aggregate) is
by far the commonest event in the log. ``file_range`` files those of a range of the
log with one ``INSERT … SELECT`` over the stored rows, with the values ``FactTables``
would write event by event: the cell and values cut out of the stored JSON, the
recorded time read from its head (``histories.RECORDED``), the period's first day
looked up in a table of every period label of a span of years as ``parse_period``
reads them (``{prefix}_periods``, filled from ``registry.periods``). Every other
submission event (a restatement or withdrawal, and any first version whose time, id or
period label the SQL does not read as Python would) is filed by ``FactTables.apply``,
in position order, after the SQL.
"""

from datetime import date
from functools import lru_cache

from projections.engine import ProjectionFailed
from projections.eventlog import event_name, logged_row, range_topics, stored_rows, topic_types
from projections.histories import RECORDED, TIMED
from projections.parallel import read_in_parallel
from registry.periods import parse_period, period_starting

# The years whose period labels the SQL looks up; a label outside them is filed in Python.
YEARS = range(1900, 2200)
_COLUMNS = ("aggregate_id, version, provider, indicator, service_line, period, period_start, "
            "position, recorded_at, withdrawn, numerator, denominator, value, sd, n")
_VALUES = ("numerator", "denominator", "value", "sd", "n")
_RANGE = "e.{position} > ? AND e.{position} <= ? AND ({submissions})"

# A value is a JSON scalar or one of the library's markers ({"_type_": "decimal_str",
# "_data_": "12.3"}), whose plain value is its data (``eventlog.plain_state``).
_SQLITE_VALUE = ("COALESCE(json_extract(s, '$.values.{0}._data_'), "
                 "json_extract(s, '$.values.{0}'))")
_POSTGRES_VALUE = "COALESCE(s #>> '{{{{values,{0},_data_}}}}', s #>> '{{{{values,{0}}}}}')"
_POSTGRES_CAST = {"numerator": "::bigint", "denominator": "::bigint", "n": "::bigint"}
# On SQLite the library stores an aggregate id as 32 hex digits; the facts keep the
# dashed form (``str(UUID)``).
_SQLITE_ID = ("substr(e.originator_id, 1, 8) || '-' || substr(e.originator_id, 9, 4) || '-' "
              "|| substr(e.originator_id, 13, 4) || '-' || substr(e.originator_id, 17, 4) || "
              "'-' || substr(e.originator_id, 21)")
# The first versions ``INSERT`` reads (its time, and on SQLite its id, as written by the
# library), and the other events ``FactTables.apply`` files.
_READ = {"sqlite": f"e.originator_version = 1 AND {TIMED['sqlite']} AND "
                   "length(e.originator_id) = 32",
         "postgres": f"e.originator_version = 1 AND {TIMED['postgres']}"}
_OTHER = {"sqlite": "(e.originator_version > 1 AND (e.topic GLOB '*.Restated' OR "
                    f"e.topic GLOB '*.Withdrawn')) OR NOT ({_READ['sqlite']} OR "
                    "e.originator_version > 1)",
          "postgres": "(e.originator_version > 1 AND (e.topic LIKE '%.Restated' OR "
                      f"e.topic LIKE '%.Withdrawn')) OR NOT ({_READ['postgres']} OR "
                      "e.originator_version > 1)"}

# On SQLite the facts of a range in one statement; its ``SELECT`` (``SQLITE_READ``) is what
# a read-ahead worker runs for a range (``projections.readahead``), and the facts are then
# copied from its table (``COPY``).
SQLITE_READ = f"""SELECT f.aggregate_id, 1, f.provider, f.indicator, f.service_line,
       f.period, p.start, f.position, f.recorded_at, 0, {', '.join(f'f.{v}' for v in _VALUES)}
FROM (SELECT aggregate_id, position, recorded_at, json_extract(s, '$.provider') AS provider,
             json_extract(s, '$.indicator') AS indicator,
             json_extract(s, '$.service_line') AS service_line,
             json_extract(s, '$.period') AS period,
             {', '.join(_SQLITE_VALUE.format(v) + f' AS {v}' for v in _VALUES)}
      FROM (SELECT {_SQLITE_ID} AS aggregate_id, e.{{position}} AS position,
                   {RECORDED['sqlite']} AS recorded_at, CAST(e.state AS TEXT) AS s
            FROM {{events}} e WHERE {_RANGE} AND {_READ['sqlite']} LIMIT -1)
      LIMIT -1) AS f
JOIN {{table}}_periods p ON p.label = f.period"""
_INSERT = f"INSERT INTO {{table}}_submissions ({_COLUMNS})\n"
COPY = _INSERT + "SELECT * FROM {parsed}"
# On PostgreSQL a range's submission events are first read into a temporary table, by a
# parallel plan (``projections.parallel``): whether ``INSERT`` reads each (``readable``)
# or ``FactTables.apply`` files it (``other``), and the values of those it reads, each
# state parsed once, as ``jsonb``, in the worker that reads it (and only those: another
# event's state may not be JSON), with its period's first day. The range's counts
# (``SCAN``'s), its facts and the positions of those whose period label is not in the
# table are then read from that table: one pass over the range instead of two
# (``SCAN``'s took 1.8 of 31 s of a full-scale rebuild).
_POSTGRES_PARSED = f"""SELECT f.*, p.start AS period_start FROM (
SELECT aggregate_id, position, recorded_at, readable, other,
       s ->> 'provider' AS provider, s ->> 'indicator' AS indicator,
       s ->> 'service_line' AS service_line, s ->> 'period' AS period,
       {', '.join(f'({_POSTGRES_VALUE.format(v)}){_POSTGRES_CAST.get(v, "")} AS {v}'
                  for v in _VALUES)}
FROM (SELECT e.originator_id::text AS aggregate_id, e.{{position}} AS position,
             CASE WHEN {_READ['postgres']} THEN {RECORDED['postgres']} END AS recorded_at,
             {_READ['postgres']} AS readable, COALESCE({_OTHER['postgres']}, false) AS other,
             unnest(ARRAY[CASE WHEN {_READ['postgres']}
                               THEN convert_from(e.state, 'UTF8')::jsonb END]) AS s
      FROM {{events}} e WHERE {_RANGE}) AS stored) AS f
LEFT JOIN {{table}}_periods p ON p.label = f.period"""
# The facts of the rows of ``_POSTGRES_PARSED`` (``{parsed}``): copied from its temporary
# table, or (``INSERT``, for ``_file_one_by_one``) read from it as a subquery.
_POSTGRES_FACTS = f"""SELECT aggregate_id, 1, provider, indicator, service_line, period,
       period_start, position, recorded_at, 0, {', '.join(_VALUES)}
FROM {{parsed}} WHERE readable AND period_start IS NOT NULL"""
PARALLEL = {"postgres": (
    _POSTGRES_PARSED,
    """SELECT COUNT(*) FILTER (WHERE readable) AS readable,
       string_agg(CASE WHEN other THEN position::text END, ',') AS others
FROM {table}_parsed""",
    _INSERT + _POSTGRES_FACTS.replace("{parsed}", "{table}_parsed"),
    """SELECT position FROM {table}_parsed WHERE readable AND period_start IS NULL""")}
INSERT = {"sqlite": _INSERT + SQLITE_READ,
          "postgres": _INSERT + _POSTGRES_FACTS.replace(
              "{parsed}", f"({_POSTGRES_PARSED}) AS parsed")}
# One pass over a range: how many first versions ``INSERT`` reads, and the positions of
# the events ``FactTables.apply`` files.
SCAN = {
    "sqlite": f"""SELECT COUNT(CASE WHEN {_READ['sqlite']} THEN 1 END) AS readable,
       group_concat(CASE WHEN {_OTHER['sqlite']} THEN e.{{position}} END) AS others
FROM {{events}} e WHERE {_RANGE}""",
    "postgres": f"""SELECT COUNT(CASE WHEN {_READ['postgres']} THEN 1 END) AS readable,
       string_agg(CASE WHEN {_OTHER['postgres']} THEN e.{{position}}::text END, ',') AS others
FROM {{events}} e WHERE {_RANGE}""",
}
# The first versions ``INSERT`` read but did not file: their period label is not in the
# table (not a period as the registry writes it, or a year outside ``YEARS``).
# (PostgreSQL finds them in its temporary table: ``PARALLEL``.)
UNFILED = {"sqlite": f"""SELECT e.{{position}} AS position FROM {{events}} e
WHERE {_RANGE} AND {_READ['sqlite']} AND NOT EXISTS (
  SELECT 1 FROM {{table}}_submissions f WHERE f.position = e.{{position}})"""}


def file_range(tables, cursor, after: int, last: int, name: str,
               ahead: str | None = None) -> None:
    """File the submission events after ``after`` up to ``last`` into ``tables``
    (``FactTables``); the versions filed are those of the range's positions, their facts
    copied from the table ``ahead`` if given (the rows ``SQLITE_READ`` gave for the
    range). If the SQL fails (a version filed twice), the events are filed one at a time
    so that the failure names its event, as ``apply`` would: ``ProjectionFailed`` for
    the read model ``name``."""
    store, engine = cursor.store, cursor.engine
    submissions, params = store.of_aggregates(("Submission",), "e.topic")
    fill = {"events": store.events_table, "position": store.events_position,
            "submissions": submissions, "table": tables.p}
    range_params = (after, last, *params)
    insert = INSERT[engine].format(**fill)
    if engine in PARALLEL and not ahead:
        _file_parsed(tables, cursor, after, last, name, fill, range_params, insert)
        return
    readable, others = _scan(cursor, fill, range_params)
    if readable:
        ensure_periods(tables, cursor)
        cursor.execute("SAVEPOINT fact_submissions")
        try:
            if ahead:
                filed = cursor.execute(COPY.format(table=tables.p, parsed=ahead)).rowcount
            else:
                filed = cursor.execute(insert, range_params).rowcount
        except Exception:
            cursor.execute("ROLLBACK TO SAVEPOINT fact_submissions")
            cursor.execute("RELEASE SAVEPOINT fact_submissions")
            _file_one_by_one(tables, cursor, after, last, name, insert, others)
            return
        cursor.execute("RELEASE SAVEPOINT fact_submissions")
        if filed < readable:
            others.update(int(r["position"]) for r in cursor.execute(
                UNFILED[engine].format(**fill), range_params).fetchall())
    _apply_others(tables, cursor, others, name)


def _file_parsed(tables, cursor, after: int, last: int, name: str, fill: dict,
                 range_params: tuple, insert: str) -> None:
    """``file_range`` on PostgreSQL: the range read once, by a parallel plan, into a
    temporary table (``PARALLEL``), its facts and counts read from there."""
    read, count, copy, unfiled = (statement.format(**fill)
                                  for statement in PARALLEL[cursor.engine])
    ensure_periods(tables, cursor)
    cursor.execute("SAVEPOINT fact_submissions")
    try:
        read_in_parallel(cursor, f"{tables.p}_parsed", read, range_params)
        scanned = cursor.execute(count).fetchone()
        others = _positions(scanned["others"])
        if scanned["readable"]:
            if cursor.execute(copy).rowcount < int(scanned["readable"]):
                others.update(int(r["position"]) for r in cursor.execute(unfiled).fetchall())
    except Exception:
        cursor.execute("ROLLBACK TO SAVEPOINT fact_submissions")
        cursor.execute("RELEASE SAVEPOINT fact_submissions")
        _file_one_by_one(tables, cursor, after, last, name, insert,
                         _scan(cursor, fill, range_params)[1])
        return
    cursor.execute("RELEASE SAVEPOINT fact_submissions")
    _apply_others(tables, cursor, others, name)


def _scan(cursor, fill: dict, range_params: tuple) -> tuple[int, set[int]]:
    """``SCAN`` of a range: how many first versions ``INSERT`` reads, and the positions of
    the events ``FactTables.apply`` files."""
    scanned = cursor.execute(SCAN[cursor.engine].format(**fill), range_params).fetchone()
    return int(scanned["readable"] or 0), _positions(scanned["others"])


def _positions(joined: str | None) -> set[int]:
    """The positions of a ``string_agg`` of them (None: none)."""
    return {int(p) for p in (joined or "").split(",") if p}


def _apply_others(tables, cursor, others: set[int], name: str) -> None:
    """The events at positions ``others`` filed by ``FactTables.apply``, in log order."""
    store = cursor.store
    for _, row in sorted(stored_rows(cursor, store, others).items()):
        _apply(tables, cursor, logged_row(row, store.mapper), name)


@lru_cache(maxsize=1)
def period_starts(years: range = YEARS) -> dict[str, str]:
    """Every period label of ``years`` (monthly, quarterly, financial years) as the
    registry writes it, with its first day as ``FactTables`` keeps it (shared: not to be
    changed)."""
    starts = {}
    for year in years:
        for month in range(1, 13):
            for frequency in ("monthly", "quarterly", "annual"):
                if (frequency == "quarterly" and month % 3 != 1) or \
                        (frequency == "annual" and month != 4):
                    continue
                period = period_starting(date(year, month, 1), frequency)
                starts[period.label] = parse_period(period.label).start.isoformat()
    return starts


def ensure_periods(tables, cursor) -> None:
    """Fill the read model's table of period labels (``period_starts``), once."""
    starts = period_starts(YEARS)
    row = cursor.execute(f"SELECT COUNT(*) AS n FROM {tables.p}_periods").fetchone()
    if int(row["n"]) != len(starts):
        cursor.execute(f"DELETE FROM {tables.p}_periods")
        cursor.executemany(f"INSERT INTO {tables.p}_periods VALUES (?, ?)",
                           sorted(starts.items()))


def _file_one_by_one(tables, cursor, after: int, last: int, name: str, insert: str,
                     others: set[int]) -> None:
    """Each submission event of the range in order: by the SQL, or (if it is one of
    ``others``, or the SQL did not file it) by ``FactTables.apply``."""
    store = cursor.store
    params = store.of_aggregates(("Submission",))[1]
    for event in range_topics(cursor, store, ("Submission",), after, last):
        at = int(event["position"])
        if at not in others:
            cursor.execute("SAVEPOINT fact_submission")
            try:
                filed = cursor.execute(insert, (at - 1, at, *params)).rowcount
            except Exception as error:
                cursor.execute("ROLLBACK TO SAVEPOINT fact_submission")
                aggregate, event_type = topic_types(event["topic"])
                raise ProjectionFailed(name, at, f"{aggregate}.{event_type}", error) from error
            cursor.execute("RELEASE SAVEPOINT fact_submission")
            if filed:
                continue
        _apply(tables, cursor, logged_row(stored_rows(cursor, store, [at])[at],
                                          store.mapper), name)


def _apply(tables, cursor, logged, name: str) -> None:
    try:
        tables.apply(cursor, logged)
    except Exception as error:
        raise ProjectionFailed(name, logged.position, event_name(logged.topic),
                               error) from error
