"""One lock per job in the registry's database, so two schedulers on one database never run
the same job at the same time.

PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection of its
own, keyed by the schema and the job; the server releases it when the holder's
connection ends, killed process or not.

SQLite has no such thing: a row in ``scheduler_locks`` is taken in a ``BEGIN IMMEDIATE``
transaction (so two takers are serialised by the database) with its owner and a lease
expiry. While the job runs a heartbeat thread renews the lease every third of it; a
process that was killed stops renewing, and once the lease has expired the next
process takes the lock over.
"""

import logging
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from projections.store import lock_key
from scheduling.runs import stamp

log = logging.getLogger("registry.scheduler")
DEFAULT_LEASE = 60  # seconds
TABLE = ("CREATE TABLE IF NOT EXISTS scheduler_locks (job TEXT PRIMARY KEY, owner TEXT NOT NULL, "
         "acquired TEXT NOT NULL, expires TEXT NOT NULL)")


def create(cursor) -> None:
    if cursor.engine == "sqlite":
        cursor.execute(TABLE)


class Busy(Exception):
    def __init__(self, job: str, holder: str | None):
        self.job, self.holder = job, holder
        who = f" ({holder})" if holder else ""
        super().__init__(f"job {job} is running in another process{who}")


@contextmanager
def job_lock(store, job: str, owner: str, lease: int = DEFAULT_LEASE):
    """Hold the lock of ``job`` for the block, or raise ``Busy`` at once if another holds it."""
    if store.engine == "postgres":
        with _advisory(store, job):
            yield
        return
    with _lease(store, job, owner, lease):
        yield


@contextmanager
def _advisory(store, job: str):
    conn = store.connect()
    try:
        key = lock_key(f"registry.scheduler:{store.schema}:{job}")
        taken = conn.execute("SELECT pg_try_advisory_lock(%s) AS taken", (key,)).fetchone()
        if not taken["taken"]:
            raise Busy(job, None)
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (key,))
    finally:
        conn.close()


@contextmanager
def _lease(store, job: str, owner: str, lease: int):
    conn = store.connect()
    try:
        _take(conn, job, owner, lease)
        heartbeat = _Heartbeat(conn, job, owner, lease)
        try:
            yield
        finally:
            heartbeat.stop()
            _write(conn, "DELETE FROM scheduler_locks WHERE job = ? AND owner = ?", (job, owner))
    finally:
        conn.close()


def _take(conn, job: str, owner: str, lease: int) -> None:
    now = datetime.now(timezone.utc)
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute("SELECT owner, expires FROM scheduler_locks WHERE job = ?",
                           (job,)).fetchone()
        if row is not None and row["owner"] != owner and row["expires"] > stamp(now):
            raise Busy(job, row["owner"])
        conn.execute("INSERT INTO scheduler_locks (job, owner, acquired, expires) "
                     "VALUES (?, ?, ?, ?) ON CONFLICT (job) DO UPDATE SET owner = "
                     "excluded.owner, acquired = excluded.acquired, expires = excluded.expires",
                     (job, owner, stamp(now), _expiry(lease)))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _write(conn, statement: str, params: tuple) -> int:
    conn.execute("BEGIN IMMEDIATE")
    try:
        count = conn.execute(statement, params).rowcount
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return count


def _expiry(lease: int) -> str:
    return stamp(datetime.now(timezone.utc) + timedelta(seconds=lease))


class _Heartbeat:
    """Renews a lease every third of its length until stopped."""

    def __init__(self, conn, job: str, owner: str, lease: int):
        self.conn, self.job, self.owner, self.lease = conn, job, owner, lease
        self._stopped = threading.Event()
        self._lock = threading.Lock()  # the connection is shared with the holder's thread
        self._thread = threading.Thread(target=self._run, name=f"lease-{job}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(self.lease / 3):
            with self._lock:
                if self._stopped.is_set():
                    return
                try:
                    _write(self.conn, "UPDATE scheduler_locks SET expires = ? WHERE job = ? "
                           "AND owner = ?", (_expiry(self.lease), self.job, self.owner))
                except sqlite3.Error as error:  # the next beat may succeed; say so meanwhile
                    log.warning("could not renew the lease of job %s: %s", self.job, error)

    def stop(self) -> None:
        with self._lock:
            self._stopped.set()
        self._thread.join()
