"""``registry ledger``: the tamper-evident ledger's key, checkpoints, proofs and verification."""

import json
import sys
from pathlib import Path

import click

from config.settings import Settings
from ledger import keys
from ledger.merkle import ProofError
from ledger.proofs import verify_document
from registry.cli.context import StepProgress, handle_errors


@click.group("ledger")
def ledger_group():
    """The Merkle tree over the event log: checkpoints, proofs, verification."""


@ledger_group.command()
@click.pass_obj
@handle_errors
def key(obj):
    """Print the verifier (public) key that checks checkpoints and proofs."""
    click.echo(str(obj.app.ledger.verifier))


@ledger_group.command()
@click.option("--reason", help="Why the checkpoint is taken (recorded with it).")
@click.pass_obj
@handle_errors
def checkpoint(obj, reason):
    """Sign the tree as it stands now and record the checkpoint (as JSON)."""
    taken = obj.app.ledger.checkpoint(obj.provenance(reason))
    if taken is None:
        latest = obj.app.ledger.latest_checkpoint()
        click.echo(f"nothing new since the checkpoint of {latest['tree_size']} leaves",
                   err=True)
        taken = latest
    click.echo(json.dumps(taken, indent=2))


@ledger_group.command()
@click.pass_obj
@handle_errors
def checkpoints(obj):
    """List every checkpoint: size, root hash, when signed, and whether it verifies."""
    for row in obj.app.ledger.checkpoints():
        mark = "ok" if row["verified"] else f"FAILS: {row['problem']}"
        click.echo(f"{row['tree_size']:>10}  {row['root_hash']}  {row['signed_at']}  {mark}")


@ledger_group.command()
@click.option("--incremental", is_flag=True,
              help="Check only events added since the last verification (quick); by "
                   "default the whole tree is recomputed from the stored events.")
@click.pass_obj
@handle_errors
def verify(obj, incremental):
    """Recompute the tree from the stored events and check every checkpoint.

    Exits 1 and names the first bad position if any stored event was edited,
    deleted, inserted or reordered.
    """
    progress = StepProgress()
    report = obj.app.ledger.verify(full=not incremental, progress=progress)
    progress.close()
    click.echo(f"{report['tree_size']} leaves, root {report['root_hash']}; "
               f"{report['checkpoints_verified']} of {report['checkpoints']} checkpoints "
               "verified")
    if report["ok"]:
        click.echo("ledger verified: no stored event was edited, deleted, inserted or "
                   "reordered")
        return
    for problem in report["problems"][:20]:
        click.echo(f"position {problem['position']}: {problem['kind']}: {problem['detail']}",
                   err=True)
    if len(report["problems"]) > 20:
        click.echo(f"... and {len(report['problems']) - 20} more", err=True)
    click.echo(f"LEDGER FAILS: first bad position {report['first_bad_position']}", err=True)
    sys.exit(1)


@ledger_group.command()
@click.argument("position", type=click.IntRange(min=1))
@click.option("--tree-size", type=click.IntRange(min=1),
              help="The checkpoint to prove against (default: the latest).")
@click.pass_obj
@handle_errors
def proof(obj, position, tree_size):
    """Print the inclusion proof of the event at POSITION as JSON."""
    click.echo(json.dumps(obj.app.ledger.inclusion_proof(position, tree_size), indent=2))


@ledger_group.command()
@click.argument("old_size", type=click.IntRange(min=1))
@click.argument("new_size", type=click.IntRange(min=1), required=False)
@click.pass_obj
@handle_errors
def consistency(obj, old_size, new_size):
    """Print the consistency proof between the checkpoints of OLD_SIZE and NEW_SIZE leaves."""
    click.echo(json.dumps(obj.app.ledger.consistency_proof(old_size, new_size), indent=2))


@ledger_group.command("verify-proof")
@click.argument("file", type=click.File("r"))
@click.option("--key", "key_text",
              help="The verifier key (from 'registry ledger key' or /api/v1/ledger/key), or "
                   "a file holding it; default: this registry's own key file.")
def verify_proof(file, key_text):
    """Check a proof FILE offline, with only the verifier key (no database)."""
    try:
        verifier = _verifier(key_text)
        document = json.load(file)
        click.echo(f"proof verified: {verify_document(document, verifier)}")
    except (ProofError, keys.LedgerKeyError) as error:
        click.echo(f"PROOF FAILS: {error}", err=True)
        sys.exit(1)
    except ValueError as error:
        click.echo(f"PROOF FAILS: {file.name} is not JSON ({error})", err=True)
        sys.exit(1)


def _verifier(key_text: str | None) -> keys.VerifierKey:
    if key_text is None:
        path = Settings.from_env().ledger_key
        if not path.exists():
            raise keys.LedgerKeyError(f"no key given and no ledger key at {path}: pass "
                                      "--key with the registry's verifier key")
        return keys.load(path).verifier
    candidate = Path(key_text)
    if "+" not in key_text and candidate.exists():
        key_text = candidate.read_text()
    return keys.VerifierKey.parse(key_text)
