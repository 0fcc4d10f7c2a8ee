"""The ``registry`` command: imports, the demo data set, histories.

Every sub-command has ``--help``. Errors are printed as one line each with what to
do next, never as a traceback; exit status 2 means the input was refused and
nothing was stored.
"""

import getpass


import click

from registry.cli.bench import bench
from registry.cli.context import CliContext
from registry.cli.demo import demo
from registry.cli.figures import benchmark, spc
from registry.cli.history import history
from registry.cli.imports import import_group
from registry.cli.ledger import ledger_group
from registry.cli.packs import pack_group
from registry.cli.projections import projections_group
from registry.cli.scheduler import scheduler_group
from registry.cli.serve import serve
from registry.cli.summary import summary
from registry.cli.users import users_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--user", envvar="REGISTRY_USER", default=getpass.getuser, show_default="login name",
              help="Who is acting: recorded on every event.")
@click.option("--organisation", envvar="REGISTRY_ORGANISATION", default="REGISTRY",
              show_default=True, help="The acting user's organisation (ODS code).")
@click.option("--role", envvar="REGISTRY_ROLE", default="admin", show_default=True,
              type=click.Choice(["admin", "regulator", "commissioner", "provider"]),
              help="The acting user's role; it limits what they may record.")
@click.pass_context
def main(ctx, user, organisation, role):
    """Event-sourced performance registry for NHS community health providers.

    Storage: REGISTRY_DATABASE_URL (sqlite:///path or postgresql://user@host:port/db);
    default an SQLite file var/registry.db under REGISTRY_HOME or the working directory.
    """
    ctx.obj = CliContext(user=user, organisation=organisation.upper(), role=role)


main.add_command(import_group)
main.add_command(demo)
main.add_command(history)
main.add_command(summary)
main.add_command(projections_group)
main.add_command(benchmark)
main.add_command(spc)
main.add_command(serve)
main.add_command(users_group)
main.add_command(ledger_group)
main.add_command(pack_group)
main.add_command(scheduler_group)
main.add_command(bench)
