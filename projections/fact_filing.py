"""Filing submission facts by set-based SQL over the stored events (benchmarks, SPC).

A submission's first version (its ``Submitted`` event, version 1 of the aggregate) is
by far the commonest event in the log. ``file_range`` files those of a range of the
log with one ``INSERT … SELECT`` over the stored rows, with the values ``FactTables``
would write event by event: the cell and values cut out of the stored JSON, the
recorded time read from its head (``histories.RECORDED``), the period's first day from
``parse_period`` of each label the range holds (passed in as a small table). Every
other submission event (a restatement or withdrawal, and any first version whose time,
id or period label the SQL does not read as Python would) is filed by
``FactTables.apply``, in position order, after the SQL.
"""

from projections.engine import ProjectionFailed
from projections.eventlog import logged_row, stored_rows, topic_types
from projections.histories import RECORDED, TIMED
from registry.periods import parse_period

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
_READ = {"sqlite": f"e.originator_version = 1 AND {TIMED['sqlite']} AND "
                   "length(e.originator_id) = 32",
         "postgres": f"e.originator_version = 1 AND {TIMED['postgres']}"}

INSERT = {
    "sqlite": f"""WITH periods (label, start) AS (VALUES {{periods}})
INSERT INTO {{table}} ({_COLUMNS})
SELECT f.aggregate_id, 1, f.provider, f.indicator, f.service_line, f.period, periods.start,
       f.position, f.recorded_at, 0, {', '.join(f'f.{v}' for v in _VALUES)}
FROM (SELECT aggregate_id, position, recorded_at, json_extract(s, '$.provider') AS provider,
             json_extract(s, '$.indicator') AS indicator,
             json_extract(s, '$.service_line') AS service_line,
             json_extract(s, '$.period') AS period,
             {', '.join(_SQLITE_VALUE.format(v) + f' AS {v}' for v in _VALUES)}
      FROM (SELECT {_SQLITE_ID} AS aggregate_id, e.{{position}} AS position,
                   {RECORDED['sqlite']} AS recorded_at, CAST(e.state AS TEXT) AS s
            FROM {{events}} e WHERE {_RANGE} AND {_READ['sqlite']} LIMIT -1)
      LIMIT -1) AS f
JOIN periods ON periods.label = f.period""",
    "postgres": f"""WITH periods (label, start) AS (VALUES {{periods}})
INSERT INTO {{table}} ({_COLUMNS})
SELECT f.aggregate_id, 1, f.provider, f.indicator, f.service_line, f.period, periods.start,
       f.position, f.recorded_at, 0, {', '.join(f'f.{v}' for v in _VALUES)}
FROM (SELECT aggregate_id, position, recorded_at, s ->> 'provider' AS provider,
             s ->> 'indicator' AS indicator, s ->> 'service_line' AS service_line,
             s ->> 'period' AS period,
             {', '.join(f'({_POSTGRES_VALUE.format(v)}){_POSTGRES_CAST.get(v, "")} AS {v}'
                        for v in _VALUES)}
      FROM (SELECT e.originator_id::text AS aggregate_id, e.{{position}} AS position,
                   {RECORDED['postgres']} AS recorded_at,
                   convert_from(e.state, 'UTF8')::jsonb AS s
            FROM {{events}} e WHERE {_RANGE} AND {_READ['postgres']} OFFSET 0) AS stored
      OFFSET 0) AS f
JOIN periods ON periods.label = f.period""",
}
# The period labels of the first versions ``INSERT`` reads.
LABELS = {
    "sqlite": f"""SELECT DISTINCT json_extract(CAST(e.state AS TEXT), '$.period') AS label
FROM {{events}} e WHERE {_RANGE} AND {_READ['sqlite']}""",
    "postgres": f"""SELECT DISTINCT convert_from(e.state, 'UTF8')::json ->> 'period' AS label
FROM {{events}} e WHERE {_RANGE} AND {_READ['postgres']}""",
}
# The submission events of a range ``INSERT`` does not file and ``FactTables.apply``
# does (``{unread}``: first versions whose period label is not read), in order.
OTHERS = {
    "sqlite": f"""SELECT e.{{position}} AS position FROM {{events}} e WHERE {_RANGE} AND (
  (e.originator_version > 1 AND (e.topic GLOB '*.Restated' OR e.topic GLOB '*.Withdrawn'))
  OR (e.originator_version = 1 AND NOT ({_READ['sqlite']})) {{unread}})
ORDER BY e.{{position}}""",
    "postgres": f"""SELECT e.{{position}} AS position FROM {{events}} e WHERE {_RANGE} AND (
  (e.originator_version > 1 AND (e.topic LIKE '%.Restated' OR e.topic LIKE '%.Withdrawn'))
  OR (e.originator_version = 1 AND NOT ({_READ['postgres']})) {{unread}})
ORDER BY e.{{position}}""",
}
_UNREAD = {
    "sqlite": "OR (e.originator_version = 1 AND "
              "COALESCE(json_extract(CAST(e.state AS TEXT), '$.period'), '') IN ({0}))",
    "postgres": "OR (e.originator_version = 1 AND "
                "COALESCE(convert_from(e.state, 'UTF8')::json ->> 'period', '') IN ({0}))",
}


def file_range(tables, cursor, after: int, last: int, name: str) -> None:
    """File the submission events after ``after`` up to ``last`` into ``tables``
    (``FactTables``); the versions filed are those of the range's positions. If the
    SQL fails (a version filed twice), the events are filed one at a time so that the
    failure names its event, as ``apply`` would: ``ProjectionFailed`` for the read
    model ``name``."""
    store, engine = cursor.store, cursor.engine
    submissions, params = store.of_aggregates(("Submission",), "e.topic")
    fill = {"events": store.events_table, "position": store.events_position,
            "submissions": submissions}
    range_params = (after, last, *params)
    labels = [r["label"] for r in
              cursor.execute(LABELS[engine].format(**fill), range_params).fetchall()]
    starts, unread = _period_starts(labels)
    unread_sql = _UNREAD[engine].format(", ".join("?" * len(unread))) if unread else ""
    if engine == "postgres":  # ->> gives text, whatever the JSON held
        unread = [str(label) for label in unread]
    others = [int(r["position"]) for r in cursor.execute(
        OTHERS[engine].format(**fill, unread=unread_sql),
        (*range_params, *unread)).fetchall()]
    if starts:
        insert = INSERT[engine].format(**fill, table=f"{tables.p}_submissions",
                                       periods=", ".join(["(?, ?)"] * len(starts)))
        period_params = [value for pair in starts.items() for value in pair]
        cursor.execute("SAVEPOINT fact_submissions")
        try:
            cursor.execute(insert, (*period_params, *range_params))
        except Exception:
            cursor.execute("ROLLBACK TO SAVEPOINT fact_submissions")
            cursor.execute("RELEASE SAVEPOINT fact_submissions")
            _file_one_by_one(tables, cursor, after, last, name, insert, period_params,
                             set(others))
            return
        cursor.execute("RELEASE SAVEPOINT fact_submissions")
    for _, row in sorted(stored_rows(cursor, store, others).items()):
        _apply(tables, cursor, logged_row(row, store.mapper), name)


def _period_starts(labels: list) -> tuple[dict[str, str], list]:
    """Each label's first day (as ``FactTables`` keeps it), and the labels that are not
    periods (left to Python, which names the event they stop)."""
    starts, unread = {}, []
    for label in labels:
        try:
            period = parse_period(label)
        except Exception:  # not a label (PeriodError), or not text
            unread.append("" if label is None else label)
            continue
        if period.label != label:  # not as the registry writes it: Python decides
            unread.append(label)
        else:
            starts[label] = period.start.isoformat()
    return starts, unread


def _file_one_by_one(tables, cursor, after: int, last: int, name: str, insert: str,
                     period_params: list, others: set[int]) -> None:
    store, position = cursor.store, cursor.store.events_position
    submissions, params = store.of_aggregates(("Submission",))
    events = cursor.execute(
        f"SELECT {position} AS position, topic FROM {store.events_table} WHERE "
        f"{position} > ? AND {position} <= ? AND ({submissions}) ORDER BY {position}",
        (after, last, *params)).fetchall()
    for event in events:
        at = int(event["position"])
        if at in others:
            _apply(tables, cursor, logged_row(stored_rows(cursor, store, [at])[at],
                                              store.mapper), name)
            continue
        cursor.execute("SAVEPOINT fact_submission")
        try:
            cursor.execute(insert, (*period_params, at - 1, at, *params))
        except Exception as error:
            cursor.execute("ROLLBACK TO SAVEPOINT fact_submission")
            aggregate, event_type = topic_types(event["topic"])
            raise ProjectionFailed(name, at, f"{aggregate}.{event_type}", error) from error
        cursor.execute("RELEASE SAVEPOINT fact_submission")


def _apply(tables, cursor, logged, name: str) -> None:
    try:
        tables.apply(cursor, logged)
    except Exception as error:
        raise ProjectionFailed(name, logged.position,
                               f"{logged.aggregate_type}.{logged.event_type}",
                               error) from error

