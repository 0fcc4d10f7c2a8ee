from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from registry.commands.fields import Code, PeriodLabel, ServiceLines, one_of, text
from registry.vocabulary import DOMAINS, FREQUENCIES, MEASURES, POLARITIES, SUBDOMAINS


class DefineIndicator(Schema):
    code = Code(required=True)
    name = text(max_length=300)
    domain = one_of(DOMAINS)
    subdomain = one_of(SUBDOMAINS, required=False)
    service_lines = ServiceLines(required=True)
    measure = one_of(MEASURES)
    unit = text(max_length=50)
    multiplier = fields.Integer(load_default=None, allow_none=True,
                                validate=validate.Range(min=1))
    polarity = one_of(POLARITIES)
    frequency = one_of(FREQUENCIES)
    target = fields.Decimal(load_default=None, allow_none=True)

    @validates_schema
    def multiplier_only_for_rates(self, data, **_):
        if data.get("measure") == "rate" and not data.get("multiplier"):
            raise ValidationError("is required for a rate (e.g. 1000 for per 1,000)",
                                  "multiplier")
        if data.get("measure") not in (None, "rate") and data.get("multiplier"):
            raise ValidationError("applies to rates only; leave it blank", "multiplier")


class ReviseIndicator(Schema):
    code = Code(required=True)
    effective_period = PeriodLabel(required=True)
    name = text(required=False, max_length=300)
    subdomain = one_of(SUBDOMAINS, required=False)
    service_lines = ServiceLines(load_default=None, allow_none=True)
    unit = text(required=False, max_length=50)
    multiplier = fields.Integer(load_default=None, allow_none=True,
                                validate=validate.Range(min=1))
    polarity = one_of(POLARITIES, required=False)
    target = fields.Decimal(load_default=None, allow_none=True)


class RetireIndicator(Schema):
    code = Code(required=True)
    last_period = PeriodLabel(load_default=None, allow_none=True)
