"""The read side's own connection to the registry's database (SQLite file or PostgreSQL).

Read models live in the same database as the events so that a projection can
write its rows and its tracking position in one transaction. SQL is written with
``?`` placeholders and portable types; the cursor adapts it to psycopg.
"""

import hashlib
import re
import sqlite3
import threading
from contextlib import contextmanager
from functools import lru_cache

import psycopg
from psycopg import sql


def placeholders(columns) -> str:
    """'?, ?, ?' for an INSERT of ``columns``."""
    return ", ".join("?" * len(columns))


_PLAIN_INSERT = re.compile(
    r"\s*INSERT\s+INTO\s+([A-Za-z_][\w.]*)\s*(\(\s*[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*\s*\))?"
    r"\s*VALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)\s*;?\s*", re.IGNORECASE)


@lru_cache(maxsize=256)
def copy_statement(statement: str) -> str | None:
    """The ``COPY ... FROM STDIN`` that loads the rows of a plain multi-row INSERT (no
    ``ON CONFLICT``, no ``RETURNING``, one ``?`` per column), or None for any other
    statement."""
    match = _PLAIN_INSERT.fullmatch(statement)
    if match is None:
        return None
    table, columns = match.group(1), match.group(2)
    return f"COPY {table} {columns} FROM STDIN" if columns else f"COPY {table} FROM STDIN"


# A column type TEXT, not already given a collation.
_TEXT_TYPE = re.compile(r"\bTEXT\b(?!\s+COLLATE)", re.IGNORECASE)


# A 64-bit integer column that is the table's key by itself.
_BIGINT_KEY = re.compile(r"\bBIGINT PRIMARY KEY\b", re.IGNORECASE)


def table_ddl(ddl: str, engine: str) -> str:
    """A read model's ``CREATE TABLE`` as ``engine`` runs it. On PostgreSQL every ``TEXT``
    column compares and sorts its values byte by byte (``COLLATE "C"``), as SQLite's do
    (``BINARY``): the same order and the same range comparisons on both engines, whatever
    the database's locale, and sorts (index builds, ``ORDER BY``) without the locale's
    collation rules, which cost about 40% of building an index of text keys. The read
    models hold codes, ISO timestamps and names, whose order as bytes is what they mean.

    On SQLite a ``BIGINT PRIMARY KEY`` column (a log position, a leaf index) is declared
    ``INTEGER PRIMARY KEY``: only that spelling makes the column the table's own rowid
    (SQLite's integers are 64-bit whatever the declared type). Otherwise SQLite keeps a
    hidden rowid and a second b-tree, a unique index of the key, which every insert
    writes and every lookup by key goes through."""
    if engine == "postgres":
        return _TEXT_TYPE.sub('TEXT COLLATE "C"', ddl)
    return _BIGINT_KEY.sub("INTEGER PRIMARY KEY", ddl)


class Cursor:
    """A DB-API cursor that speaks ``?`` placeholders and returns rows as dicts."""

    def __init__(self, cursor, engine: str, store=None):
        self._cursor, self.engine, self.store = cursor, engine, store

    def execute(self, statement: str, params=()) -> "Cursor":
        if self.engine == "postgres":
            self._cursor.execute(self._adapt(statement), tuple(params) or None)
        else:
            self._cursor.execute(statement, tuple(params))
        return self

    def executemany(self, statement: str, rows) -> None:
        """Rows are sequences (tuples or lists), given as they are: no copy.

        On PostgreSQL a plain ``INSERT INTO t [(columns)] VALUES (?, ...)`` is sent as
        ``COPY t [(columns)] FROM STDIN``: the same rows, the same constraints checked, in
        the same transaction, about nine times faster than psycopg's pipelined
        ``executemany`` (which pays a round of protocol messages per row). Anything else
        (``ON CONFLICT``, ``UPDATE``, ``DELETE``) goes through ``executemany``."""
        rows = rows if isinstance(rows, list) else list(rows)
        if not rows:
            return
        if self.engine != "postgres":
            self._cursor.executemany(statement, rows)
            return
        copy = copy_statement(statement)
        if copy is None:
            self._cursor.executemany(self._adapt(statement), rows)
            return
        with self._cursor.copy(copy) as writer:
            for row in rows:
                writer.write_row(row)

    def fetchall(self) -> list[dict]:
        return [dict(row) for row in self._cursor.fetchall()]

    def fetchall_raw(self) -> list:
        """The rows as the driver returns them, read by column name on both engines
        (``sqlite3.Row``, psycopg's dict rows), without a copy of each: for hot loops."""
        return self._cursor.fetchall()

    def tuples(self, statement: str, params=()) -> list[tuple]:
        """The rows of ``statement`` as plain tuples in the order of its select list, made
        by the driver without names: for the hottest loops, which unpack each row. On
        PostgreSQL the rows come in binary: a ``bytea`` column is sent as it is, not as
        hex text decoded again here, and no dict is built per row (together 2 µs of a
        row of ~700 bytes; the values are of the same Python types either way)."""
        cursor = self._cursor
        saved = cursor.row_factory
        try:
            if self.engine == "postgres":
                cursor.row_factory = psycopg.rows.tuple_row
                cursor.execute(self._adapt(statement), tuple(params) or None, binary=True)
            else:
                cursor.row_factory = None
                cursor.execute(statement, tuple(params))
            return cursor.fetchall()
        finally:
            cursor.row_factory = saved

    def fetchone(self) -> dict | None:
        row = self._cursor.fetchone()
        return None if row is None else dict(row)

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @staticmethod
    def _adapt(statement: str) -> str:
        return statement.replace("%", "%%").replace("?", "%s")


# A projection page's transaction on SQLite (``ReadStore.applying``) runs with these
# settings, and the connection's own are put back after it. At full scale a page of
# histories writes a few thousand pages of the database, spread over the index leaves of
# hundreds of organisations; with SQLite's default 2 MB page cache, modified pages were
# spilled to the write-ahead log in mid-transaction and written again when modified
# again: rebuilding the histories (a 100 MB read model) wrote 4.9 GB. Also, each
# statement's rollback journal went to a temporary file (0.6 GB), and the log was
# copied back into the database after every page (342 disk flushes in all). With a
# 64 MB cache, statement journals in memory and the log copied back every 64 MB, it
# wrote 0.8 GB and took 12.1-14.4 s instead of 19.3-19.8 s (system time 1.6 s instead
# of 7.8 s). Put back afterwards: a rebuild's index sorts size their memory by the page
# cache, and sort in memory with ``temp_store`` so set (+160 MB at full scale).
PAGE_SETTINGS = (("synchronous", "NORMAL"), ("cache_size", "-65536"),
                 ("temp_store", "MEMORY"), ("wal_autocheckpoint", "16384"))


@contextmanager
def pragmas(conn, settings):
    """An SQLite connection with ``settings`` ((name, value) pairs) in force, and its own
    values put back afterwards, whether the block succeeds or fails."""
    before = [conn.execute(f"PRAGMA {name}").fetchone()[0] for name, _ in settings]
    for name, value in settings:
        conn.execute(f"PRAGMA {name} = {value}")
    try:
        yield conn
    finally:
        for (name, _), value in zip(settings, before):
            conn.execute(f"PRAGMA {name} = {value}")


class ReadStore:
    """One connection per thread to the registry database, for read models."""

    def __init__(self, app):
        self.mapper = app.mapper  # for a stored type the read models do not decode themselves
        env = app.env
        if "postgres" in (env.get("PERSISTENCE_MODULE") or "").lower():
            self._configure({
                "engine": "postgres", "table": f"{app.name.lower()}_events",
                "position": "notification_id", "schema": env.get("POSTGRES_SCHEMA") or "public",
                "connect": {
                    "dbname": env.get("POSTGRES_DBNAME"), "host": env.get("POSTGRES_HOST"),
                    "port": int(env.get("POSTGRES_PORT") or 5432),
                    "user": env.get("POSTGRES_USER"),
                    "password": env.get("POSTGRES_PASSWORD") or None,
                    "connect_timeout": int(env.get("POSTGRES_CONNECT_TIMEOUT") or 5)}})
        else:
            self._configure({"engine": "sqlite", "table": "stored_events", "position": "rowid",
                             "path": env.get("SQLITE_DBNAME")})

    def _configure(self, spec: dict) -> None:
        self.engine = spec["engine"]
        self.events_table, self.events_position = spec["table"], spec["position"]
        if self.engine == "postgres":
            self.schema, self._connect_args = spec["schema"], dict(spec["connect"])
        else:
            self.path = spec["path"]
        self._local = threading.local()
        self._all: list = []
        self._lock = threading.Lock()

    def spec(self) -> dict:
        """What another process needs to open this store and find the events (picklable):
        the worker processes' (``ReadStore.of_spec``, ``ledger.prefetch``)."""
        spec = {"engine": self.engine, "table": self.events_table,
                "position": self.events_position}
        if self.engine == "postgres":
            spec.update(connect=dict(self._connect_args), schema=self.schema)
        else:
            spec.update(path=str(self.path))
        return spec

    @property
    def shared(self) -> bool:
        """Whether another process can open this store: PostgreSQL, or an SQLite file (not
        an in-memory database), for the worker processes."""
        if self.engine == "postgres":
            return True
        path = str(self.path or "")
        return bool(path) and path != ":memory:" and not path.startswith("file:")

    @classmethod
    def of_spec(cls, spec: dict) -> "ReadStore":
        """The store another process's ``spec()`` describes, for a worker process: its read
        models' tables, but no mapper (it decodes no stored event)."""
        store = cls.__new__(cls)
        store.mapper = None
        store._configure(spec)
        return store

    def connect(self):
        """A new connection of this store's kind (autocommit, rows as dicts), which the
        caller closes; the store's own are one per thread and live as long as it."""
        if self.engine == "postgres":
            conn = psycopg.connect(**self._connect_args, autocommit=True,
                                   row_factory=psycopg.rows.dict_row)
            conn.execute("SET lock_timeout = '10s'")
        else:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                   check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA synchronous=FULL")
            # Debian builds SQLite to overwrite every freed page with zeros, so dropping a
            # read model wrote its whole size again (6.3 of 33 s of the audit rebuild at
            # full scale). Read models hold nothing that is not in the events, which are
            # never deleted; "fast" still clears freed content where that costs no I/O.
            conn.execute("PRAGMA secure_delete=FAST")
        return conn

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None and self.engine == "postgres" and conn.closed:
            # The server went away (a restart, a killed backend): the statement that found
            # out failed; long-running processes (the scheduler) reconnect for the next.
            with self._lock:
                self._all.remove(conn)
            conn = None
        if conn is None:
            conn = self.connect()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def renew(self) -> None:
        """Close this thread's connection: its next statement opens a new one. A
        PostgreSQL backend keeps state from what it ran before (after a rebuild of SPC
        and the settling of its figures, the audit's replay on the same connection took
        18.0 s against 16.2 s on a new one, at full scale), so each read model's
        replay starts on a backend of its own."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            return
        self._local.conn = None
        with self._lock:
            self._all.remove(conn)
        conn.close()

    @contextmanager
    def transaction(self, synced: bool = True):
        """A write transaction: committed if the block succeeds, rolled back if not.

        ``synced=False`` (projection pages) commits without waiting for the disk
        (SQLite: ``synchronous=NORMAL`` in WAL mode, with the rest of ``PAGE_SETTINGS``;
        PostgreSQL: ``synchronous_commit`` off for the transaction): the commit stays
        atomic, and a crash of the machine may undo the last few, which the projection
        then applies again from the events, because its position is committed with its
        rows."""
        conn = self._connection()
        if self.engine == "postgres":
            with conn.transaction():
                cursor = conn.cursor()
                cursor.execute(sql.SQL("SET LOCAL search_path TO {}").format(
                    sql.Identifier(self.schema)))
                if not synced:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                yield Cursor(cursor, self.engine, self)
            return
        with pragmas(conn, () if synced else PAGE_SETTINGS):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield Cursor(conn.cursor(), self.engine, self)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def creating(self):
        """A write transaction for CREATE/DROP TABLE/INDEX. On PostgreSQL two processes
        creating the same table at once collide on the catalogue (a duplicate key on
        pg_type) although each says IF NOT EXISTS, and CREATE INDEX IF NOT EXISTS locks
        its table even when the index exists, which deadlocks against a projection
        writing to two tables in the other order. So DDL takes a transaction-scoped
        advisory lock per schema exclusively, and projection pages (``applying``) take
        it shared, before any table lock: they take turns, in one order."""
        with self.transaction() as cursor:
            if self.engine == "postgres":
                cursor.execute("SELECT pg_advisory_xact_lock(?)", (self._ddl_key,))
            yield cursor

    @contextmanager
    def indexing(self):
        """``creating``, for an index built on a filled table (a rebuild's deferred
        indexes). On SQLite the sort is given a second thread (``PRAGMA threads``, 0 by
        default), which built a full-scale audit index about a fifth faster; more page
        cache made it slower. PostgreSQL already sorts an index build in parallel workers
        (``max_parallel_maintenance_workers``), and more ``maintenance_work_mem`` than its
        64 MB did not change the time."""
        with self.creating() as cursor:
            if self.engine == "postgres":
                yield cursor
                return
            with pragmas(self._connection(), (("threads", 2),)):
                yield cursor

    @contextmanager
    def applying(self):
        """A write transaction for a page of a projection: never beside DDL (``creating``),
        not waiting for the disk on SQLite (see ``transaction``)."""
        with self.transaction(synced=False) as cursor:
            if self.engine == "postgres":
                cursor.execute("SELECT pg_advisory_xact_lock_shared(?)", (self._ddl_key,))
                # A page's set-based statements are estimated costly enough for JIT
                # compilation, which took ~18 ms a statement and saved nothing.
                cursor.execute("SET LOCAL jit = off")
            yield cursor

    @property
    def _ddl_key(self) -> int:
        return lock_key(f"registry.ddl:{self.schema}")

    def query(self, statement: str, params=()) -> list[dict]:
        with self.reading() as cursor:
            return cursor.execute(statement, params).fetchall()

    @contextmanager
    def reading(self):
        """A read-only snapshot: every query in the block sees the same data."""
        conn = self._connection()
        if self.engine == "postgres":
            with conn.transaction():
                cursor = conn.cursor()
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute(sql.SQL("SET LOCAL search_path TO {}").format(
                    sql.Identifier(self.schema)))
                yield Cursor(cursor, self.engine, self)
            return
        conn.execute("BEGIN")
        try:
            yield Cursor(conn.cursor(), self.engine, self)
        finally:
            conn.execute("ROLLBACK")

    def of_aggregates(self, names, column: str = "topic") -> tuple[str, list[str]]:
        """A condition true of the events (by their topic, ``module:Aggregate.Event``)
        of the aggregates named, and its parameters; case-sensitive on both engines."""
        if self.engine == "postgres":
            return (" OR ".join(f"{column} LIKE ?" for _ in names) or "FALSE",
                    [f"%:{name}.%" for name in names])
        return (" OR ".join(f"{column} GLOB ?" for _ in names) or "0",
                [f"*:{name}.*" for name in names])

    def events_after(self, position: int) -> int:
        """How many stored events lie after a position (ids may have gaps on PostgreSQL)."""
        with self.reading() as cursor:
            row = cursor.execute(
                f"SELECT COUNT(*) AS n FROM {self.events_table} "
                f"WHERE {self.events_position} > ?", (position,)).fetchone()
        return int(row["n"])

    def close(self) -> None:
        """Close every thread's connection (call when the application closes)."""
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


def lock_key(name: str) -> int:
    """A PostgreSQL advisory lock key (a signed 64-bit integer) for a name."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big",
                          signed=True)


class Waker:
    """Waits for new events: LISTEN/NOTIFY on PostgreSQL, plain polling on SQLite."""

    def __init__(self, store: ReadStore):
        self.store = store
        self._conn = None
        if store.engine == "postgres":
            self._conn = psycopg.connect(**store._connect_args, autocommit=True)
            self._conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(store.events_table)))

    def wait(self, timeout: float) -> bool:
        """Return when events may have arrived (True if notified), or after ``timeout``."""
        if self._conn is None:
            threading.Event().wait(timeout)
            return False
        for _ in self._conn.notifies(timeout=timeout, stop_after=1):
            return True
        return False

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
