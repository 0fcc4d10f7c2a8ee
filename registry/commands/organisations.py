from marshmallow import Schema, ValidationError, fields, validates_schema

from registry.commands.fields import Code, ServiceLines, one_of, text
from registry.vocabulary import ORGANISATION_KINDS


class RegisterOrganisation(Schema):
    code = Code(required=True)
    name = text(max_length=200)
    kind = one_of(ORGANISATION_KINDS)
    region = text(required=False, max_length=100)
    opened = fields.Date(load_default=None, allow_none=True)
    closed = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def closes_after_opening(self, data, **_):
        if data.get("opened") and data.get("closed") and data["closed"] < data["opened"]:
            raise ValidationError("must not be before the opening date", "closed")


class RenameOrganisation(Schema):
    code = Code(required=True)
    name = text(max_length=200)
    effective = fields.Date(required=True)


class ChangeOrganisationKind(Schema):
    code = Code(required=True)
    kind = one_of(ORGANISATION_KINDS)
    effective = fields.Date(required=True)


class JoinSystem(Schema):
    code = Code(required=True)
    system = text(max_length=100)
    effective = fields.Date(required=True)


class MergeOrganisation(Schema):
    code = Code(required=True)
    successor = Code(required=True)
    effective = fields.Date(required=True)


class TransferServices(Schema):
    code = Code(required=True)
    recipient = Code(required=True)
    service_lines = ServiceLines(required=True)
    effective = fields.Date(required=True)


class CloseOrganisation(Schema):
    code = Code(required=True)
    effective = fields.Date(required=True)
