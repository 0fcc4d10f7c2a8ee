"""LedgerCheckpoint: a signed statement of the ledger's size and root hash.

Checkpoints are events like any other, so they are in the log (and in later
checkpoints), auditable and replayed by the ledger projection, which checks each
one against the tree it recomputes. One aggregate per tree size: two processes
checkpointing the same tree collide instead of recording it twice.
"""

from eventsourcing.domain import Aggregate, event

from registry.identity import checkpoint_id


class LedgerCheckpoint(Aggregate):
    @staticmethod
    def create_id(tree_size: int, **_):
        return checkpoint_id(tree_size)

    @event("Signed")
    def __init__(self, tree_size: int, root_hash: str, signed_at: str, note: str,
                 verifier_key: str, provenance: dict):
        self.tree_size = tree_size
        self.root_hash = root_hash
        self.signed_at = signed_at
        self.note = note
        self.verifier_key = verifier_key
