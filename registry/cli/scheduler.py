"""``registry scheduler``: run the scheduled jobs, see how they went, run one now."""

import logging
import signal
import sys
import threading
from datetime import datetime, timezone

import click

from registry.cli.context import handle_errors
from registry.jobs import JOBS
from scheduling.runs import FAILED, LOCKED
from scheduling.service import Scheduler, recent_failures, runner_for, status

DATETIME = click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
                           "%Y-%m-%dT%H:%M"])


def log_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@click.group("scheduler", invoke_without_command=True)
@click.pass_context
@handle_errors
def scheduler_group(ctx):
    """Run the scheduled jobs until interrupted (Ctrl-C or SIGTERM), logging each run.

    Jobs: projection_catch_up (every minute), ledger_checkpoint (hourly),
    overdue_submissions, contract_expiry and milestone_slippage (daily, early morning
    UTC). Change one with REGISTRY_SCHEDULE_<JOB>, e.g. REGISTRY_SCHEDULE_LEDGER_CHECKPOINT
    ='every 30m', ='0 6 * * *' (crontab, UTC) or =off. Several schedulers may run on one
    database: a database lock keeps each job to one run at a time.
    """
    if ctx.invoked_subcommand is not None:
        return
    log_to_stderr()
    scheduler = Scheduler(ctx.obj.app)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    scheduler.start()
    click.echo("scheduler running; Ctrl-C to stop", err=True)
    try:
        while not stopping.wait(3600):
            pass
    except KeyboardInterrupt:
        pass
    click.echo("stopping: waiting for runs under way", err=True)
    scheduler.stop()
    click.echo("scheduler stopped", err=True)


@scheduler_group.command("status")
@click.option("--failures", is_flag=True, help="Also print recent failed runs with their "
                                               "tracebacks.")
@click.pass_obj
@handle_errors
def status_command(obj, failures):
    """Each job: its schedule, last run, outcome and next run."""
    for row in status(obj.app):
        last = row["last_run"]
        ran = f"last run {last['started']} {last['outcome']}" if last else "never run"
        if row["schedule"] == "off":
            following = "off"
        elif row["next_run"]:
            following = f"next {row['next_run'].isoformat()}"
        else:
            following = "not scheduled yet (start `registry scheduler`)"
        click.echo(f"{row['job']:<20} {row['schedule']:<12} {ran}; {following}")
        if last and last["summary"]:
            click.echo(f"{'':<20} {last['summary']}")
    if failures:
        for run in recent_failures(obj.app):
            click.echo(f"\n{run['job']} failed at {run['started']} (scheduled for "
                       f"{run['scheduled_for']}, {run['owner']}): {run['summary']}")
            click.echo((run["traceback"] or "").rstrip())


@scheduler_group.command("run")
@click.argument("job", metavar="JOB", type=click.Choice(sorted(JOBS)))
@click.option("--now", type=DATETIME, help="The job's clock (UTC), e.g. 2025-04-01 or "
                                           "2025-04-01T06:00:00; default: the real time.")
@click.pass_obj
@handle_errors
def run_command(obj, job, now):
    """Run JOB once now, under its lock, and record the run (as the scheduler would)."""
    clock = (now.replace(tzinfo=timezone.utc) if now else datetime.now(timezone.utc))
    log_to_stderr()
    outcome = runner_for(obj.app).run(job, clock, now=clock, once_per_time=False)
    if outcome.outcome == FAILED:
        click.echo(f"error: job {job} failed: {outcome.summary} (the traceback is above and "
                   "in `registry scheduler status --failures`)", err=True)
        sys.exit(1)
    if outcome.outcome == LOCKED:
        click.echo(f"error: {outcome.summary}; try again when it has finished", err=True)
        sys.exit(1)
    click.echo(outcome.summary)
