"""milestones: provider,milestone,target_date,achieved_date,note.

A new milestone is scheduled (its target is the achieved date if none is given);
a changed target is a slip and needs its reason in the note; an achieved date is
recorded once. Rows are applied in pipeline order for each provider, so a file
may list a trust's milestones in any order.
"""

from marshmallow import Schema, fields

from registry.commands import load
from registry.commands.fields import Code, text
from registry.errors import InvalidInput, RuleViolation
from registry.pipelines import PIPELINES
from registry.services.permissions import authorise

COLUMNS = ("provider", "milestone", "target_date", "achieved_date", "note")


class MilestoneRow(Schema):
    provider = Code(required=True)
    milestone = text(max_length=64)
    target_date = fields.Date(load_default=None, allow_none=True)
    achieved_date = fields.Date(load_default=None, allow_none=True)
    note = text(required=False, max_length=2000)


def apply(app, changes, record: dict, provenance, options) -> str:
    data = load(MilestoneRow, record)
    if data["target_date"] is None and data["achieved_date"] is None:
        raise InvalidInput({"target_date": ["give a target date, an achieved date or both"]})
    target = data["target_date"] or data["achieved_date"]
    authorise(provenance, "manage_milestones", data["provider"])
    application = app._current_application(changes, data["provider"], start=True,
                                           provenance=provenance)
    milestone = data["milestone"]
    entry = application.milestones.get(milestone)
    outcome = "unchanged"
    if entry is None:
        application.schedule(milestone, target, data.get("note"), provenance.as_dict())
        outcome = "scheduled"
    elif data["target_date"] and entry["target"] != data["target_date"] \
            and entry["achieved"] is None:
        if not data.get("note"):
            raise InvalidInput({"note": ["a moved target date is a slip: give its reason"]})
        application.slip(milestone, data["target_date"],
                         provenance.because(data["note"]).as_dict())
        outcome = "slipped"
    if data["achieved_date"]:
        if entry is not None and entry["achieved"] not in (None, data["achieved_date"]):
            raise RuleViolation(f"{milestone} was already achieved on {entry['achieved']}",
                                "achieved_date")
        if not application.is_achieved(milestone):
            application.achieve(milestone, data["achieved_date"], data.get("note"),
                                provenance.as_dict())
            outcome = "achieved"
    return outcome


def order(records):
    """Sort (row, record) pairs so each provider's milestones follow its pipeline."""
    rank = {code: i for p in PIPELINES.values() for i, code in enumerate(p.codes)}
    return sorted(records, key=lambda item: (item[1].get("provider", "").upper(),
                                             rank.get(item[1].get("milestone"), -1)))
