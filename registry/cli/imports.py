"""``registry import KIND FILE``: validate every row, then store the file atomically."""

import sys
from pathlib import Path

import click

from registry.cli.context import Progress, handle_errors
from registry.imports import KINDS, ImportOptions, import_csv
from registry.imports.reader import ImportRejected


@click.group("import")
def import_group():
    """Import a CSV file (UTF-8, header row). Bad rows are listed; nothing is stored."""


def _make_import_command(kind: str, module):
    @click.command(kind, help=f"Import {kind} from FILE.\n\n{(module.__doc__ or '').strip()}")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--restate", is_flag=True,
                  help="Record rows that differ from what is stored as restatements "
                       "(corrections); needs --reason.")
    @click.option("--reason", help="Why the stored values are being restated.")
    @click.pass_obj
    @handle_errors
    def command(obj, file: Path, restate: bool, reason: str | None):
        progress = Progress(f"Importing {file.name}")
        try:
            report = import_csv(obj.app, kind, file.read_bytes(), file.name,
                                obj.provenance(), ImportOptions(restate, reason), progress)
        except ImportRejected as rejected:
            progress.close()
            for error in rejected.errors:
                click.echo(str(error), err=True)
            click.echo(f"{file.name}: {len(rejected.errors)} error(s); nothing was stored.",
                       err=True)
            sys.exit(2)
        progress.close()
        outcomes = ", ".join(f"{n} {what}" for what, n in sorted(report.outcomes.items()))
        click.echo(f"{file.name}: {report.rows} rows ({outcomes}); {report.events} events "
                   f"stored; sha256 {report.sha256}")
        if report.checkpoint:
            click.echo(f"ledger checkpoint: {report.checkpoint['tree_size']} leaves, root "
                       f"{report.checkpoint['root_hash']}")

    return command


for _kind, _module in KINDS.items():
    import_group.add_command(_make_import_command(_kind, _module))
