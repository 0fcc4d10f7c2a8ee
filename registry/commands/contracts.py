from marshmallow import Schema, ValidationError, fields, validates_schema

from registry.commands.fields import Code, ServiceLines, money, one_of, text
from registry.vocabulary import PROCUREMENT_ROUTES, RENEWAL_DECISIONS



class AwardContract(Schema):
    reference = text(max_length=64)
    commissioner = Code(required=True)
    provider = Code(required=True)
    service_lines = ServiceLines(required=True)
    annual_value = money()
    total_value = money()
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    route = one_of(PROCUREMENT_ROUTES)

    @validates_schema
    def ends_after_start(self, data, **_):
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError(
                f"the contract ends ({data['end']}) before it starts ({data['start']})", "end")


class VaryContract(Schema):
    reference = text(max_length=64)
    effective = fields.Date(required=True)
    service_lines = ServiceLines(load_default=None, allow_none=True)
    annual_value = money(required=False)
    total_value = money(required=False)


class ExtendContract(Schema):
    reference = text(max_length=64)
    new_end = fields.Date(required=True)
    additional_value = money()


class NovateContract(Schema):
    reference = text(max_length=64)
    new_provider = Code(required=True)
    effective = fields.Date(required=True)


class TerminateContract(Schema):
    reference = text(max_length=64)
    effective = fields.Date(required=True)


class OpenRenewalReview(Schema):
    reference = text(max_length=64)
    due_by = fields.Date(load_default=None, allow_none=True)


class DecideRenewal(Schema):
    reference = text(max_length=64)
    decision = one_of(RENEWAL_DECISIONS)
