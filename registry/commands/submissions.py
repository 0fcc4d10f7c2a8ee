from marshmallow import Schema, fields, validate

from registry.commands.fields import Code, PeriodLabel, ServiceLine, text


class SubmissionValues(Schema):
    numerator = fields.Integer(load_default=None, allow_none=True,
                               validate=validate.Range(min=0))
    denominator = fields.Integer(load_default=None, allow_none=True,
                                 validate=validate.Range(min=0))
    value = fields.Decimal(load_default=None, allow_none=True)
    sd = fields.Decimal(load_default=None, allow_none=True, validate=validate.Range(min=0))
    n = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1))
    note = text(required=False, max_length=2000)


class Submit(SubmissionValues):
    provider = Code(required=True)
    indicator = Code(required=True)
    service_line = ServiceLine(required=True)
    period = PeriodLabel(required=True)
    received_on = fields.Date(load_default=None, allow_none=True)


class Restate(Submit):
    """The cell and its new values; the reason travels in the provenance.

    ``expected_version``, if given, is the version the person was looking at: if
    someone else changed the submission since, the restatement is refused (409).
    """

    expected_version = fields.Integer(load_default=None, allow_none=True,
                                      validate=validate.Range(min=1))


class SubmissionCell(Schema):
    provider = Code(required=True)
    indicator = Code(required=True)
    service_line = ServiceLine(required=True)
    period = PeriodLabel(required=True)


class RaiseQuery(SubmissionCell):
    question = text(max_length=2000)


class AnswerQuery(SubmissionCell):
    query_id = text(max_length=64)
    answer = text(max_length=4000)
