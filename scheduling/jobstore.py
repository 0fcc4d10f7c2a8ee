"""APScheduler's persistent job store, in the registry's own database.

A table ``scheduler_jobs`` (job id, next run time, pickled job state) written through
the read side's connection (``projections.store.ReadStore``), so it lives beside the
events in the same SQLite file or PostgreSQL schema, with the same settings, and no
second database driver or connection pool is needed (APScheduler's own
SQLAlchemyJobStore would bring SQLAlchemy for four statements). It mirrors that store:
state is the job's ``__getstate__`` pickled, and a row that can no longer be restored
is logged and removed.
"""

import base64
import logging
import pickle

from apscheduler.job import Job
from apscheduler.jobstores.base import BaseJobStore, ConflictingIdError, JobLookupError
from apscheduler.util import datetime_to_utc_timestamp, utc_timestamp_to_datetime

log = logging.getLogger("registry.scheduler")
TABLE = ("CREATE TABLE IF NOT EXISTS scheduler_jobs (id TEXT PRIMARY KEY, "
         "next_run_time DOUBLE PRECISION, job_state TEXT NOT NULL)")
INDEX = ("CREATE INDEX IF NOT EXISTS scheduler_jobs_next ON scheduler_jobs "
         "(next_run_time)")


def create(cursor) -> None:
    cursor.execute(TABLE)
    cursor.execute(INDEX)


class RegistryJobStore(BaseJobStore):
    def __init__(self, store):
        super().__init__()
        self.store = store

    def start(self, scheduler, alias):
        super().start(scheduler, alias)
        with self.store.creating() as cursor:
            create(cursor)

    def lookup_job(self, job_id):
        rows = self.store.query("SELECT id, job_state FROM scheduler_jobs WHERE id = ?",
                                (job_id,))
        jobs = self._restore(rows)
        return jobs[0] if jobs else None

    def get_due_jobs(self, now):
        return self._restore(self.store.query(
            "SELECT id, job_state FROM scheduler_jobs WHERE next_run_time <= ? "
            "ORDER BY next_run_time", (datetime_to_utc_timestamp(now),)))

    def get_next_run_time(self):
        rows = self.store.query("SELECT MIN(next_run_time) AS next FROM scheduler_jobs "
                                "WHERE next_run_time IS NOT NULL")
        return utc_timestamp_to_datetime(rows[0]["next"]) if rows else None

    def get_all_jobs(self):
        jobs = self._restore(self.store.query(
            "SELECT id, job_state FROM scheduler_jobs ORDER BY next_run_time"))
        self._fix_paused_jobs_sorting(jobs)
        return jobs

    def add_job(self, job):
        with self.store.transaction() as cursor:
            added = cursor.execute("INSERT INTO scheduler_jobs (id, next_run_time, job_state) "
                                   "VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
                                   (job.id, *_row(job))).rowcount
        if added == 0:  # another scheduler added it first
            raise ConflictingIdError(job.id)

    def update_job(self, job):
        with self.store.transaction() as cursor:
            changed = cursor.execute("UPDATE scheduler_jobs SET next_run_time = ?, "
                                     "job_state = ? WHERE id = ?", (*_row(job), job.id)).rowcount
        if changed == 0:
            raise JobLookupError(job.id)

    def remove_job(self, job_id):
        with self.store.transaction() as cursor:
            removed = cursor.execute("DELETE FROM scheduler_jobs WHERE id = ?",
                                     (job_id,)).rowcount
        if removed == 0:
            raise JobLookupError(job_id)

    def remove_all_jobs(self):
        with self.store.transaction() as cursor:
            cursor.execute("DELETE FROM scheduler_jobs")

    def _restore(self, rows: list[dict]) -> list[Job]:
        jobs, broken = [], []
        for row in rows:
            try:
                jobs.append(self._job(row["job_state"]))
            except Exception:
                log.exception("cannot restore scheduled job %s: removing it", row["id"])
                broken.append(row["id"])
        for job_id in broken:
            with self.store.transaction() as cursor:
                cursor.execute("DELETE FROM scheduler_jobs WHERE id = ?", (job_id,))
        return jobs

    def _job(self, text: str) -> Job:
        state = pickle.loads(base64.b64decode(text))
        state["jobstore"] = self
        job = Job.__new__(Job)
        job.__setstate__(state)
        job._scheduler = self._scheduler
        job._jobstore_alias = self._alias
        return job

    def __repr__(self):
        return f"<{type(self).__name__} ({self.store.engine})>"


def _row(job: Job) -> tuple:
    state = base64.b64encode(pickle.dumps(job.__getstate__(), pickle.HIGHEST_PROTOCOL))
    return datetime_to_utc_timestamp(job.next_run_time), state.decode()


def stored_jobs(store) -> dict[str, dict]:
    """Each stored job's next run time (UTC datetime or None: paused), without a scheduler."""
    rows = store.query("SELECT id, next_run_time FROM scheduler_jobs")
    return {row["id"]: {"next_run_time": utc_timestamp_to_datetime(row["next_run_time"])}
            for row in rows}
