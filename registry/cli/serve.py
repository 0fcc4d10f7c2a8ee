"""``registry serve``: the web application and API on one address."""

import click

from registry.cli.context import handle_errors


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to listen on.")
@click.option("--debug", is_flag=True, help="Reload on code changes and show debug pages "
                                             "(never in production).")
@handle_errors
def serve(host, port, debug):
    """Serve the web pages and the JSON API (development server).

    In production run it under gunicorn instead, e.g.
    gunicorn -w 2 -b 127.0.0.1:8000 'web.wsgi:app'
    """
    from web import create_app
    app = create_app()
    click.echo(f"Serving the registry at http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    app.run(host=host, port=port, debug=debug, use_reloader=debug)
