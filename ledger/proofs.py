"""Proof documents: what ``registry ledger proof`` prints and the API serves, and their
offline check with nothing but the ledger's verifier key.

An inclusion proof document carries the event's canonical leaf data (base64), its
leaf index, the RFC 6962 audit path and the signed checkpoint (a C2SP note). A
consistency proof document carries two signed checkpoints and the RFC 6962
consistency path between them. ``verify_document`` checks every part: the
signature, the leaf hash against the leaf data, and the path against the signed
root; any mismatch raises ``ProofError`` saying which.
"""

import base64
import binascii

from ledger import merkle
from ledger.keys import VerifierKey
from ledger.leaf import parse_leaf
from ledger.merkle import ProofError
from ledger.notes import NoteError, open_note

INCLUSION_FORMAT = "registry-ledger-inclusion-proof/1"
CONSISTENCY_FORMAT = "registry-ledger-consistency-proof/1"


def verify_document(document: dict, verifier: VerifierKey) -> str:
    """Check a proof document; returns a one-line summary, raises ProofError if it fails."""
    if not isinstance(document, dict):
        raise ProofError("a proof document is a JSON object")
    try:
        if document.get("format") == INCLUSION_FORMAT:
            return _inclusion(document, verifier)
        if document.get("format") == CONSISTENCY_FORMAT:
            return _consistency(document, verifier)
    except NoteError as error:
        raise ProofError(f"checkpoint: {error}") from error
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, ProofError):
            raise
        raise ProofError(f"the proof document is malformed ({type(error).__name__}: "
                         f"{error})") from error
    raise ProofError(f"unknown proof format {document.get('format')!r}: expected "
                     f"{INCLUSION_FORMAT} or {CONSISTENCY_FORMAT}")


def _inclusion(document: dict, verifier: VerifierKey) -> str:
    checkpoint = open_note(document["checkpoint"]["note"], verifier)
    leaf = document["leaf"]
    try:
        data = base64.b64decode(leaf["leaf_data"], validate=True)
    except binascii.Error as error:
        raise ProofError("leaf_data is not base64") from error
    digest = merkle.leaf_hash(data)
    if digest.hex() != leaf["leaf_hash"]:
        raise ProofError("the leaf hash does not match the leaf data")
    fields = parse_leaf(data)
    if fields["position"] != leaf["position"]:
        raise ProofError("the leaf data is for another position")
    if int(document["tree_size"]) != checkpoint.tree_size:
        raise ProofError("the proof's tree size is not the signed checkpoint's")
    merkle.verify_inclusion(digest, int(leaf["leaf_index"]), checkpoint.tree_size,
                            _hashes(document["proof"]), checkpoint.root_hash)
    return (f"event at position {fields['position']} ({fields['topic']}, recorded "
            f"{fields['recorded_at']}) is leaf {leaf['leaf_index']} of the "
            f"{checkpoint.tree_size}-leaf tree signed by {verifier.name} at "
            f"{checkpoint.signed_at}")


def _consistency(document: dict, verifier: VerifierKey) -> str:
    old = open_note(document["old"]["note"], verifier)
    new = open_note(document["new"]["note"], verifier)
    merkle.verify_consistency(old.tree_size, new.tree_size, old.root_hash, new.root_hash,
                              _hashes(document["proof"]))
    return (f"the {new.tree_size}-leaf tree signed at {new.signed_at} extends the "
            f"{old.tree_size}-leaf tree signed at {old.signed_at}: nothing before it was "
            "changed, removed or reordered")


def _hashes(proof) -> list[bytes]:
    if not isinstance(proof, list):
        raise ProofError("proof must be a list of hex hashes")
    try:
        hashes = [bytes.fromhex(node) for node in proof]
    except (TypeError, ValueError) as error:
        raise ProofError("a proof hash is not hex") from error
    if any(len(h) != 32 for h in hashes):
        raise ProofError("a proof hash is not 32 bytes")
    return hashes
