"""Response schemas of the JSON API (inputs are the command schemas in registry.commands).

Input and output schemas are separate: these describe what the API answers with,
for the OpenAPI document, and dump the service layer's plain dicts.
"""

from marshmallow import Schema, fields


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
    format = fields.String(validate=lambda v: v in ("json", "csv"), metadata={
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
