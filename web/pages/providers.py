"""Providers: the list, and each provider's profile."""

from flask import g, render_template, request

from projections import catalogue
from registry.vocabulary import PROVIDER_KINDS
from web.context import store
from web.downloads import csv_response, wants_csv
from web.pages import bp


@bp.get("/providers")
def providers():
    rows = catalogue.organisations(store(), g.as_of, PROVIDER_KINDS)
    if wants_csv(request):
        return csv_response(rows, "providers")
    return render_template("providers.html", providers=rows)


@bp.get("/providers/<code>")
def provider(code):
    return render_template("placeholder.html", title=code)
