"""``registry pack``: printable evidence packs (PDF/A-3b with their data attached) and their
verification against the registry."""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import click

from ledger import keys
from registry.cli.context import handle_errors
from registry.cli.figures import AS_OF, utc
from registry.cli.ledger import _verifier

OUT = click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
                   help="Where to write the PDF.")
AS_OF_OPTION = click.option("--as-of", type=AS_OF,
                            help="Reproduce the pack as the registry knew things at this "
                                 "recorded time (UTC unless given); default now.")


@click.group("pack")
def pack_group():
    """Evidence packs: FT application, contract renewal, regulator audit extract."""


@pack_group.command("ft")
@click.argument("provider")
@OUT
@AS_OF_OPTION
@click.pass_obj
@handle_errors
def ft(obj, provider, out, as_of):
    """Write the FT application evidence pack of PROVIDER (ODS code) to --out."""
    _write(obj, "ft", {"provider": provider.upper()}, utc(as_of), out)


@pack_group.command("renewal")
@click.argument("contract")
@OUT
@AS_OF_OPTION
@click.pass_obj
@handle_errors
def renewal(obj, contract, out, as_of):
    """Write the renewal pack of CONTRACT (its reference) to --out."""
    _write(obj, "renewal", {"contract": contract}, utc(as_of), out)


@pack_group.command("audit")
@click.argument("organisation")
@click.option("--from", "recorded_from", type=AS_OF, required=True,
              help="Events recorded at or after this time (UTC unless given).")
@click.option("--to", "recorded_to", type=AS_OF, required=True,
              help="Events recorded before this time (a date means its start).")
@OUT
@click.pass_obj
@handle_errors
def audit(obj, organisation, recorded_from, recorded_to, out):
    """Write the audit extract of ORGANISATION (ODS code) for a recorded-time range to --out."""
    subject = {"organisation": organisation.upper(),
               "from": utc(recorded_from).isoformat(), "to": utc(recorded_to).isoformat()}
    _write(obj, "audit", subject, None, out)


@pack_group.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--key", "key_text", help="The verifier key the checkpoint must be signed with "
                                        "(default: this registry's).")
@click.pass_obj
@handle_errors
def verify(obj, file, key_text):
    """Check a pack FILE against the registry: every event's ledger proof, every figure
    recomputed. Exits 1 naming each mismatch."""
    from packs.pdf import read_document
    from packs.verify import verify_pack

    document = read_document(Path(file).read_bytes())
    try:
        verifier = _verifier(key_text) if key_text else None
    except keys.LedgerKeyError as error:
        click.echo(f"error: --key: {error}", err=True)
        sys.exit(2)
    report = verify_pack(obj.app, document, verifier)
    for problem in report.problems:
        click.echo(f"MISMATCH: {problem}", err=True)
    if not report.ok:
        click.echo(f"PACK FAILS VERIFICATION: {len(report.problems)} problem(s)", err=True)
        sys.exit(1)
    click.echo(f"pack verified: {report.events} events proven in the ledger checkpoint of "
               f"{document['ledger']['checkpoint']['tree_size'] if report.events else 0} "
               f"leaves; {report.figures} figures recomputed as known at {document['as_of']}")


@pack_group.command("extract")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@handle_errors
def extract(file):
    """Print the data attached to a pack FILE (pack.json) to standard output."""
    from packs.pdf import read_document

    click.echo(json.dumps(read_document(Path(file).read_bytes()), indent=1, sort_keys=True))


def _write(obj, kind: str, subject: dict, as_of, out: str) -> None:
    import packs
    from packs.pdf import render_pdf

    started = time.perf_counter()
    click.echo(f"gathering the {kind} pack's figures and proving its events ...", err=True)
    document = packs.build(obj.app, kind, subject, as_of, requested_by=obj.user,
                           channel="cli")
    click.echo(f"rendering {len(document['events'])} events and their figures to PDF ...",
               err=True)
    pdf = render_pdf(document)
    target = Path(out)
    with tempfile.NamedTemporaryFile(dir=target.parent or Path("."), prefix=".pack-",
                                     delete=False) as handle:
        handle.write(pdf)
    os.replace(handle.name, target)
    click.echo(f"wrote {target} ({len(pdf):,} bytes, {len(document['events'])} events, as known "
               f"at {document['as_of']}) in {time.perf_counter() - started:.1f} s", err=True)
