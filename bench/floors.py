"""Floors: the same work done without the registry, measured in the same run.

- ``append_floor``: a plain eventsourcing Application (the library's own recorder, no
  ledger journal, no validation) storing aggregates with the same one ``Submitted``
  event each, the same field values and provenance, the same ids, in the same batches
  (one save per import file);
- ``executemany_floor``: the registry's stored rows, byte for byte, inserted with one
  ``executemany`` per batch into a table shaped like the library's events table;
- ``read_floor``: every notification read through the recorder's
  ``select_notifications`` in pages, decoding nothing;
- ``sha256_floor``: ``hashlib.sha256`` over each event's leaf bytes (RFC 6962 leaf hash:
  SHA-256 of 0x00 and the leaf data), the bytes built beforehand, untimed.

Floor stores live apart from the registry's: an SQLite file of their own, or a schema
of their own in the benchmark's PostgreSQL database.
"""

import hashlib
import sqlite3
import time
from datetime import date, datetime, timezone

import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from psycopg import sql

from config.settings import postgres_env
from config.storage import connection_kwargs, ensure_schema
from ledger.leaf import leaf_data
from registry.application import DateAsISO
from registry.commands import load
from registry.commands.submissions import Submit
from registry.identity import submission_id
from registry.imports.reader import in_column_order, read_csv, take_header
from registry.imports.submissions import COLUMNS
from registry.measures import stored_values
from registry.provenance import Provenance, Source


class FloorSubmission(Aggregate):
    """The registry's Submission creation event, without the registry around it."""

    @staticmethod
    def create_id(provider: str, indicator: str, service_line: str, period: str):
        return submission_id(provider, indicator, service_line, period)

    @event("Submitted")
    def __init__(self, provider: str, indicator: str, service_line: str, period: str,
                 measure: str, values: dict, note: str | None, received_on: date,
                 provenance: dict):
        self.provider, self.indicator, self.service_line, self.period = (
            provider, indicator, service_line, period)
        self.measure, self.values, self.note = measure, dict(values), note
        self.received_on, self.provenance = received_on, provenance


class FloorApp(Application):
    name = "Floor"

    def register_transcodings(self, transcoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def floor_env(engine: str, floor_url: str, sqlite_path: str) -> dict:
    """The plain library's persistence settings for the floor store."""
    if engine == "sqlite":
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": sqlite_path,
                "SQLITE_LOCK_TIMEOUT": "30"}
    env = postgres_env(floor_url)
    env["PERSISTENCE_MODULE"] = "eventsourcing.postgres"
    ensure_schema(env)
    return env


def submission_batches(files, measures: dict[str, str], actor):
    """Per import file, the creation arguments of its submissions, as the import builds them
    (loaded by the same schema, same values, same provenance shape); built untimed."""
    for path in files:
        table = read_csv(path.read_bytes(), path.name)
        take_header(table, COLUMNS)
        in_column_order(table, COLUMNS)
        source = Source(file=path.name, sha256=table.sha256)
        provenance = Provenance(actor=actor, channel="import", source=source)
        received = datetime.now(timezone.utc).date()
        batch = []
        for number, record in table.records(COLUMNS):
            data = load(Submit, record)
            batch.append({"provider": data["provider"], "indicator": data["indicator"],
                          "service_line": data["service_line"], "period": data["period"],
                          "measure": measures[data["indicator"]],
                          "values": stored_values(data), "note": data.get("note"),
                          "received_on": received,
                          "provenance": provenance.at_row(number).as_dict()})
        yield batch


def append_floor(env: dict, batches, progress=None) -> dict:
    """Seconds and events for the plain library storing the same aggregates, batch by batch."""
    app = FloorApp(env=env)
    seconds, events, state_bytes = 0.0, 0, 0
    try:
        for batch in batches:
            started = time.perf_counter()
            aggregates = [FloorSubmission(**args) for args in batch]
            app.save(*aggregates)
            seconds += time.perf_counter() - started
            events += len(aggregates)
            if progress:
                progress(events)
        last = app.recorder.max_notification_id() or 0
        sample = app.recorder.select_notifications(start=max(1, last - 99), limit=100)
        state_bytes = sum(len(n.state) for n in sample) / max(1, len(sample))
    finally:
        app.close()
    return {"seconds": seconds, "events": events, "mean_state_bytes": state_bytes}


RAW_TABLE = "bench_raw_events"


def executemany_floor(engine: str, floor_env_: dict, pages, progress=None) -> dict:
    """Insert pages of (originator_id, version, topic, state) rows, one transaction each."""
    if engine == "sqlite":
        return _sqlite_executemany(floor_env_["SQLITE_DBNAME"], pages, progress)
    return _postgres_executemany(floor_env_, pages, progress)


def _sqlite_executemany(path: str, pages, progress) -> dict:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"DROP TABLE IF EXISTS {RAW_TABLE}")
        conn.execute(f"CREATE TABLE {RAW_TABLE} (originator_id TEXT, originator_version "
                     "INTEGER, topic TEXT, state BLOB, PRIMARY KEY (originator_id, "
                     "originator_version))")
        seconds, rows, nbytes = 0.0, 0, 0
        for page in pages:
            page = [(r[0].hex, r[1], r[2], r[3]) for r in page]
            started = time.perf_counter()
            conn.execute("BEGIN")
            conn.executemany(f"INSERT INTO {RAW_TABLE} VALUES (?, ?, ?, ?)", page)
            conn.execute("COMMIT")
            seconds += time.perf_counter() - started
            rows += len(page)
            nbytes += sum(len(r[3]) for r in page)
            if progress:
                progress(rows)
    finally:
        conn.close()
    return {"seconds": seconds, "events": rows, "bytes": nbytes}


def _postgres_executemany(env: dict, pages, progress) -> dict:
    table = sql.SQL("{}.{}").format(sql.Identifier(env["POSTGRES_SCHEMA"]),
                                    sql.Identifier(RAW_TABLE))
    with psycopg.connect(**connection_kwargs(env)) as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        conn.execute(sql.SQL("CREATE TABLE {} (originator_id uuid NOT NULL, originator_version "
                             "bigint NOT NULL, topic text, state bytea, notification_id "
                             "bigserial, PRIMARY KEY (originator_id, originator_version))"
                             ).format(table))
        conn.execute(sql.SQL("CREATE UNIQUE INDEX ON {} (notification_id)").format(table))
        conn.commit()
        insert = sql.SQL("INSERT INTO {} (originator_id, originator_version, topic, state) "
                         "VALUES (%s, %s, %s, %s)").format(table)
        seconds, rows, nbytes = 0.0, 0, 0
        for page in pages:
            started = time.perf_counter()
            with conn.cursor() as cursor:
                cursor.executemany(insert, page)
            conn.commit()
            seconds += time.perf_counter() - started
            rows += len(page)
            nbytes += sum(len(r[3]) for r in page)
            if progress:
                progress(rows)
    return {"seconds": seconds, "events": rows, "bytes": nbytes}


def stored_pages(recorder, page: int = 1000):
    """The registry's stored events, a page of (originator_id, version, topic, state) at a
    time, in log order."""
    after = 0
    while True:
        notifications = recorder.select_notifications(start=after, limit=page,
                                                      inclusive_of_start=False)
        if not notifications:
            return
        yield [(n.originator_id, n.originator_version, n.topic, bytes(n.state))
               for n in notifications]
        after = notifications[-1].id


def read_floor(recorder, page: int, progress=None) -> dict:
    """Every notification through ``select_notifications`` in pages of ``page``."""
    seconds, count, after = 0.0, 0, 0
    while True:
        started = time.perf_counter()
        notifications = recorder.select_notifications(start=after, limit=page,
                                                      inclusive_of_start=False)
        seconds += time.perf_counter() - started
        if not notifications:
            break
        count += len(notifications)
        after = notifications[-1].id
        if progress:
            progress(count)
    return {"seconds": seconds, "events": count}


def sha256_floor(recorder, page: int = 1000, progress=None) -> dict:
    """SHA-256 of each event's leaf (0x00 || leaf data); building the bytes is untimed."""
    seconds, count, nbytes, after = 0.0, 0, 0, 0
    sha256 = hashlib.sha256
    while True:
        notifications = recorder.select_notifications(start=after, limit=page,
                                                      inclusive_of_start=False)
        if not notifications:
            break
        leaves = [b"\x00" + leaf_data(n.id, n.originator_id, n.originator_version, n.topic,
                                      bytes(n.state)) for n in notifications]
        started = time.perf_counter()
        for leaf in leaves:
            sha256(leaf).digest()
        seconds += time.perf_counter() - started
        count += len(leaves)
        nbytes += sum(len(leaf) for leaf in leaves)
        after = notifications[-1].id
        if progress:
            progress(count)
    return {"seconds": seconds, "events": count, "bytes": nbytes}
