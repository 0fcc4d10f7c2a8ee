"""Providers: the list, and each provider's profile.

The profile shows the provider's latest position on every indicator it reports
(with the Fingertips comparison colour against all providers), SPC charts with
Making Data Count icons for one domain at a time, its contracts, its FT
application and its recent history, all as known at the page's as-of time.
"""

from flask import g, render_template, request

import charts
from projections import catalogue
from projections.audit import audit_events
from projections.contracts import contracts_register
from projections.histories import lineage
from projections.notices import open_notices
from projections.pipeline import pipeline_row
from projections.spc_charts import spc_chart
from registry.vocabulary import PROVIDER_KINDS
from charts.cache import chart
from web.context import as_of_day, not_found, registry, store
from web.downloads import csv_response, wants_csv
from web.pages import bp

TIMELINE = 30
NOTICES = 50
PROVIDER_NOTICES = ("overdue_submission", "milestone_slipped")


@bp.get("/providers")
def providers():
    rows = catalogue.organisations(store(), g.as_of, PROVIDER_KINDS)
    if wants_csv(request):
        return csv_response(rows, "providers")
    return render_template("providers.html", providers=rows)


@bp.get("/providers/<code>")
def provider(code):
    code = code.upper()
    organisation = registry().get_organisation(code, g.as_of)
    if organisation is None:
        raise not_found(f"no organisation with code {code} is registered", "code")
    position = catalogue.provider_position(store(), code, g.as_of)
    if wants_csv(request):
        return csv_response(position, f"{code}-position")
    domains = sorted({p["domain"] for p in position if p["domain"]})
    domain = request.args.get("domain") or (domains[0] if domains else None)
    today = as_of_day()
    return render_template(
        "provider.html", organisation=organisation, position=position, domains=domains,
        domain=domain, spc=_spc_cards(code, [p for p in position if p["domain"] == domain]),
        contracts=contracts_register(store(), g.as_of, provider=code, today=today),
        application=pipeline_row(store(), code, g.as_of, today=today),
        notices=_notices(code), notices_shown=NOTICES,
        timeline=audit_events(store(), organisation=lineage(store(), code, g.as_of),
                              as_of=g.as_of, limit=TIMELINE)["items"])


def _notices(code: str) -> list[dict]:
    """The provider's open overdue-submission and FT milestone-slippage notices, latest
    due first."""
    return [n for n in open_notices(store(), organisation=code, as_of=g.as_of,
                                    newest_first=True)
            if n["kind"] in PROVIDER_NOTICES and n["provider"] == code]


def _spc_cards(code: str, rows: list[dict]) -> list[dict]:
    cards = []
    for row in rows:
        document = spc_chart(store(), code, row["indicator"], row["service_line"], g.as_of)
        if document is None or not document["points"]:
            continue
        cards.append({"row": row, "document": document, "svg": chart("spc", document),
                      "variation": charts.variation_icon(document["variation_icon"]),
                      "assurance": charts.assurance_icon(document["assurance_icon"])})
    return cards
