"""A pack's document: what it shows and everything needed to re-check it, as one JSON object.

The PDF is a view of this document, and the document travels inside the PDF as its
attachment. It holds the figures the pack shows (computed as known at ``as_of``),
the events they rest on (each as the registry's history records it, with its ledger
leaf and inclusion proof), and the signed checkpoint those proofs lead to. Anyone can
check the proofs with the verifier key alone; ``packs.verify`` also recomputes every
figure from the registry as known at ``as_of`` and compares.
"""

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

import orjson

from ledger.service import system_provenance
from projections.eventlog import plain
from registry.errors import RuleViolation

FORMAT = "registry-evidence-pack/1"
ATTACHMENT = "pack.json"


@dataclass(frozen=True)
class Contents:
    """What a pack builder returns: its figures and the history records of its events."""
    title: str
    subject: dict
    figures: dict
    events: list[dict]


def moment(as_of: datetime | None) -> tuple[datetime, date]:
    """The recorded time a pack is "as known at" (now unless given), and its calendar day."""
    as_of = (as_of or datetime.now(UTC)).astimezone(UTC)
    return as_of, as_of.date()


def assemble(app, kind: str, contents: Contents, as_of: datetime, requested_by: str,
             channel: str) -> dict:
    """The pack document: the contents with every event's ledger proof and the checkpoint."""
    positions = [int(event["position"]) for event in contents.events]
    checkpoint = anchor(app, positions, kind, contents.subject, requested_by, channel)
    paths = app.ledger.inclusion_paths(positions, checkpoint["tree_size"]) \
        if checkpoint else {}
    return plain({
        "format": FORMAT,
        "kind": kind,
        "title": contents.title,
        "subject": contents.subject,
        "as_of": as_of.isoformat(),
        "generated_at": datetime.now(UTC).isoformat(),
        "generated_by": requested_by,
        "ledger": {"verifier_key": str(app.ledger.verifier),
                   "checkpoint": checkpoint},
        "figures": contents.figures,
        "events": [{**event, "ledger": paths.get(int(event["position"]))}
                   for event in contents.events],
    })


def anchor(app, positions: list[int], kind: str, subject: dict, requested_by: str,
           channel: str) -> dict | None:
    """The earliest signed checkpoint covering the pack's events, signing one if none does.

    The registry's ledger actor signs it (not the requester, who may not be allowed to),
    recording why; a pack with no events needs no checkpoint.
    """
    if not positions:
        return None
    checkpoint = app.ledger.covering_checkpoint(positions)
    if checkpoint is None:
        reason = (f"evidence pack ({kind} {json.dumps(subject, sort_keys=True)}) requested by "
                  f"{requested_by}: its events were newer than the latest checkpoint")
        app.ledger.checkpoint(system_provenance(channel, reason))
        checkpoint = app.ledger.covering_checkpoint(positions)
    if checkpoint is None:
        raise RuleViolation("no signed checkpoint covers this pack's events: run "
                            "'registry ledger verify' to see why", "ledger")
    return checkpoint


def dumps(document: dict) -> bytes:
    """The pack's JSON attachment: UTF-8, keys sorted, indented for a reader. orjson, since
    a pack with a decade of history carries thousands of events with their proofs (tens of
    megabytes, a second with the standard encoder)."""
    return orjson.dumps(document, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS)
