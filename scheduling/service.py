"""The scheduler: APScheduler over the registry's jobs, its job store and its locks.

``Scheduler(app).start()`` runs the jobs of ``registry.jobs.JOBS`` in background threads
until ``stop()``: ``registry scheduler`` (its own process) and ``registry serve
--with-scheduler`` both use it. Several schedulers may share one database (a second
machine, several web workers): the jobs' schedule is kept once, in the database, and
each run takes its job's database lock, so the same job never runs twice at once and
a scheduled time another process has already run is not run again.

On start the stored schedule is brought in line with the configuration
(``scheduling.schedules``) without losing the next run times already stored, so runs
missed while no scheduler was running are made up (once each job, coalesced).
"""

import faulthandler
import logging
import os
import sys
from datetime import timezone

from apscheduler.jobstores.base import ConflictingIdError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED

from config.settings import ConfigurationError
from registry.jobs import JOBS
from scheduling import jobstore, locks, runs
from scheduling.jobstore import RegistryJobStore, stored_jobs
from scheduling.locks import DEFAULT_LEASE
from scheduling.runner import JobRunner, RegistryExecutor
from scheduling.runs import FAILED, Runs
from scheduling.schedules import schedules

log = logging.getLogger("registry.scheduler")
LEASE_VARIABLE = "REGISTRY_SCHEDULER_LEASE_SECONDS"


def ensure_tables(store) -> None:
    """The scheduler's tables, created once per store (pages read them on every view)."""
    if getattr(store, "scheduler_tables", False):
        return
    with store.creating() as cursor:
        jobstore.create(cursor)
        runs.create(cursor)
        locks.create(cursor)
    store.scheduler_tables = True


def lease_seconds(environ=None) -> int:
    environ = os.environ if environ is None else environ
    text = (environ.get(LEASE_VARIABLE) or str(DEFAULT_LEASE)).strip()
    if not text.isascii() or not text.isdigit() or not 3 <= int(text) <= 86400:
        raise ConfigurationError(f"{LEASE_VARIABLE} must be a whole number of seconds from "
                                 "3 to 86400")
    return int(text)


def runner_for(app, jobs: dict | None = None, environ=None) -> JobRunner:
    ensure_tables(app.read_side.store)
    return JobRunner(app, jobs or JOBS, lease=lease_seconds(environ))


class _BackgroundScheduler(BackgroundScheduler):
    def _process_jobs(self):
        """APScheduler's loop processes the store once more after ``shutdown`` has stopped
        the executors: a run due at that moment would be counted as done without running
        (and logged as an error). Stopped means stopped."""
        if self.state == STATE_STOPPED:
            return None
        return super()._process_jobs()


class Scheduler:
    def __init__(self, app, jobs: dict | None = None, environ=None):
        self.app, self.jobs = app, jobs or JOBS
        self.plan = schedules(self.jobs, environ)
        self.runner = runner_for(app, self.jobs, environ)
        self.scheduler = _BackgroundScheduler(
            jobstores={"default": RegistryJobStore(app.read_side.store)},
            executors={"default": RegistryExecutor(self.runner)},
            job_defaults={"coalesce": True, "max_instances": 1}, timezone=timezone.utc)

    def start(self) -> None:
        ensure_tables(self.app.read_side.store)
        self.scheduler.start(paused=True)
        self._align()
        self.scheduler.resume()
        for job in self.scheduler.get_jobs():
            log.info("job %s: %s, next run %s", job.id, self.plan[job.id].text,
                     job.next_run_time.isoformat() if job.next_run_time else "paused")

    def stop(self, report_after: float = 20.0) -> None:
        """Stop taking new runs and wait for those under way. If that takes longer than
        ``report_after`` seconds, what every thread is doing is written to stderr once, so
        that a stop that does not end can be told from a long run finishing."""
        if self.scheduler.running:
            faulthandler.dump_traceback_later(report_after, file=sys.stderr)
            try:
                self.scheduler.shutdown(wait=True)
            finally:
                faulthandler.cancel_dump_traceback_later()

    def _align(self) -> None:
        for name, plan in self.plan.items():
            stored = self.scheduler.get_job(name)
            if plan.trigger is None:
                if stored is not None:
                    stored.remove()
                continue
            if stored is None:
                stored = self._add(name, plan)
            elif str(stored.trigger) != str(plan.trigger):
                stored = stored.reschedule(plan.trigger)
            if stored.misfire_grace_time != plan.misfire_grace or not stored.coalesce:
                stored.modify(misfire_grace_time=plan.misfire_grace, coalesce=True)
        for stored in self.scheduler.get_jobs():
            if stored.id not in self.plan:
                stored.remove()

    def _add(self, name: str, plan):
        try:
            return self.scheduler.add_job(
                "scheduling.runner:scheduled_job", plan.trigger, args=(name,), id=name,
                name=name, misfire_grace_time=plan.misfire_grace, coalesce=True,
                max_instances=1)
        except ConflictingIdError:  # another scheduler stored it first: keep theirs
            return self.scheduler.get_job(name)


def status(app, jobs: dict | None = None, environ=None) -> list[dict]:
    """Each job: its schedule, its latest run and outcome, its next run."""
    store = app.read_side.store
    ensure_tables(store)
    jobs = jobs or JOBS
    plan = schedules(jobs, environ)
    stored, latest = stored_jobs(store), Runs(store).latest()
    return [{"job": name, "schedule": plan[name].text, "last_run": latest.get(name),
             "next_run": (stored.get(name) or {}).get("next_run_time"),
             "stored": name in stored} for name in jobs]


def recent_failures(app, limit: int = 20) -> list[dict]:
    ensure_tables(app.read_side.store)
    return Runs(app.read_side.store).recent(outcome=FAILED, limit=limit)
