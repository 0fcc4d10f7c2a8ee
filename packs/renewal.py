"""The contract renewal pack: a contract's record and its provider's performance over its term.

Figures: the contract as known at the pack's moment (values, term, variations,
extensions, novations, the renewal review and decision); for every indicator of the
contract's service lines, the provider's periods within the term (first, last, mean,
points), its position in the latest period of the term against all providers of that
service line (funnel) and its SPC chart. Events: every event of the contract.
"""

from datetime import date

from packs.document import Contents
from projections import catalogue
from projections.benchmarks import benchmark
from projections.contracts import contract_row
from projections.histories import history
from projections.spc_charts import spc_chart
from registry.errors import NotFound
from registry.identity import contract_id
from registry.periods import parse_period


def renewal_contents(app, reference: str, as_of, today) -> Contents:
    store = app.read_side.store
    contract = contract_row(store, reference, as_of, today=today)
    if contract is None:
        raise NotFound(f"no contract with reference {reference} was awarded by then",
                       "contract")
    start, end = date.fromisoformat(contract["start"]), _term_end(contract)
    provider = contract["provider"]
    indicators = [performance for definition in catalogue.indicators(store, as_of)
                  for line in definition["service_lines"]
                  if line in contract["service_lines"]
                  for performance in [_performance(store, provider, definition, line,
                                                   (start, end), as_of)]
                  if performance is not None]
    aggregate = str(contract_id(reference))
    events = [e for e in history(store, provider, as_of) if e["aggregate_id"] == aggregate]
    return Contents(title=f"Contract renewal pack: {reference}", subject={"contract": reference},
                    figures={"contract": contract, "term": {"start": start.isoformat(),
                                                            "end": end.isoformat()},
                             "indicators": indicators, "today": today.isoformat()},
                    events=events)


def _term_end(contract: dict) -> date:
    end = date.fromisoformat(contract["end"])
    if contract["terminated"]:
        end = min(end, date.fromisoformat(contract["terminated"]))
    return end


def _performance(store, provider: str, definition: dict, service_line: str,
                 term: tuple[date, date], as_of) -> dict | None:
    chart = spc_chart(store, provider, definition["code"], service_line, as_of)
    points = [p for p in (chart or {}).get("points", []) if _within(p["period"], term)]
    if not points:
        return None
    latest = points[-1]["period"]
    funnel = benchmark(store, definition["code"], latest, service_line, "all", as_of)
    own = next((p for p in funnel["providers"] if p["code"] == provider), {})
    values = [p["value"] for p in points if p["value"] is not None]
    return {
        "indicator": definition["code"], "name": definition["name"],
        "domain": definition["domain"], "unit": definition.get("unit"),
        "polarity": definition["polarity"], "service_line": service_line,
        "periods": len(points), "first_period": points[0]["period"], "latest_period": latest,
        "first_value": points[0]["value"], "latest_value": points[-1]["value"],
        "term_mean": sum(values) / len(values) if values else None,
        "special_cause_points": sum(1 for p in points if p["special_cause"]),
        "latest": {"value": own.get("value"), "ci95": own.get("ci95"),
                   "national": funnel["national"]["value"],
                   "providers": funnel["summary"]["providers"],
                   "quartile": own.get("quartile"), "rank": own.get("rank"),
                   "comparison": own.get("comparison")},
        "funnel": funnel, "spc": chart,
    }


def _within(period: str, term: tuple[date, date]) -> bool:
    """A reporting period counts towards the term when it lies wholly inside it."""
    parsed = parse_period(period)
    return term[0] <= parsed.start and parsed.end <= term[1]
