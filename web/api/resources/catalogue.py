"""Organisations and indicators: the catalogue, as known at any recorded time."""

from flask import g, request

from projections import catalogue
from registry.errors import NotFound
from web.api import api, dump, query
from web.api import schemas as s
from web.api.spec import operation
from web.context import registry, store
from web.downloads import csv_response, wants_csv


@api.get("/organisations")
@operation("List organisations", tag="catalogue", query=s.OrganisationsQuery,
           response=s.OrganisationSummary, many=True, csv=True)
def organisations():
    """Every registered organisation (latest known name, kind and region, and any merger)."""
    args = query(s.OrganisationsQuery)
    kinds = (args["kind"],) if args.get("kind") else None
    rows = catalogue.organisations(store(), g.as_of, kinds)
    if wants_csv(request):
        return csv_response(rows, "organisations")
    return dump(s.OrganisationSummary, rows, many=True)


@api.get("/organisations/<code>")
@operation("One organisation", tag="catalogue", query=s.AsOf, response=s.Organisation,
           errors=(404,))
def organisation(code):
    query(s.AsOf)
    found = registry().get_organisation(code, g.as_of)
    if found is None:
        raise NotFound(f"no organisation with code {code.upper()} is registered", "code")
    return dump(s.Organisation, found)


@api.get("/indicators")
@operation("List indicators", tag="catalogue", query=s.TableQuery, response=s.Indicator,
           many=True, csv=True)
def indicators():
    """Every defined indicator with its current (or as-of) definition."""
    query(s.TableQuery)
    rows = catalogue.indicators(store(), g.as_of)
    if wants_csv(request):
        return csv_response(rows, "indicators")
    return dump(s.Indicator, rows, many=True)
