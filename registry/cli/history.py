"""``registry history ODS_CODE``: every event concerning an organisation, with provenance."""

import json
from datetime import datetime

import click

from projections.histories import history as organisation_history
from registry.cli.context import handle_errors
from registry.cli.figures import AS_OF, utc
from registry.errors import NotFound


@click.command()
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a list of events).")
@click.option("--as-of", type=AS_OF,
              help="Only events recorded at or before this time (UTC unless given).")
@click.pass_obj
@handle_errors
def history(obj, code: str, as_json: bool, as_of: datetime | None):
    """Print every event concerning organisation CODE in recorded order."""
    if obj.app.get_organisation(code) is None:
        raise NotFound(f"no organisation with code {code.upper()} is registered", "code")
    as_of = utc(as_of)
    obj.app.read_side.catch_up()
    events = organisation_history(obj.app.read_side.store, code, as_of)
    if as_json:
        click.echo(json.dumps(events, indent=2))
        return
    for event in events:
        click.echo(describe(event))
    click.echo(f"{len(events)} events")


def describe(event: dict) -> str:
    p = event["provenance"]
    actor = p.get("actor", {})
    source = p.get("source")
    where = f" from {source['file']} row {source.get('row')}" if source else ""
    why = f" because: {p['reason']}" if p.get("reason") else ""
    payload = ", ".join(f"{k}={v}" for k, v in event["data"].items()
                        if k not in ("previous_values",))
    return (f"{event['recorded_at']}  #{event['position']}  {event['aggregate']}."
            f"{event['event']}  by {actor.get('user_id')} ({actor.get('organisation')}, "
            f"{actor.get('role')}) via {p.get('channel')}{where}{why}\n    {payload}")
