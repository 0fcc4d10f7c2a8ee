"""What API requests carry: bodies, path parameters and query arguments.

Bodies are the command schemas of ``registry.commands`` minus what the path
already names (a submission's cell, a contract's reference, a provider), plus the
``reason`` that restatements, withdrawals, variations and the like must give. A
body is validated here against exactly the schema the OpenAPI document shows, then
handed to the service, which loads it again with its own command schema: the
document cannot promise a field the service would refuse, or the reverse.
"""

import re
from datetime import UTC, date, datetime

from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.exceptions import BadRequest

from registry.commands import contracts, ft_applications, load, submissions
from registry.commands.fields import Code, PeriodLabel, ServiceLine, storable, text
from registry.errors import InvalidInput
from web.api import body, parsed_json, reason_of
from web.api.schemas import AsOf, TableQuery

CELL = ("provider", "indicator", "service_line", "period")
MAX_BATCH = 1000


def command(schema: type[Schema]) -> tuple[dict, str | None]:
    """The JSON body checked against ``schema``, without its reason; and the reason."""
    data = body()
    load(schema, data)
    reason = reason_of(data)
    return {k: v for k, v in data.items() if k != "reason"}, reason


def path(schema: type[Schema], **values) -> dict:
    """Path parameters loaded (and normalised) like any input: a bad one is a 422 naming it."""
    return load(schema, values)


def batch() -> list:
    """A JSON array of at most MAX_BATCH items; anything else is refused (400 or 422)."""
    items = parsed_json()
    if not isinstance(items, list):
        raise BadRequest("the request body must be a JSON array of submissions "
                         "(Content-Type: application/json)")
    if not items or len(items) > MAX_BATCH:
        raise InvalidInput({"items": [f"must hold between 1 and {MAX_BATCH} submissions"]})
    return items


def cell_of(item: dict) -> dict:
    """A submitted item's cell, normalised as the service stored it."""
    return load(submissions.SubmissionCell, {k: item.get(k) for k in CELL})


def reason_field(note: str = "", required: bool = False) -> fields.String:
    field = text(required=required, max_length=2000)
    field.metadata["description"] = f"Why: kept with the event in the registry's record. {note}"
    return field


# Path parameters

class ProviderPath(Schema):
    provider = Code(required=True)


class OrganisationPath(Schema):
    code = Code(required=True)


class ReferencePath(Schema):
    reference = text(max_length=64)


class MilestonePath(ProviderPath):
    milestone = text(max_length=64)


class QueryPath(submissions.SubmissionCell):
    query_id = text(max_length=64)


class BenchmarkPath(Schema):
    indicator = Code(required=True)
    period = PeriodLabel(required=True)


class SpcPath(Schema):
    provider = Code(required=True)
    indicator = Code(required=True)


class AuditPath(Schema):
    position = fields.Integer(required=True, validate=validate.Range(min=1, max=2**62))


# Query arguments

class ContractsQuery(TableQuery):
    commissioner = Code(metadata={"description": "Only contracts let by this commissioner"})
    provider = Code(metadata={"description": "Only contracts held by this provider"})
    expiring_within_days = fields.Integer(validate=validate.Range(min=0, max=3650), metadata={
        "description": "Only live contracts ending within this many days"})


class BenchmarkQuery(TableQuery):
    service_line = ServiceLine(metadata={"description": "Default: the indicator's first"})
    peer_group = fields.String(
        load_default="all",
        validate=validate.Regexp(r"^(all|kind:[a-z_]{1,40}|region:[A-Z0-9]{1,12})$"),
        metadata={"description": "all (default), kind:<organisation kind> or region:<code>"})


class SpcQuery(AsOf):
    service_line = ServiceLine(metadata={"description": "Default: the indicator's first"})


class Moment(fields.String):
    """A date (YYYY-MM-DD, the whole day) or a date and time (UTC unless an offset is given)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {})["pattern"] = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T.+)?$"
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text_value = super()._deserialize(value, attr, data, **kwargs).strip()
        try:
            if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text_value):
                moment = date.fromisoformat(text_value)
            else:
                moment = datetime.fromisoformat(text_value)
                moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
        except (ValueError, OverflowError):
            raise ValidationError("must be YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]") from None
        if not 1900 <= moment.year <= 9998:
            raise ValidationError("must be between 1900 and 9998")
        return moment


class LogCursor(fields.String):
    """A page's cursor: a log position, as the previous page gave it; loaded as an int."""

    PATTERN = r"^[0-9]{1,18}$"

    def __init__(self, description: str):
        super().__init__(metadata={"description": description, "pattern": self.PATTERN})

    def _deserialize(self, value, attr, data, **kwargs):
        text_value = super()._deserialize(value, attr, data, **kwargs)
        if not re.fullmatch(self.PATTERN, text_value):
            raise ValidationError("must be a log position: the digits the previous page "
                                  "gave as its cursor")
        return int(text_value)


class HistoryQuery(TableQuery):
    cursor = LogCursor("The previous page's `X-Next-Cursor` header")
    limit = fields.Integer(validate=validate.Range(min=1, max=5000), metadata={
        "description": "At most this many events, oldest first; the next page's cursor "
                       "is in the `X-Next-Cursor` header (empty on the last page). "
                       "Without it, the whole history"})


class AuditQuery(TableQuery):
    organisation = Code(metadata={"description": "Events concerning this organisation"})
    event_type = fields.String(validate=[validate.Length(max=100), storable], metadata={
        "description": "e.g. Restated or Submission.Restated"})
    aggregate_type = fields.String(validate=[validate.Length(max=50), storable],
                                   metadata={"description": "e.g. Submission, Contract"})
    actor = fields.String(validate=[validate.Length(max=100), storable],
                          metadata={"description": "The user who recorded the event"})
    recorded_from = Moment(metadata={"description": "Recorded at or after (a date: from its "
                                                    "start)"})
    recorded_to = Moment(metadata={"description": "Recorded before (a date: up to its end)"})
    period = PeriodLabel(metadata={"description": "Submissions for this reporting period"})
    cursor = LogCursor("The previous page's `next`")
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


# Request bodies: the command schemas minus what the path names, plus a reason

class RestateBody(submissions.Restate):
    class Meta:
        exclude = CELL

    reason = reason_field(required=True)


class WithdrawBody(Schema):
    reason = reason_field(required=True)


class RaiseQueryBody(submissions.RaiseQuery):
    class Meta:
        exclude = CELL


class AnswerQueryBody(submissions.AnswerQuery):
    class Meta:
        exclude = (*CELL, "query_id")


class VaryBody(contracts.VaryContract):
    class Meta:
        exclude = ("reference",)

    reason = reason_field(required=True)


class ExtendBody(contracts.ExtendContract):
    class Meta:
        exclude = ("reference",)

    reason = reason_field()


class NovateBody(contracts.NovateContract):
    class Meta:
        exclude = ("reference",)

    reason = reason_field(required=True)


class TerminateBody(contracts.TerminateContract):
    class Meta:
        exclude = ("reference",)

    reason = reason_field(required=True)


class RenewalReviewBody(contracts.OpenRenewalReview):
    class Meta:
        exclude = ("reference",)

    reason = reason_field()


class RenewalDecisionBody(contracts.DecideRenewal):
    class Meta:
        exclude = ("reference",)

    reason = reason_field(required=True)


class ScheduleBody(ft_applications.ScheduleMilestone):
    class Meta:
        exclude = ("provider",)

    reason = reason_field()


class AchieveBody(ft_applications.AchieveMilestone):
    class Meta:
        exclude = ("provider", "milestone")

    reason = reason_field()


class SlipBody(ft_applications.SlipMilestone):
    class Meta:
        exclude = ("provider", "milestone")

    reason = reason_field(required=True)


class DecisionBody(ft_applications.DecideApplication):
    class Meta:
        exclude = ("provider",)

    reason = reason_field("Required unless the decision is 'authorised'.")
