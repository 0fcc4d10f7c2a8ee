from marshmallow import Schema, fields, validate

from registry.commands.fields import Code, one_of, text
from registry.pipelines import PIPELINES
from registry.vocabulary import FT_DECISIONS


class StartApplication(Schema):
    provider = Code(required=True)
    pipeline = fields.String(load_default="ft2011", validate=validate.OneOf(sorted(PIPELINES)))


class ScheduleMilestone(Schema):
    provider = Code(required=True)
    milestone = text(max_length=64)
    target_date = fields.Date(required=True)
    evidence = text(required=False, max_length=2000)


class AchieveMilestone(Schema):
    provider = Code(required=True)
    milestone = text(max_length=64)
    achieved_on = fields.Date(required=True)
    evidence = text(required=False, max_length=2000)


class SlipMilestone(Schema):
    provider = Code(required=True)
    milestone = text(max_length=64)
    new_target = fields.Date(required=True)


class DecideApplication(Schema):
    provider = Code(required=True)
    decision = one_of(FT_DECISIONS)
    effective = fields.Date(required=True)
    until = fields.Date(load_default=None, allow_none=True)
