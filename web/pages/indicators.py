"""Indicators: the catalogue, and each indicator's funnel plot and ranked interval chart.

The indicator page compares every reporting provider for one period, service
line and peer group (all providers, one kind, or one region); selectors change
each, and a provider can be highlighted on both charts.
"""

from flask import g, render_template, request

from projections import catalogue
from projections.benchmarks import benchmark
from registry.errors import InvalidInput
from registry.periods import PeriodError, parse_period
from registry.vocabulary import PROVIDER_KINDS
from charts.cache import chart
from web.context import not_found, store
from web.downloads import csv_response, wants_csv
from web.pages import bp


@bp.get("/indicators")
def indicators():
    rows = catalogue.indicators(store(), g.as_of)
    if wants_csv(request):
        return csv_response(rows, "indicators")
    return render_template("indicators.html", indicators=rows)


@bp.get("/indicators/<code>")
def indicator(code):
    code = code.upper()
    definition = catalogue.indicator(store(), code, g.as_of)
    if definition is None:
        raise not_found(f"no indicator with code {code} is defined", "code")
    service_line = request.args.get("service_line") or definition["service_lines"][0]
    if service_line not in definition["service_lines"]:
        raise InvalidInput({"service_line": [f"{code} is reported for "
                                             f"{', '.join(definition['service_lines'])} only"]})
    periods = catalogue.periods(store(), code, service_line, g.as_of)
    period = _period(request.args.get("period"), periods)
    peer_group = request.args.get("peer_group") or "all"
    highlight = (request.args.get("highlight") or "").upper() or None
    document = benchmark(store(), code, period, service_line, peer_group, g.as_of) \
        if period else None
    if wants_csv(request):
        return csv_response(document["providers"] if document else [],
                            f"{code}-{service_line}-{period}-{peer_group}")
    return render_template(
        "indicator.html", definition=definition, service_line=service_line, period=period,
        periods=periods, peer_group=peer_group, peer_groups=_peer_groups(), highlight=highlight,
        document=document,
        funnel=chart("funnel", document, highlight=highlight) if document else "",
        caterpillar=chart("caterpillar", document, highlight=highlight) if document else "")


def _period(text: str | None, periods: list[str]) -> str | None:
    if not text:
        return periods[0] if periods else None
    try:
        return parse_period(text).label
    except PeriodError as error:
        raise InvalidInput({"period": [str(error)]}) from None


def _peer_groups() -> list[tuple[str, str]]:
    regions = sorted({o["region"] for o in catalogue.organisations(store(), g.as_of,
                                                                    PROVIDER_KINDS)
                      if o["region"]})
    return ([("all", "All providers (England)")]
            + [(f"kind:{k}", k.replace("_", " ")) for k in PROVIDER_KINDS]
            + [(f"region:{r}", f"region {r}") for r in regions])
