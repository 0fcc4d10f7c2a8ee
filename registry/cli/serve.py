"""``registry serve``: the web application and API on one address."""

import os

import click

from registry.cli.context import handle_errors


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--debug", is_flag=True, help="Reload on code changes and show debug pages "
                                             "(never in production).")
@click.option("--with-scheduler", is_flag=True,
              help="Also run the scheduled jobs in this process (as `registry scheduler`).")
@handle_errors
def serve(host, port, debug, with_scheduler):
    """Serve the web pages and the JSON API (development server).

    In production run it under gunicorn instead, e.g.
    gunicorn -w 2 -b 127.0.0.1:8000 'web.wsgi:app', with one `registry scheduler`
    process beside it.
    """
    from web import create_app
    app = create_app()
    scheduler = _scheduler(app.extensions["registry"]) if with_scheduler and \
        _serving_process(debug) else None
    click.echo(f"Serving the registry at http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    try:
        app.run(host=host, port=port, debug=debug, use_reloader=debug)
    finally:
        if scheduler is not None:
            click.echo("stopping: waiting for runs under way", err=True)
            scheduler.stop()
            click.echo("scheduler stopped", err=True)


def _serving_process(debug: bool) -> bool:
    """Under the reloader (--debug) this command runs twice: a parent that only watches
    the files, and a child (WERKZEUG_RUN_MAIN=true) that serves. The scheduler belongs
    to the child alone, or every job would run twice as often as scheduled."""
    return not debug or os.environ.get("WERKZEUG_RUN_MAIN") == "true"


def _scheduler(registry):
    from registry.cli.scheduler import log_to_stderr
    from scheduling.service import Scheduler
    log_to_stderr()
    scheduler = Scheduler(registry)
    scheduler.start()
    click.echo("Running the scheduled jobs in this process", err=True)
    return scheduler
