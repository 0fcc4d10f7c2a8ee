"""The audit index: every stored event, by who, what, when, why and for whom.

Pages run newest first by log position with a cursor (``next``), so a page never
repeats or skips an event recorded while someone is reading.
"""

from flask import g, request

from projections.audit import audit_event, audit_events
from projections.ledger import attach_leaves
from registry.errors import NotFound
from web.api import api, dump, query
from web.api import inputs as i
from web.api import report_schemas as r
from web.api.spec import operation
from web.context import store
from web.downloads import csv_response, wants_csv

FILTERS = ("organisation", "event_type", "aggregate_type", "actor", "recorded_from",
           "recorded_to", "period")


@api.get("/audit")
@operation("Search the audit index", tag="audit", query=i.AuditQuery, response=r.AuditPage,
           csv=True)
def events():
    """A page of events matching every filter given, newest first; ``format=csv``
    downloads the page (the next page's cursor is in the ``X-Next-Cursor`` header)."""
    args = query(i.AuditQuery)
    page = audit_events(store(), **{k: args.get(k) for k in FILTERS}, as_of=g.as_of,
                        after=args.get("cursor"), limit=args["limit"])
    page["next"] = None if page["next"] is None else str(page["next"])
    attach_leaves(store(), page["items"])
    if wants_csv(request):
        response = csv_response(page["items"], "audit")
        response.headers["X-Next-Cursor"] = page["next"] or ""
        return response
    return dump(r.AuditPage, page)


@api.get("/audit/<position>")
@operation("One event of the audit index", tag="audit", path=i.AuditPath,
           response=r.AuditEvent,
           errors=(404,))
def event(**raw):
    """One event by its log position, with its provenance and payload."""
    position = i.path(i.AuditPath, **raw)["position"]
    found = audit_event(store(), position)
    if found is None:
        raise NotFound(f"no event at position {position}", "position")
    return dump(r.AuditEvent, attach_leaves(store(), [found])[0])
