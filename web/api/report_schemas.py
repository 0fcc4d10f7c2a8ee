"""Response schemas of the read models: benchmarks, SPC charts, histories, the audit index.

Kept apart from ``web.api.schemas`` (the records) only to keep modules short. Every
figure a statistic may leave undefined is nullable, so the OpenAPI document says
what clients will really receive.
"""

from marshmallow import Schema, fields

from web.api.schemas import Number


class National(Schema):
    value = Number(required=True)
    numerator = fields.Integer(required=True, allow_none=True)
    denominator = fields.Integer(required=True, allow_none=True)


class BenchmarkSummary(Schema):
    providers = fields.Integer(required=True, allow_none=True)
    minimum = Number(required=True)
    q1 = Number(required=True)
    median = Number(required=True)
    q3 = Number(required=True)
    maximum = Number(required=True)
    funnel_target = Number(required=True)
    phi = Number(required=True, metadata={"description": "Over-dispersion factor"})
    tau2 = Number(required=True)


class FunnelPosition(Schema):
    unadjusted = fields.String(required=True, allow_none=True)
    adjusted = fields.String(required=True, allow_none=True)
    flagged_by = fields.String(required=True, allow_none=True)


def interval() -> fields.List:
    return fields.List(Number(), required=True, allow_none=True,
                       metadata={"description": "[lower, upper]"})


class BenchmarkedProvider(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    value = Number(required=True)
    numerator = fields.Integer(required=True, allow_none=True)
    denominator = fields.Integer(required=True, allow_none=True)
    ci95 = interval()
    ci998 = interval()
    quartile = fields.Integer(required=True, allow_none=True,
                              metadata={"description": "1 = best quarter"})
    rank = fields.Integer(required=True, allow_none=True, metadata={"description": "1 = best"})
    comparison = fields.String(required=True, allow_none=True)
    funnel = fields.Nested(FunnelPosition, required=True)


class Benchmark(Schema):
    indicator = fields.String(required=True)
    period = fields.String(required=True)
    service_line = fields.String(required=True)
    peer_group = fields.String(required=True)
    measure = fields.String(required=True)
    unit = fields.String(required=True, allow_none=True)
    polarity = fields.String(required=True)
    national = fields.Nested(National, required=True,
                             metadata={"description": "The peer group's pooled value"})
    summary = fields.Nested(BenchmarkSummary, required=True)
    providers = fields.List(fields.Nested(BenchmarkedProvider), required=True)


class SpcPoint(Schema):
    period = fields.String(required=True)
    value = Number(required=True)
    mean = Number(required=True)
    lpl = Number(required=True)
    upl = Number(required=True)
    lower_2sigma = Number(required=True)
    upper_2sigma = Number(required=True)
    special_cause = fields.Boolean(required=True)
    rule = fields.String(required=True, allow_none=True)
    type = fields.String(required=True, allow_none=True)
    segment = fields.Integer(required=True, allow_none=True)
    pooled_from = fields.List(fields.String(), required=True, metadata={
        "description": "Predecessors whose figures are pooled into this point"})


class SpcChart(Schema):
    provider = fields.String(required=True)
    indicator = fields.String(required=True)
    service_line = fields.String(required=True)
    mean = Number(required=True)
    lpl = Number(required=True, metadata={"description": "Lower process limit"})
    upl = Number(required=True, metadata={"description": "Upper process limit"})
    target = Number(required=True)
    trial_limits = fields.Boolean(required=True)
    variation_icon = fields.String(required=True, allow_none=True)
    assurance_icon = fields.String(required=True, allow_none=True)
    rebaselined_at = fields.List(fields.String(), required=True)
    points = fields.List(fields.Nested(SpcPoint), required=True)


class HistoryEvent(Schema):
    position = fields.Integer(required=True)
    recorded_at = fields.String(required=True, metadata={"format": "date-time"})
    aggregate = fields.String(required=True)
    aggregate_id = fields.String(required=True)
    version = fields.Integer(required=True)
    event = fields.String(required=True)
    organisations = fields.List(fields.String(), required=True)
    provenance = fields.Dict(required=True)
    data = fields.Dict(required=True)


class AuditActor(Schema):
    user_id = fields.String(required=True, allow_none=True)
    role = fields.String(required=True, allow_none=True)
    organisation = fields.String(required=True, allow_none=True)


class AuditSource(Schema):
    file = fields.String(required=True)
    sha256 = fields.String(required=True, allow_none=True)
    row = fields.Integer(required=True, allow_none=True)


class AuditEvent(Schema):
    position = fields.Integer(required=True)
    recorded_at = fields.String(required=True, metadata={"format": "date-time"})
    aggregate_type = fields.String(required=True)
    aggregate_id = fields.String(required=True)
    version = fields.Integer(required=True)
    event_type = fields.String(required=True)
    actor = fields.Nested(AuditActor, required=True)
    channel = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True, allow_none=True)
    source = fields.Nested(AuditSource, required=True, allow_none=True)
    period = fields.String(required=True, allow_none=True)
    indicator = fields.String(required=True, allow_none=True)
    service_line = fields.String(required=True, allow_none=True)
    organisations = fields.List(fields.String(), required=True)
    data = fields.Dict(required=True, allow_none=True, metadata={
        "description": "The payload, read from the log; null if the log no longer holds "
                       "the event (see in_log)"})
    in_log = fields.Boolean(required=True, metadata={
        "description": "False if the event was removed from the log after it was indexed: "
                       "the ledger's verification names it"})
    payload_error = fields.String(required=True, allow_none=True, metadata={
        "description": "Why the payload could not be read from the log (its stored state "
                       "altered after it was indexed, so that it is not an event's): data is "
                       "then null, and the ledger's verification names the alteration"})
    stored_state = fields.String(required=True, allow_none=True, metadata={
        "description": "When payload_error is set: the stored state as text (UTF-8; a byte "
                       "that is not UTF-8 is shown as U+FFFD)"})
    values = fields.Dict(required=True, allow_none=True)
    previous_values = fields.Dict(required=True, allow_none=True)
    changed = fields.List(fields.String(), required=True, metadata={
        "description": "The value fields a restatement changed"})
    leaf_index = fields.Integer(allow_none=True, metadata={
        "description": "The event's leaf in the ledger's Merkle tree"})
    leaf_hash = fields.String(allow_none=True, metadata={
        "description": "RFC 6962 leaf hash of the stored event (hex); its inclusion proof is "
                       "at /ledger/proofs/inclusion?position=..."})


class AuditPage(Schema):
    items = fields.List(fields.Nested(AuditEvent), required=True)
    next = fields.String(required=True, allow_none=True, metadata={
        "description": "Pass as `cursor` for the next (older) page; null on the last"})
