"""``registry demo``: load the demo data set into the configured store."""

import sys

import click

from registry.cli.context import StepProgress, handle_errors


@click.command()
@click.option("--force", is_flag=True, help="Load even though the store already has events.")
@click.pass_obj
@handle_errors
def demo(obj, force: bool):
    """Load the demo data set: real ODS trusts and walk-in-centre data, generated
    submissions, contracts and FT applications."""
    app = obj.app
    if (app.recorder.max_notification_id() or 0) > 0 and not force:
        click.echo("the store already holds events; use --force to load the demo anyway, "
                   "or point REGISTRY_DATABASE_URL / REGISTRY_HOME at an empty store", err=True)
        sys.exit(2)
    progress = StepProgress(delay=0.5)
    from registry.demo import load_demo

    summary = load_demo(app, obj.actor, progress)
    progress.close()
    for line in summary.lines():
        click.echo(line)
