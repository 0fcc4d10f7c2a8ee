"""The tamper-evident ledger: its public key, checkpoints and proofs.

The verifier key is public (no token needed): anyone holding a proof or an
evidence pack checks it with that key alone.
"""

import base64

from registry.commands import load
from web.api import api, body, dump, query
from web.api import ledger_schemas as ls
from web.api.spec import operation
from web.context import provenance, registry


@api.get("/ledger/key")
@operation("The ledger's verifier key", tag="ledger", response=ls.VerifierKey, public=True)
def key():
    """The Ed25519 public key that checks every checkpoint, as a C2SP verifier key."""
    verifier = registry().ledger.verifier
    return dump(ls.VerifierKey, {"name": verifier.name, "algorithm": "Ed25519",
                                 "key_id": verifier.key_id.hex(),
                                 "public_key": base64.b64encode(verifier.public).decode(),
                                 "verifier_key": str(verifier)})


@api.get("/ledger")
@operation("The ledger's state", tag="ledger", response=ls.LedgerState)
def state():
    """Tree size and root as verified so far, the latest checkpoint and any problems found."""
    return dump(ls.LedgerState, registry().ledger.state())


@api.get("/ledger/checkpoints")
@operation("Every signed checkpoint", tag="ledger", response=ls.Checkpoint, many=True)
def checkpoints():
    """Each checkpoint, oldest first, and whether it verifies against the stored events."""
    return dump(ls.Checkpoint, registry().ledger.checkpoints(), many=True)


@api.post("/ledger/checkpoints")
@operation("Take a checkpoint", tag="ledger", body=ls.CheckpointRequest,
           response=ls.CheckpointTaken, status=201, also=(200,), errors=(400, 403, 422))
def take_checkpoint():
    """Sign the tree as it stands (regulators and administrators). Answers ``taken: false``
    with the latest checkpoint when nothing was recorded since it."""
    data = load(ls.CheckpointRequest, body())
    ledger = registry().ledger
    taken = ledger.checkpoint(provenance(data.get("reason")))
    if taken is None:
        return dump(ls.CheckpointTaken, {"taken": False,
                                         "checkpoint": ledger.latest_checkpoint()}, 200)
    return dump(ls.CheckpointTaken, {"taken": True, "checkpoint": taken}, 201)


@api.get("/ledger/proofs/inclusion")
@operation("Inclusion proof of one event", tag="ledger", query=ls.InclusionQuery,
           response=ls.InclusionProof, errors=(404, 422))
def inclusion():
    """Proof that the event at ``position`` is in a signed checkpoint, with its leaf data;
    check it offline with ``registry ledger verify-proof`` and the verifier key."""
    args = query(ls.InclusionQuery)
    return dump(ls.InclusionProof,
                registry().ledger.inclusion_proof(args["position"], args.get("tree_size")))


@api.get("/ledger/proofs/consistency")
@operation("Consistency proof between two checkpoints", tag="ledger",
           query=ls.ConsistencyQuery, response=ls.ConsistencyProof, errors=(404, 422))
def consistency():
    """Proof that the later checkpoint's tree extends the earlier one unchanged."""
    args = query(ls.ConsistencyQuery)
    return dump(ls.ConsistencyProof,
                registry().ledger.consistency_proof(args["old_size"], args.get("new_size")))
