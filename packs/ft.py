"""The FT application evidence pack: a provider's whole record, as known at one moment.

Figures: the provider's latest position on every indicator it reports (against all
providers and against its peers of the same kind), each indicator's funnel plot and
SPC chart, its contracts and their renewals, its FT application and milestones. Events:
everything its history holds (its own and its predecessors'), each proven in the ledger.
"""

from packs.document import Contents
from projections import catalogue
from projections.benchmarks import benchmark
from projections.contracts import contracts_register
from projections.eventlog import plain
from projections.histories import history
from projections.pipeline import pipeline_row
from projections.spc_charts import spc_chart
from registry.errors import NotFound

PEER_FIELDS = ("value", "quartile", "rank", "comparison")


def ft_contents(app, code: str, as_of, today) -> Contents:
    code = code.upper()
    organisation = app.get_organisation(code, as_of)
    if organisation is None:
        raise NotFound(f"no organisation with code {code} was registered by then", "provider")
    store = app.read_side.store
    peer_group = f"kind:{organisation['kind']}"
    indicators = [_indicator(store, code, row, peer_group, as_of)
                  for row in catalogue.provider_position(store, code, as_of)]
    figures = {
        "organisation": plain(organisation),
        "peer_group": peer_group,
        "indicators": indicators,
        "contracts": contracts_register(store, as_of, provider=code, today=today),
        "application": pipeline_row(store, code, as_of, today=today),
        "today": today.isoformat(),
    }
    return Contents(title=f"FT application evidence pack: {organisation['name']} ({code})",
                    subject={"provider": code}, figures=figures,
                    events=history(store, code, as_of))


def _indicator(store, code: str, row: dict, peer_group: str, as_of) -> dict:
    cell = (row["indicator"], row["period"], row["service_line"])
    peers = benchmark(store, *cell, peer_group, as_of)
    own = next((p for p in (peers or {}).get("providers", []) if p["code"] == code), {})
    return {
        **row,
        "peer": {"group": peer_group, "group_value": ((peers or {}).get("national") or {})
                 .get("value"), "providers": ((peers or {}).get("summary") or {})
                 .get("providers"), **{f: own.get(f) for f in PEER_FIELDS}},
        "funnel": benchmark(store, *cell, "all", as_of),
        "spc": spc_chart(store, code, row["indicator"], row["service_line"], as_of),
    }
