"""``registry projections``: keep read models current, rebuild them, prove them."""

import sys

import click

from projections.engine import ProjectionFailed
from projections.store import Waker
from registry.cli.context import StepProgress, handle_errors


def _run(action, name):
    progress = StepProgress()
    try:
        counts = action(name, progress)
    except ProjectionFailed as failure:
        progress.close()
        click.echo(f"error: {failure}", err=True)
        click.echo("fix the cause, then run `registry projections catch-up` to resume "
                   "from that event", err=True)
        sys.exit(1)
    except KeyError as error:
        progress.close()
        click.echo(f"error: {error.args[0]}", err=True)
        sys.exit(2)
    progress.close()
    return counts


@click.group("projections")
def projections_group():
    """Read models (histories, benchmarks, SPC, ...) rebuilt from the event log."""


@projections_group.command("catch-up")
@click.argument("name", required=False)
@click.pass_obj
@handle_errors
def catch_up(obj, name):
    """Apply every event not yet projected (all projections, or NAME)."""
    for projection, count in _run(obj.app.read_side.catch_up, name).items():
        click.echo(f"{projection}: {count} events applied")


@projections_group.command()
@click.argument("name", required=False)
@click.option("--leave-figures-owed", is_flag=True,
              help="Replay only: the stored figures of benchmarks and SPC charts are left "
                   "owed (queries compute them from the facts meanwhile) for the next "
                   "catch-up, such as the scheduler's projection_catch_up job.")
@click.pass_obj
@handle_errors
def rebuild(obj, name, leave_figures_owed):
    """Drop the read model(s) and replay the whole event log into them, then settle
    the figures the replay left owed (benchmarks, SPC charts)."""
    def rebuild(name, progress):
        return obj.app.read_side.rebuild(name, progress, settle=not leave_figures_owed)
    for projection, count in _run(rebuild, name).items():
        click.echo(f"{projection}: rebuilt from {count} events")


@projections_group.command()
@click.pass_obj
@handle_errors
def status(obj):
    """Each projection's position in the log, how many events it lags, and any failure."""
    for row in obj.app.read_side.status():
        line = f"{row['name']:<12} position {row['position']:>9}  lag {row['lag']:>7}"
        if row.get("error"):
            line += f"  STOPPED at {row['error_position']}: {row['error']}"
        click.echo(line)


@projections_group.command()
@click.argument("name", required=False)
@click.pass_obj
@handle_errors
def checksum(obj, name):
    """A SHA-256 digest of each read model; equal digests mean identical contents."""
    try:
        digests = obj.app.read_side.checksums(name)
    except KeyError as error:
        click.echo(f"error: {error.args[0]}", err=True)
        sys.exit(2)
    for projection, digest in digests.items():
        click.echo(f"{projection:<12} {digest}")


@projections_group.command()
@click.option("--interval", default=2.0, show_default=True,
              help="Seconds between polls (PostgreSQL also wakes on NOTIFY).")
@click.pass_obj
@handle_errors
def follow(obj, interval: float):
    """Keep every projection current until interrupted (Ctrl-C)."""
    runner = obj.app.read_side
    waker = Waker(runner.store)
    click.echo(f"following the event log (every {interval:g}s); Ctrl-C to stop", err=True)
    try:
        while True:
            for projection, count in runner.catch_up().items():
                if count:
                    click.echo(f"{projection}: {count} events applied")
            waker.wait(interval)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    except ProjectionFailed as failure:
        click.echo(f"error: {failure}", err=True)
        sys.exit(1)
    finally:
        waker.close()
