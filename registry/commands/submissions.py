from marshmallow import Schema, fields, validate

from registry.commands.fields import Code, PeriodLabel, ServiceLine, text


# Bounds keep every figure a 64-bit integer or a finite double in the read models (a
# larger one would stop them at that event) and are far beyond any real return.
LARGEST = 10**12


class SubmissionValues(Schema):
    numerator = fields.Integer(load_default=None, allow_none=True,
                               validate=validate.Range(min=0, max=LARGEST))
    denominator = fields.Integer(load_default=None, allow_none=True,
                                 validate=validate.Range(min=0, max=LARGEST))
    value = fields.Decimal(load_default=None, allow_none=True,
                           validate=validate.Range(min=-LARGEST, max=LARGEST))
    sd = fields.Decimal(load_default=None, allow_none=True,
                        validate=validate.Range(min=0, max=LARGEST))
    n = fields.Integer(load_default=None, allow_none=True,
                       validate=validate.Range(min=1, max=LARGEST))
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
                                      validate=validate.Range(min=1, max=2**31))


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
