"""The audit trail explorer: every event with who, when, how and why, filterable.

Pages go newest first with a cursor ("older events"), so nothing repeats or is
skipped while new events arrive. Restatements show the previous and the new
values side by side.
"""

from flask import g, jsonify, render_template, request

from projections.audit import audit_event, audit_events
from projections.ledger import attach_leaves
from registry.errors import InvalidInput, RegistryError
from web.context import not_found, parse_as_of, registry, store
from web.downloads import csv_response, wants_csv
from web.pages import bp

FILTERS = ("organisation", "event_type", "actor", "period", "aggregate_id")
EVENT_TYPES = ("Submission.Submitted", "Submission.Restated", "Submission.Withdrawn",
               "Submission.Queried", "Submission.QueryAnswered", "Contract.Awarded",
               "Contract.Varied", "Contract.Extended", "Contract.Novated",
               "Contract.Terminated", "Contract.RenewalReviewOpened", "Contract.RenewalDecided",
               "FTApplication.Started", "FTApplication.MilestoneScheduled",
               "FTApplication.MilestoneAchieved", "FTApplication.MilestoneSlipped",
               "FTApplication.Authorised", "FTApplication.Deferred", "FTApplication.Rejected",
               "FTApplication.Withdrawn", "Organisation.Registered", "Organisation.Merged",
               "Organisation.Corrected", "Indicator.Defined", "Indicator.Revised",
               "User.Registered", "User.TokenIssued")


@bp.get("/audit")
def audit():
    args = {k: request.args.get(k, "").strip() or None for k in FILTERS}
    page = audit_events(
        store(), organisation=args["organisation"], event_type=args["event_type"],
        actor=args["actor"], period=args["period"], aggregate_id=args["aggregate_id"],
        recorded_from=parse_as_of(request.args.get("recorded_from"), "recorded_from"),
        recorded_to=parse_as_of(request.args.get("recorded_to"), "recorded_to"),
        as_of=g.as_of, after=_cursor(), limit=100 if wants_csv(request) else 50)
    attach_leaves(store(), page["items"])
    if wants_csv(request):
        return csv_response(page["items"], "audit-trail")
    return render_template("audit.html", page=page, args=args, event_types=EVENT_TYPES,
                           ledger=registry().ledger.state())


@bp.get("/audit/<int:position>", endpoint="audit_event")
def audit_event_view(position):
    item = _event(position)
    attach_leaves(store(), [item])
    latest = registry().ledger.latest_checkpoint()
    covered = latest is not None and item["leaf_index"] is not None \
        and item["leaf_index"] < latest["tree_size"]
    return render_template("audit_event.html", item=item, checkpoint=latest, covered=covered)


@bp.get("/audit/<int:position>/proof.json", endpoint="audit_proof")
def audit_proof(position):
    """The event's inclusion proof in the latest signed checkpoint, as a file to keep."""
    _event(position)
    try:
        document = registry().ledger.inclusion_proof(position)
    except RegistryError as error:  # not yet covered, or covered only by failing checkpoints
        raise not_found(f"no inclusion proof for event {position}: {error.message}",
                        "position") from None
    response = jsonify(document)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="registry-event-{position}-proof.json"')
    return response


def _event(position: int) -> dict:
    item = audit_event(store(), position)
    if item is None or (g.as_of and item["recorded_at"] > g.as_of.isoformat()):
        raise not_found(f"no event at position {position}", "position")
    return item


def _cursor() -> int | None:
    text = request.args.get("after")
    if not text:
        return None
    if not text.isdigit():
        raise InvalidInput({"after": ["must be the position given by the previous page"]})
    return int(text)
