"""``registry benchmark`` and ``registry spc``: figures from the read models, live or as of a time."""

import json
from datetime import timezone

import click

from projections.benchmarks import benchmark as benchmark_document
from projections.spc_charts import spc_chart
from registry.cli.context import handle_errors
from registry.errors import NotFound
from registry.periods import PeriodError, parse_period

AS_OF = click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
                                "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z"])


def utc(moment):
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


@click.command()
@click.option("--indicator", required=True, help="Indicator code, e.g. WIC4H.")
@click.option("--period", required=True, help="Period label: 2018-12, 2018-Q3 or 2018/19.")
@click.option("--service-line", help="Service line (default: the indicator's first).")
@click.option("--peer-group", default="all", show_default=True,
              help="all, kind:<kind> (e.g. kind:nhs_trust) or region:<code> (e.g. region:Y54).")
@click.option("--as-of", type=AS_OF, help="As known at this recorded time (UTC unless given).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@handle_errors
def benchmark(obj, indicator, period, service_line, peer_group, as_of, as_json):
    """Every reporting provider of one indicator and period against its peers."""
    try:
        period = parse_period(period).label
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    obj.app.read_side.catch_up()
    document = benchmark_document(obj.app.read_side.store, indicator.upper(), period,
                                  service_line, peer_group, utc(as_of))
    if document is None:
        raise NotFound(f"no indicator with code {indicator.upper()} is defined", "indicator")
    if as_json:
        click.echo(json.dumps(document, indent=2))
        return
    national = document["national"]
    click.echo(f"{document['indicator']} {document['service_line']} {document['period']} "
               f"peer group {document['peer_group']}: {len(document['providers'])} providers, "
               f"value {_number(national['value'])}")
    for p in document["providers"]:
        ci = p["ci95"] or [None, None]
        click.echo(f"  {p['rank']:>4}  {p['code']:<8} {_number(p['value']):>10}  "
                   f"95% CI {_number(ci[0])}-{_number(ci[1])}  Q{p['quartile'] or '-'}  "
                   f"{p['comparison']:<12} funnel {p['funnel']['unadjusted'] or '-'}"
                   f"/{p['funnel']['adjusted'] or '-'}  {p['name'] or ''}")


@click.command()
@click.option("--provider", required=True, help="ODS code of the provider.")
@click.option("--indicator", required=True, help="Indicator code.")
@click.option("--service-line", help="Service line (default: the indicator's first).")
@click.option("--as-of", type=AS_OF, help="As known at this recorded time (UTC unless given).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
@handle_errors
def spc(obj, provider, indicator, service_line, as_of, as_json):
    """The provider's XmR chart for an indicator, with Making Data Count icons."""
    obj.app.read_side.catch_up()
    chart = spc_chart(obj.app.read_side.store, provider.upper(), indicator.upper(),
                      service_line, utc(as_of))
    if chart is None:
        raise NotFound(f"no figures for {provider.upper()} on {indicator.upper()}", "provider")
    if as_json:
        click.echo(json.dumps(chart, indent=2))
        return
    click.echo(f"{chart['provider']} {chart['indicator']} {chart['service_line']}: mean "
               f"{_number(chart['mean'])}, limits {_number(chart['lpl'])}-"
               f"{_number(chart['upl'])}{' (trial limits)' if chart['trial_limits'] else ''}; "
               f"variation {chart['variation_icon']}, assurance {chart['assurance_icon']}")
    for p in chart["points"]:
        flag = f"  {p['type']} ({p['rule']})" if p["special_cause"] else ""
        click.echo(f"  {p['period']:<8} {_number(p['value']):>10}{flag}")


def _number(value) -> str:
    return "-" if value is None else f"{value:.4g}" if abs(value) < 1000 else f"{value:,.0f}"
