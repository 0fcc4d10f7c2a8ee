"""When each job runs: a default per job, overridden by ``REGISTRY_SCHEDULE_<JOB>``.

A schedule is written ``every 30s`` (or ``m``, ``h``, ``d``), a five-field crontab in UTC
(``0 6 * * *``: daily at 06:00), or ``off``. The notice jobs run daily in the early
morning, a few minutes apart so they do not contend for the database; projections catch
up every minute; the ledger is checkpointed hourly.

A run missed while no scheduler was running is made up once (runs are coalesced), as
long as the next one is not yet due: each job's misfire grace time is the gap between
two of its runs.
"""

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from config.settings import ConfigurationError

DEFAULTS = {
    "projection_catch_up": "every 1m",
    "ledger_checkpoint": "every 1h",
    "overdue_submissions": "0 5 * * *",
    "contract_expiry": "5 5 * * *",
    "milestone_slippage": "10 5 * * *",
    "pack_charts": "every 30m",
}
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
EVERY = re.compile(r"every\s+(\d+)\s*([smhd])", re.IGNORECASE)


@dataclass(frozen=True)
class Schedule:
    job: str
    text: str
    trigger: BaseTrigger | None  # None: the job is switched off

    @property
    def misfire_grace(self) -> int:
        """Seconds a run may start late: the gap between two runs, so that after downtime
        the latest missed run is always made up, once."""
        now = datetime.now(timezone.utc)
        first = self.trigger.get_next_fire_time(None, now)
        second = self.trigger.get_next_fire_time(first, first)
        return max(1, int((second - first).total_seconds()))


def schedules(jobs, environ=None) -> dict[str, Schedule]:
    """The schedule of every job in ``jobs`` (names), from the environment or the default."""
    environ = os.environ if environ is None else environ
    return {job: parse(job, environ.get(variable(job)) or DEFAULTS.get(job, "0 5 * * *"))
            for job in jobs}


def variable(job: str) -> str:
    return f"REGISTRY_SCHEDULE_{job.upper()}"


def parse(job: str, text: str) -> Schedule:
    text = " ".join(text.split())
    if text.lower() == "off":
        return Schedule(job, "off", None)
    every = EVERY.fullmatch(text)
    if every:
        seconds = int(every.group(1)) * UNITS[every.group(2).lower()]
        if seconds < 1:
            raise ConfigurationError(f"{variable(job)}: the interval must be at least 1s")
        return Schedule(job, text, IntervalTrigger(seconds=seconds, timezone=timezone.utc))
    try:
        return Schedule(job, text, CronTrigger.from_crontab(text, timezone=timezone.utc))
    except ValueError as error:
        raise ConfigurationError(
            f"{variable(job)} '{text}' is not a schedule ({error}): write 'every 30s', "
            "'every 5m', 'every 1h', a crontab in UTC such as '0 6 * * *', or 'off'") from None
