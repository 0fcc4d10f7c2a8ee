"""Histories: every event concerning an organisation, following its merger lineage."""

import json

from flask import g, request

from projections.histories import history_page
from web.api import api, dump, query
from web.api import inputs as i
from web.api import report_schemas as r
from web.api.spec import operation
from web.context import not_found, store
from web.downloads import csv_response, wants_csv


@api.get("/organisations/<code>/history")
@operation("History of an organisation", tag="catalogue", path=i.OrganisationPath,
           query=i.HistoryQuery,
           response=r.HistoryEvent, many=True, csv=True, errors=(404,))
def organisation_history(**raw):
    """Every recorded event about the organisation and its predecessors, oldest first,
    as known at ``as_of``; ``format=csv`` downloads it. With ``limit``, a page of it: the
    next page's ``cursor`` is in the ``X-Next-Cursor`` header (empty on the last)."""
    args = query(i.HistoryQuery)
    code = i.path(i.OrganisationPath, **raw)["code"]
    cursor = args.get("cursor")
    page = history_page(store(), code, g.as_of, after=cursor, limit=args.get("limit"))
    events = page["items"]
    if not events and (cursor is None or not history_page(store(), code, g.as_of,
                                                          limit=1)["items"]):
        raise not_found(f"no organisation with code {code} is registered", "code")
    if wants_csv(request):
        response = csv_response([_row(e) for e in events], f"{code}-history")
    else:
        response = dump(r.HistoryEvent, events, many=True)[0]
    if args.get("limit") is not None:
        response.headers["X-Next-Cursor"] = "" if page["next"] is None else str(page["next"])
    return response


def _row(event: dict) -> dict:
    """Provenance spread into columns; the payload kept as one JSON cell."""
    provenance = event["provenance"] or {}
    actor = provenance.get("actor") or {}
    return {"position": event["position"], "recorded_at": event["recorded_at"],
            "aggregate": event["aggregate"], "aggregate_id": event["aggregate_id"],
            "version": event["version"], "event": event["event"],
            "organisations": ";".join(event["organisations"]),
            "actor": actor.get("user_id"), "role": actor.get("role"),
            "actor_organisation": actor.get("organisation"),
            "channel": provenance.get("channel"), "reason": provenance.get("reason"),
            "data": json.dumps(event["data"], sort_keys=True)}
