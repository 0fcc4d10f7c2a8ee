"""What the ledger endpoints take and answer (see ``ledger.proofs`` for the proof formats)."""

from marshmallow import Schema, fields, validate

HEX_HASH = {"pattern": "^[0-9a-f]{64}$"}


class VerifierKey(Schema):
    name = fields.String(required=True, metadata={"description": "The key's (and log's) name"})
    algorithm = fields.String(required=True)
    key_id = fields.String(required=True, metadata={"description": "4-byte signed-note key id"})
    public_key = fields.String(required=True, metadata={"description": "Raw Ed25519 key, base64"})
    verifier_key = fields.String(required=True, metadata={
        "description": "C2SP signed-note verifier key: name+key id+base64(0x01||key)"})


class Checkpoint(Schema):
    tree_size = fields.Integer(required=True)
    position = fields.Integer(required=True, metadata={
        "description": "Where the checkpoint itself is recorded in the log"})
    root_hash = fields.String(required=True, metadata=HEX_HASH)
    signed_at = fields.String(required=True, metadata={"format": "date-time"})
    note = fields.String(required=True, metadata={
        "description": "The checkpoint as a C2SP signed note (tlog-checkpoint body)"})
    verified = fields.Boolean(required=True)
    problem = fields.String(required=True, allow_none=True)


class Problem(Schema):
    position = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={
        "description": "edited, deleted, inserted, reordered, journal, gap or checkpoint"})
    detail = fields.String(required=True)


class LedgerState(Schema):
    tree_size = fields.Integer(required=True)
    root_hash = fields.String(required=True, metadata=HEX_HASH)
    checkpoints = fields.Integer(required=True)
    checkpoints_verified = fields.Integer(required=True)
    latest_checkpoint = fields.Nested(Checkpoint, required=True, allow_none=True)
    problems = fields.List(fields.Nested(Problem), required=True)
    verifier_key = fields.String(required=True)


class CheckpointTaken(Schema):
    taken = fields.Boolean(required=True, metadata={
        "description": "false when nothing was recorded since the latest checkpoint"})
    checkpoint = fields.Nested(Checkpoint, required=True, allow_none=True)


class SignedCheckpoint(Schema):
    tree_size = fields.Integer(required=True)
    root_hash = fields.String(required=True, metadata=HEX_HASH)
    signed_at = fields.String(required=True)
    note = fields.String(required=True)


class ProofLeaf(Schema):
    position = fields.Integer(required=True)
    leaf_index = fields.Integer(required=True)
    leaf_hash = fields.String(required=True, metadata=HEX_HASH)
    leaf_data = fields.String(required=True, metadata={
        "description": "The canonical leaf data, base64 (see docs/ledger.md)"})
    aggregate_id = fields.String(required=True)
    version = fields.Integer(required=True)
    topic = fields.String(required=True)


class InclusionProof(Schema):
    format = fields.String(required=True)
    leaf = fields.Nested(ProofLeaf, required=True)
    tree_size = fields.Integer(required=True)
    proof = fields.List(fields.String(metadata=HEX_HASH), required=True, metadata={
        "description": "RFC 6962 audit path, leaf to root"})
    checkpoint = fields.Nested(SignedCheckpoint, required=True)
    verifier_key = fields.String(required=True)


class ConsistencyProof(Schema):
    format = fields.String(required=True)
    old = fields.Nested(SignedCheckpoint, required=True)
    new = fields.Nested(SignedCheckpoint, required=True)
    proof = fields.List(fields.String(metadata=HEX_HASH), required=True)
    verifier_key = fields.String(required=True)


TREE_SIZE = validate.Range(min=1, max=2**62)


class InclusionQuery(Schema):
    position = fields.Integer(required=True, validate=TREE_SIZE, metadata={
        "description": "The event's position in the log"})
    tree_size = fields.Integer(validate=TREE_SIZE, metadata={
        "description": "The checkpoint to prove against (default: the latest)"})


class ConsistencyQuery(Schema):
    old_size = fields.Integer(required=True, data_key="from", validate=TREE_SIZE, metadata={
        "description": "Tree size of the earlier checkpoint"})
    new_size = fields.Integer(data_key="to", validate=TREE_SIZE, metadata={
        "description": "Tree size of the later checkpoint (default: the latest)"})


class CheckpointRequest(Schema):
    reason = fields.String(validate=validate.Length(max=500))
