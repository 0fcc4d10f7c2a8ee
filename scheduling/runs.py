"""The record of every scheduled run, in the registry's database: what ``registry scheduler
status`` and the admin page read.

A run is written when it starts (outcome ``running``) and again when it finishes:
``ok`` with the job's summary, ``failed`` with the traceback, or ``skipped-locked``
when another process held the job's lock. A run left ``running`` by a process that was
killed is marked ``interrupted`` by the next process to take that job's lock (holding
the lock proves nobody else is running it). Each job keeps its latest ``KEEP`` runs.
"""

import uuid
from datetime import datetime, timezone

RUNNING, OK, FAILED, LOCKED, INTERRUPTED = (
    "running", "ok", "failed", "skipped-locked", "interrupted")
KEEP = 1000
COLUMNS = ("id", "job", "scheduled_for", "started", "finished", "outcome", "summary",
           "traceback", "owner")
TABLE = ("CREATE TABLE IF NOT EXISTS scheduler_runs (id TEXT PRIMARY KEY, job TEXT NOT NULL, "
         "scheduled_for TEXT, started TEXT NOT NULL, finished TEXT, outcome TEXT NOT NULL, "
         "summary TEXT, traceback TEXT, owner TEXT NOT NULL)")
INDEX = ("CREATE INDEX IF NOT EXISTS scheduler_runs_job ON scheduler_runs "
         "(job, started)")


def stamp(moment: datetime | None = None) -> str:
    """UTC with microseconds, so that text order is time order."""
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def create(cursor) -> None:
    cursor.execute(TABLE)
    cursor.execute(INDEX)


class Runs:
    """Writes and reads ``scheduler_runs`` through the registry's read store."""

    def __init__(self, store):
        self.store = store

    def ensure_table(self) -> None:
        with self.store.creating() as cursor:
            create(cursor)

    def started(self, job: str, scheduled_for: datetime, owner: str) -> str:
        run_id = uuid.uuid4().hex
        with self.store.transaction() as cursor:
            cursor.execute("UPDATE scheduler_runs SET outcome = ? WHERE job = ? AND outcome = ? "
                           "AND owner <> ?", (INTERRUPTED, job, RUNNING, owner))
            cursor.execute("INSERT INTO scheduler_runs (id, job, scheduled_for, started, owner, "
                           "outcome) VALUES (?, ?, ?, ?, ?, ?)",
                           (run_id, job, stamp(scheduled_for), stamp(), owner, RUNNING))
        return run_id

    def finished(self, run_id: str, job: str, outcome: str, summary: str,
                 traceback: str | None = None) -> None:
        with self.store.transaction() as cursor:
            cursor.execute("UPDATE scheduler_runs SET finished = ?, outcome = ?, summary = ?, "
                           "traceback = ? WHERE id = ?",
                           (stamp(), outcome, summary, traceback, run_id))
            cursor.execute("DELETE FROM scheduler_runs WHERE job = ? AND started < (SELECT "
                           "started FROM scheduler_runs WHERE job = ? ORDER BY started DESC "
                           f"LIMIT 1 OFFSET {KEEP - 1})", (job, job))

    def skipped(self, job: str, scheduled_for: datetime, owner: str, summary: str) -> None:
        now = stamp()
        with self.store.transaction() as cursor:
            cursor.execute("INSERT INTO scheduler_runs (id, job, scheduled_for, started, "
                           "finished, outcome, summary, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                           (uuid.uuid4().hex, job, stamp(scheduled_for), now, now, LOCKED,
                            summary, owner))

    def done_for(self, job: str, scheduled_for: datetime) -> dict | None:
        """A finished run of ``job`` for exactly this scheduled time (by any process)."""
        rows = self.store.query("SELECT * FROM scheduler_runs WHERE job = ? AND "
                                "scheduled_for = ? AND outcome IN (?, ?)",
                                (job, stamp(scheduled_for), OK, FAILED))
        return rows[0] if rows else None

    # -- reading -------------------------------------------------------------------------

    def latest(self) -> dict[str, dict]:
        """The latest run of each job that ran (skipped runs aside), by job."""
        rows = self.store.query(
            "SELECT r.* FROM scheduler_runs r WHERE r.outcome <> ? AND r.started = (SELECT "
            "MAX(s.started) FROM scheduler_runs s WHERE s.job = r.job AND s.outcome <> ?)",
            (LOCKED, LOCKED))
        return {row["job"]: row for row in rows}

    def recent(self, job: str | None = None, outcome: str | None = None,
               limit: int = 50) -> list[dict]:
        where, params = "1 = 1", ()
        if job:
            where, params = where + " AND job = ?", params + (job,)
        if outcome:
            where, params = where + " AND outcome = ?", params + (outcome,)
        return self.store.query(f"SELECT * FROM scheduler_runs WHERE {where} "
                                "ORDER BY started DESC LIMIT ?", (*params, int(limit)))
