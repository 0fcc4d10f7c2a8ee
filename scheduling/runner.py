"""Running one job once, on the record: under its database lock, with its run written down.

``JobRunner.run`` takes the job's lock (or records ``skipped-locked`` and returns),
writes the run's start, calls the job with the application and the clock, and writes
its outcome: ``ok`` with the job's summary, or ``failed`` with the traceback, which is
also logged. It never raises for a job's failure, so one failing job never stops the
others. ``RegistryExecutor`` is the APScheduler executor that hands each due run, with
its scheduled time, to the runner (APScheduler's own executors call the job without
it).
"""

import concurrent.futures
import logging
import os
import socket
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, \
    JobExecutionEvent
from apscheduler.executors.pool import BasePoolExecutor

from scheduling.locks import DEFAULT_LEASE, Busy, job_lock
from scheduling.runs import FAILED, LOCKED, OK, Runs

log = logging.getLogger("registry.scheduler")
ALREADY_RUN = "already-run"


def process_owner() -> str:
    """Who holds a lock or made a run: host, process id and a nonce (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def scheduled_job(name: str) -> None:
    """The function the job store keeps for every job (it stores a reference, and a job
    function needs the application, which cannot be stored). ``RegistryExecutor`` runs
    the job named by the stored job's id instead; only another executor would call this."""
    raise RuntimeError(f"job {name} must be run by scheduling.runner.RegistryExecutor")


@dataclass(frozen=True)
class Outcome:
    job: str
    outcome: str
    summary: str
    traceback: str | None = None


class JobRunner:
    def __init__(self, app, jobs: dict, owner: str | None = None, lease: int = DEFAULT_LEASE):
        self.app, self.jobs, self.lease = app, jobs, lease
        self.owner = owner or process_owner()
        self.runs = Runs(app.read_side.store)

    def run(self, name: str, scheduled_for: datetime, now: datetime | None = None,
            once_per_time: bool = True) -> Outcome:
        """Run job ``name`` for its ``scheduled_for`` time with the clock at ``now``
        (default: the real time). ``once_per_time``: a run another process has already
        finished for the same scheduled time is not repeated."""
        job = self.jobs[name]
        try:
            with job_lock(self.app.read_side.store, name, self.owner, self.lease):
                if once_per_time and self.runs.done_for(name, scheduled_for):
                    log.info("job %s: the run scheduled for %s was made by another process",
                             name, scheduled_for)
                    return Outcome(name, ALREADY_RUN, "already run by another process")
                return self._run(name, job, scheduled_for, now)
        except Busy as busy:
            log.info("job %s skipped: %s", name, busy)
            self.runs.skipped(name, scheduled_for, self.owner, str(busy))
            return Outcome(name, LOCKED, str(busy))

    def _run(self, name: str, job, scheduled_for: datetime, now: datetime | None) -> Outcome:
        run_id = self.runs.started(name, scheduled_for, self.owner)
        clock = now or datetime.now(timezone.utc)
        log.info("job %s started (scheduled for %s, clock %s)", name,
                 scheduled_for.isoformat(), clock.isoformat())
        try:
            result = job(self.app, clock)
        except Exception as error:
            log.exception("job %s failed", name)
            outcome = Outcome(name, FAILED, f"{type(error).__name__}: {error}",
                              traceback.format_exc())
            self.runs.finished(run_id, name, FAILED, outcome.summary, outcome.traceback)
            return outcome
        self.runs.finished(run_id, name, OK, result.summary)
        log.info("job %s ok: %s", name, result.summary)
        return Outcome(name, OK, result.summary)


class RegistryExecutor(BasePoolExecutor):
    """Runs due jobs in a thread pool through a ``JobRunner``."""

    def __init__(self, runner: JobRunner, max_workers: int = 5):
        super().__init__(concurrent.futures.ThreadPoolExecutor(
            max_workers, thread_name_prefix="registry-job"))
        self.runner = runner

    def _do_submit_job(self, job, run_times):
        future = self._pool.submit(self._run, job, run_times)
        future.add_done_callback(lambda done: self._finished(job.id, done))

    def _finished(self, job_id: str, done: concurrent.futures.Future) -> None:
        error = done.exception()
        if error is None:
            self._run_job_success(job_id, done.result())
        else:
            self._run_job_error(job_id, error, error.__traceback__)

    def _run(self, job, run_times) -> list[JobExecutionEvent]:
        events = []
        for run_time in run_times:
            late = datetime.now(timezone.utc) - run_time
            if job.misfire_grace_time is not None and \
                    late > timedelta(seconds=job.misfire_grace_time):
                log.warning("job %s: the run scheduled for %s was missed by %s", job.id,
                            run_time.isoformat(), late)
                events.append(JobExecutionEvent(EVENT_JOB_MISSED, job.id,
                                                job._jobstore_alias, run_time))
                continue
            try:
                outcome = self.runner.run(job.id, run_time)
            except Exception:  # the run could not even be recorded (e.g. database down)
                log.exception("job %s could not be run", job.id)
                events.append(JobExecutionEvent(EVENT_JOB_ERROR, job.id,
                                                job._jobstore_alias, run_time))
                continue
            kind = EVENT_JOB_ERROR if outcome.outcome == FAILED else EVENT_JOB_EXECUTED
            events.append(JobExecutionEvent(kind, job.id, job._jobstore_alias, run_time,
                                            retval=outcome))
        return events
