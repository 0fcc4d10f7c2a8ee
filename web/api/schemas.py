"""Response schemas of the JSON API (inputs are the command schemas in registry.commands).

Input and output schemas are separate: these describe what the API answers with,
for the OpenAPI document, and dump the service layer's plain dicts.
"""

import math

from marshmallow import Schema, fields, validate


class Error(Schema):
    status = fields.Integer(required=True)
    error = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class AsOf(Schema):
    """``as_of``: answer as the registry knew things at this recorded time (UTC)."""

    as_of = fields.String(metadata={
        "description": "A recorded time: YYYY-MM-DD (end of that day, UTC) or "
                       "YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+HH:MM]."})


class TableQuery(AsOf):
    format = fields.String(validate=validate.OneOf(("json", "csv")), metadata={
        "description": "json (default) or csv to download the table"})


class OrganisationsQuery(TableQuery):
    kind = fields.String(metadata={"description": "Only organisations of this kind"})


class OrganisationSummary(Schema):
    code = fields.String(required=True)
    name = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    merged_into = fields.String(allow_none=True)


class Organisation(Schema):
    id = fields.String(required=True)
    version = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    region = fields.String(allow_none=True)
    opened = fields.Date(allow_none=True)
    closed = fields.Date(allow_none=True)
    system = fields.String(allow_none=True)
    merged_into = fields.String(allow_none=True)
    transfers = fields.List(fields.Dict())
    created_on = fields.DateTime(required=True)
    modified_on = fields.DateTime(required=True)


class Indicator(Schema):
    code = fields.String(required=True)
    name = fields.String(allow_none=True)
    measure = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    multiplier = fields.Float(allow_none=True)
    polarity = fields.String(allow_none=True)
    frequency = fields.String(allow_none=True)
    target = fields.String(allow_none=True)
    service_lines = fields.List(fields.String())
    domain = fields.String(allow_none=True)
    subdomain = fields.String(allow_none=True)
    revisions = fields.List(fields.String())


class Number(fields.Float):
    """A float that JSON can carry: NaN and infinities (no JSON number) become null."""

    def __init__(self, **kwargs):
        super().__init__(allow_none=True, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        result = super()._serialize(value, attr, obj, **kwargs)
        return result if result is None or math.isfinite(result) else None


def money(**kwargs) -> fields.String:
    """Money as text ("1200000.00"), so no amount is rounded through a binary float."""
    return fields.String(metadata={"description": "pounds, as a decimal string"}, **kwargs)


def iso_date(**kwargs) -> fields.String:
    """A date a read model already holds as ISO text."""
    return fields.String(metadata={"format": "date"}, **kwargs)


class Record(Schema):
    """What every event-sourced record carries: its id, version and recorded times."""

    id = fields.String(required=True)
    version = fields.Integer(required=True, metadata={
        "description": "Send as expected_version to refuse a change if it moved on"})
    created_on = fields.DateTime(required=True)
    modified_on = fields.DateTime(required=True)


class SubmittedValues(Schema):
    numerator = fields.Integer()
    denominator = fields.Integer()
    value = Number()
    sd = Number()
    n = fields.Integer()


class DataQuery(Schema):
    question = fields.String(required=True)
    answer = fields.String(required=True, allow_none=True)


class Submission(Record):
    provider = fields.String(required=True)
    indicator = fields.String(required=True)
    service_line = fields.String(required=True)
    period = fields.String(required=True)
    measure = fields.String(required=True)
    values = fields.Nested(SubmittedValues, required=True)
    note = fields.String(required=True, allow_none=True)
    received_on = fields.Date(required=True)
    withdrawn = fields.Boolean(required=True)
    restatements = fields.Integer(required=True)
    queries = fields.Dict(keys=fields.String(), values=fields.Nested(DataQuery), required=True,
                          metadata={"description": "Data queries by query id"})


class RaisedQuery(Schema):
    query_id = fields.String(required=True)
    question = fields.String(required=True)
    submission = fields.Nested(Submission, required=True)


class Contract(Record):
    reference = fields.String(required=True)
    commissioner = fields.String(required=True)
    provider = fields.String(required=True)
    service_lines = fields.List(fields.String(), required=True)
    annual_value = money(required=True)
    total_value = money(required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    route = fields.String(required=True)
    terminated = fields.Date(required=True, allow_none=True)
    review_open = fields.Boolean(required=True)
    renewal_decision = fields.String(required=True, allow_none=True)


class ContractRow(Schema):
    reference = fields.String(required=True)
    commissioner = fields.String(required=True)
    provider = fields.String(required=True)
    awarded_provider = fields.String(required=True)
    service_lines = fields.List(fields.String(), required=True)
    start = iso_date(required=True)
    end = iso_date(required=True)
    terminated = iso_date(required=True, allow_none=True)
    annual_value = money(required=True, allow_none=True)
    total_value = money(required=True, allow_none=True)
    status = fields.String(required=True, metadata={"description": "live, expired or "
                                                                   "terminated"})
    days_to_end = fields.Integer(required=True)
    route = fields.String(required=True, allow_none=True)
    review_status = fields.String(required=True)
    review_due_by = iso_date(required=True, allow_none=True)
    renewal_decision = fields.String(required=True, allow_none=True)
    decided_on = iso_date(required=True, allow_none=True)
    decision_reason = fields.String(required=True, allow_none=True)
    variations = fields.Integer(required=True)
    extensions = fields.Integer(required=True)
    novations = fields.Integer(required=True)
    last_position = fields.Integer(required=True)
    last_recorded_at = fields.String(required=True, metadata={"format": "date-time"})


class Stage(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    target = fields.Date(allow_none=True)
    achieved = fields.Date(allow_none=True)
    slips = fields.Integer()


class FTApplication(Record):
    provider = fields.String(required=True)
    attempt = fields.Integer(required=True)
    pipeline = fields.String(required=True)
    status = fields.String(required=True)
    stages = fields.List(fields.Nested(Stage), required=True, metadata={
        "description": "Every milestone of the pipeline in order, scheduled or not"})


class BoardMilestone(Schema):
    code = fields.String(required=True)
    label = fields.String(required=True)
    target = iso_date(required=True, allow_none=True)
    first_target = iso_date(required=True, allow_none=True)
    achieved = iso_date(required=True, allow_none=True)
    slips = fields.Integer(required=True)
    slippage_days = fields.Integer(required=True, allow_none=True)
    overdue = fields.Boolean(required=True)


class BoardRow(Schema):
    provider = fields.String(required=True)
    attempt = fields.Integer(required=True)
    pipeline = fields.String(required=True)
    pipeline_name = fields.String(required=True)
    status = fields.String(required=True)
    stage = fields.String(required=True, allow_none=True)
    stage_label = fields.String(required=True, allow_none=True)
    started = iso_date(required=True)
    authorised_on = iso_date(required=True, allow_none=True)
    deferred_until = iso_date(required=True, allow_none=True)
    status_reason = fields.String(required=True, allow_none=True)
    status_changed_at = fields.String(required=True, allow_none=True,
                                      metadata={"format": "date-time"})
    slips = fields.Integer(required=True)
    slippage_days = fields.Integer(required=True)
    overdue = fields.Integer(required=True, metadata={"description": "Milestones overdue"})
    milestones = fields.List(fields.Nested(BoardMilestone), required=True)
    last_position = fields.Integer(required=True)
    last_recorded_at = fields.String(required=True, metadata={"format": "date-time"})


class Token(Schema):
    token_id = fields.String(required=True)
    label = fields.String(required=True, allow_none=True)
    revoked = fields.Boolean(required=True)


class User(Schema):
    username = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    organisation = fields.String(required=True, allow_none=True)
    disabled = fields.Boolean(required=True)
    tokens = fields.List(fields.Nested(Token), required=True)
