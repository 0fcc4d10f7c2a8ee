"""Checking a pack against the registry: its events in the ledger, its figures recomputed.

``verify_pack`` reads the pack document (``packs.pdf.read_document``) and reports every
mismatch it finds, never stopping at the first:

- the checkpoint: signed by the registry's key, and one the registry itself holds with
  the same root (so the pack's tree is the registry's tree);
- each event: its inclusion proof leads from its leaf data to that signed root; the
  leaf data decodes to exactly the event record the pack shows; the registry's event at
  that position still has that leaf hash;
- the set of events: the ones the registry gives for the same pack and moment, none
  missing and none added;
- every figure: recomputed by the same builder as known at the pack's moment and
  compared value by value (floats to a relative 1e-9).
"""

import base64
import math
from dataclasses import dataclass, field
from datetime import datetime

from eventsourcing.persistence import StoredEvent

from ledger.keys import VerifierKey
from ledger.leaf import parse_leaf
from ledger.merkle import ProofError
from ledger.notes import NoteError, open_note
from ledger.proofs import INCLUSION_FORMAT, verify_document
from packs import contents
from packs.document import FORMAT
from projections.eventlog import LoggedEvent, plain
from registry.errors import RegistryError

RECORD_FIELDS = ("position", "recorded_at", "aggregate", "aggregate_id", "version", "event",
                 "provenance", "data")
MAX_REPORTED = 50


@dataclass
class Report:
    events: int = 0
    figures: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, text: str) -> None:
        self.problems.append(text)


def verify_pack(app, document: dict, verifier: VerifierKey | None = None) -> Report:
    report = Report()
    if document.get("format") != FORMAT:
        report.problem(f"format: {document.get('format')!r} is not {FORMAT}")
        return report
    verifier = verifier or app.ledger.verifier
    ledger = document.get("ledger")
    checkpoint = ledger.get("checkpoint") if isinstance(ledger, dict) else None
    events = document.get("events") or []
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        report.problem("events: not a list of event records")
        return report
    if _check_checkpoint(app, checkpoint, verifier, bool(events), report):
        for event in events:
            try:
                _check_event(app, event, checkpoint, verifier, report)
            except (KeyError, TypeError, ValueError, AttributeError) as error:
                report.problem(f"event at position {event.get('position')}: malformed "
                               f"({type(error).__name__}: {error})")
    report.events = len(events)
    if not isinstance(ledger, dict) or ledger.get("verifier_key") != str(verifier):
        report.problem("ledger.verifier_key: not the key the checkpoint was checked with")
    _check_figures(app, document, report)
    return report


def _check_checkpoint(app, checkpoint, verifier, needed: bool, report: Report) -> bool:
    if not isinstance(checkpoint, dict):
        if needed:
            report.problem("ledger.checkpoint: missing, so no event can be proven")
        return False
    try:
        signed = open_note(checkpoint["note"], verifier)
    except (NoteError, KeyError, TypeError, ValueError) as error:
        report.problem(f"ledger.checkpoint: its signature does not verify with "
                       f"{verifier.name}'s key ({error})")
        return False
    if (signed.tree_size, signed.root_hash.hex(), signed.signed_at) != (
            checkpoint.get("tree_size"), checkpoint.get("root_hash"), checkpoint.get("signed_at")):
        report.problem("ledger.checkpoint: its tree size, root hash or signing time differs "
                       "from the signed note")
    known = {c["tree_size"]: c for c in app.ledger.checkpoints()}.get(signed.tree_size)
    if known is None or known["root_hash"] != signed.root_hash.hex() or not known["verified"]:
        report.problem(f"ledger.checkpoint: the registry holds no verified checkpoint of "
                       f"{signed.tree_size} leaves with root {signed.root_hash.hex()[:16]}…")
    return True


def _check_event(app, event: dict, checkpoint: dict, verifier, report: Report) -> None:
    position = event.get("position")
    where = f"event at position {position}"
    ledger = event.get("ledger") or {}
    try:
        verify_document({"format": INCLUSION_FORMAT, "tree_size": checkpoint["tree_size"],
                         "checkpoint": checkpoint, "proof": ledger.get("proof"),
                         "leaf": {"position": position, "leaf_index": ledger.get("leaf_index"),
                                  "leaf_hash": ledger.get("leaf_hash"),
                                  "leaf_data": ledger.get("leaf_data")}}, verifier)
    except ProofError as error:
        report.problem(f"{where}: its inclusion proof fails ({error})")
        return
    differs = _differences(_record_from_leaf(app, ledger["leaf_data"]), event)
    if differs:
        report.problem(f"{where}: the pack's record differs from the ledger's leaf in "
                       f"{', '.join(differs)}")
    stored = app.ledger.leaf(int(position))
    if stored is None or stored["leaf_hash"] != ledger.get("leaf_hash"):
        report.problem(f"{where}: the registry's event there is not the one in the pack "
                       "(run 'registry ledger verify')")


def _record_from_leaf(app, leaf_data: str) -> dict:
    fields = parse_leaf(base64.b64decode(leaf_data))
    stored = StoredEvent(originator_id=fields["originator_id"],
                         originator_version=fields["version"], topic=fields["topic"],
                         state=fields["state"])
    return LoggedEvent(position=fields["position"], aggregate_id=stored.originator_id,
                       version=stored.originator_version, topic=stored.topic,
                       notification=stored, mapper=app.mapper).as_dict()


def _differences(from_leaf: dict, record: dict) -> list[str]:
    return [name for name in RECORD_FIELDS if from_leaf.get(name) != record.get(name)]


def _check_figures(app, document: dict, report: Report) -> None:
    try:
        as_of = datetime.fromisoformat(document["as_of"])
        recomputed = contents(app, document["kind"], document["subject"], as_of)
    except (KeyError, TypeError, ValueError) as error:
        report.problem(f"subject: the pack cannot be recomputed ({type(error).__name__}: "
                       f"{error})")
        return
    except RegistryError as error:
        report.problem(f"subject: the registry cannot recompute this pack ({error.message})")
        return
    if document.get("title") != recomputed.title:
        report.problem(f"title: the pack says {document.get('title')!r}, recomputed "
                       f"{recomputed.title!r}")
    mismatches = list(_compare("figures", plain(recomputed.figures), document.get("figures")))
    report.figures = _count(recomputed.figures)
    report.problems += mismatches[:MAX_REPORTED]
    if len(mismatches) > MAX_REPORTED:
        report.problem(f"... and {len(mismatches) - MAX_REPORTED} more figure mismatches")
    records = {int(e["position"]): plain(e) for e in recomputed.events}
    expected = set(records)
    found = {int(e["position"]) for e in document.get("events") or []
             if isinstance(e.get("position"), int)}
    for event in document.get("events") or []:
        position = event.get("position")
        record = records.get(position) if isinstance(position, int) else None
        if record is not None:
            differs = sorted(k for k in set(record) | set(event) - {"ledger"}
                             if record.get(k) != event.get(k))
            if differs:
                report.problem(f"events: the record at position {event['position']} differs "
                               f"from the registry's in {', '.join(differs)}")
    for position in sorted(expected - found)[:MAX_REPORTED]:
        report.problem(f"events: the event at position {position} is missing from the pack")
    for position in sorted(found - expected)[:MAX_REPORTED]:
        report.problem(f"events: the event at position {position} does not belong in this pack")


def _compare(path: str, expected, found):
    if isinstance(expected, dict) and isinstance(found, dict):
        for key in sorted(set(expected) | set(found)):
            yield from _compare(f"{path}.{key}", expected.get(key), found.get(key))
    elif isinstance(expected, list) and isinstance(found, list):
        if len(expected) != len(found):
            yield f"{path}: the pack has {len(found)} entries, recomputed {len(expected)}"
        for i, (a, b) in enumerate(zip(expected, found, strict=False)):
            yield from _compare(f"{path}[{i}]", a, b)
    elif not _same(expected, found):
        yield f"{path}: the pack says {found!r}, recomputed {expected!r}"


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b and type(a) is type(b)


def _count(value) -> int:
    if isinstance(value, dict):
        return sum(_count(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count(v) for v in value)
    return 1 if isinstance(value, (int, float)) and not isinstance(value, bool) else 0


__all__ = ["Report", "verify_pack"]
