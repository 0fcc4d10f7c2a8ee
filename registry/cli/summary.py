"""``registry summary``: what the store holds, counted from the event log."""

import sys
from collections import Counter

import click

from config.settings import Settings
from projections.eventlog import read_events
from registry.cli.context import handle_errors


@click.command()
@click.option("--empty-check", is_flag=True,
              help="Print nothing; exit 0 if the store is empty, 1 if it holds events.")
@click.pass_obj
@handle_errors
def summary(obj, empty_check: bool):
    """Count the stored events by aggregate and event type."""
    app = obj.app
    if empty_check:
        sys.exit(0 if not app.recorder.max_notification_id() else 1)
    counts = Counter((e.aggregate_type, e.event_type) for e in read_events(app))
    aggregates = Counter()
    for (aggregate, _), n in counts.items():
        aggregates[aggregate] += n
    click.echo(f"{sum(counts.values())} events in {Settings.from_env().display_url}")
    for aggregate, total in sorted(aggregates.items()):
        detail = ", ".join(f"{n} {event}" for (a, event), n in sorted(counts.items())
                           if a == aggregate)
        click.echo(f"  {aggregate}: {total} ({detail})")
