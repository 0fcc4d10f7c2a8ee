"""Foundation-trust applications: the pipeline board, one application, its milestones
and the regulator's decision.

Milestones are scheduled and achieved by the trust (or the regulator); a slip
moves a target and needs a reason; only the regulator decides. Scheduling or
achieving a milestone starts an application if the trust has none open.
"""

from flask import g, request

from projections.pipeline import pipeline_board
from registry.commands import ft_applications as cmd
from web.api import api, dump, query
from web.api import inputs as i
from web.api import schemas as s
from web.api.spec import operation
from web.context import as_of_day, not_found, provenance, registry, store
from web.downloads import csv_response, wants_csv

ONE = "/ft-applications/<provider>"
CHANGED = {"tag": "ft-applications", "response": s.FTApplication, "errors": (403, 404),
           "path": i.ProviderPath}
BOARD_COLUMNS = ("provider", "attempt", "pipeline", "status", "stage", "stage_label",
                 "started", "authorised_on", "deferred_until", "status_reason",
                 "status_changed_at", "slips", "slippage_days", "overdue",
                 "last_recorded_at")


@api.get("/ft-applications")
@operation("The FT pipeline board", tag="ft-applications", query=s.TableQuery,
           response=s.BoardRow, many=True, csv=True)
def board():
    """Each trust's latest application with its stage, slips and overdue milestones, as
    known at ``as_of`` (overdue judged on that day, or today)."""
    query(s.TableQuery)
    rows = pipeline_board(store(), g.as_of, today=as_of_day())
    if wants_csv(request):
        return csv_response(rows, "ft-pipeline", list(BOARD_COLUMNS))
    return dump(s.BoardRow, rows, many=True)


@api.get(ONE)
@operation("One trust's FT application", tag="ft-applications", path=i.ProviderPath,
           query=s.AsOf,
           response=s.FTApplication, errors=(404,))
def application(**raw):
    """The trust's latest application with every milestone of its pipeline."""
    query(s.AsOf)
    provider = i.path(i.ProviderPath, **raw)["provider"]
    found = registry().get_ft_application(provider, g.as_of)
    if found is None:
        raise not_found(f"{provider} has no foundation-trust application", "provider")
    return dump(s.FTApplication, found)


@api.post("/ft-applications")
@operation("Start an FT application", tag="ft-applications", body=cmd.StartApplication,
           response=s.FTApplication, status=201, errors=(403, 404))
def start():
    """A new attempt on a chosen pipeline; the previous one must be closed."""
    data, _ = i.command(cmd.StartApplication)
    registry().start_application(data, provenance())
    provider = i.path(i.ProviderPath, provider=data["provider"])["provider"]
    return dump(s.FTApplication, registry().get_ft_application(provider), 201)


@api.post(ONE + "/milestones")
@operation("Schedule a milestone", body=i.ScheduleBody, status=201, **CHANGED)
def schedule(**raw):
    """A milestone's first target date; later moves are slips."""
    provider = i.path(i.ProviderPath, **raw)["provider"]
    data, reason = i.command(i.ScheduleBody)
    registry().schedule_milestone({**data, "provider": provider}, provenance(reason))
    return dump(s.FTApplication, registry().get_ft_application(provider), 201)


@api.post(ONE + "/milestones/<milestone>/achievement")
@operation("Record a milestone as achieved", body=i.AchieveBody,
           **(CHANGED | {"path": i.MilestonePath}))
def achieve(**raw):
    """Milestones are achieved in their pipeline's order."""
    return _changed("achieve_milestone", i.AchieveBody, i.path(i.MilestonePath, **raw))


@api.post(ONE + "/milestones/<milestone>/slips")
@operation("Slip a milestone", body=i.SlipBody, **(CHANGED | {"path": i.MilestonePath}))
def slip(**raw):
    """A new target date for a milestone not yet achieved, with the reason."""
    return _changed("slip_milestone", i.SlipBody, i.path(i.MilestonePath, **raw))


@api.post(ONE + "/decision")
@operation("Decide an FT application", body=i.DecisionBody, **CHANGED)
def decide(**raw):
    """The regulator authorises (the trust becomes a foundation trust), defers, resumes,
    rejects or withdraws the application; all but authorisation need a reason."""
    return _changed("decide_application", i.DecisionBody, i.path(i.ProviderPath, **raw))


def _changed(command: str, schema, key: dict):
    data, reason = i.command(schema)
    getattr(registry(), command)({**data, **key}, provenance(reason))
    return dump(s.FTApplication, registry().get_ft_application(key["provider"]))
