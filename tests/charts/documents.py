"""Chart inputs shaped exactly as the projections return them, without a database.

Benchmark documents go through the benchmark projection's own pure steps
(``compute_group`` then ``_as_document``), so if the document's shape changes
these tests break instead of passing on a stale copy. SPC documents come from
``xmr_chart`` laid out as ``spc_chart`` lays out its rows; the end-to-end tests
in test_funnel and test_spc check that layout against the real projection.
"""

from projections.benchmarks import _as_document, compute_group
from projections.stats.spc import xmr_chart

PERIOD = "2018-06"


def benchmark_document(rows, measure="proportion", polarity="higher", unit="%",
                       multiplier=None, indicator="WIC4H", service_line="walk_in_centres"):
    """``rows``: (code, name, numerator, denominator), or (code, name, value[, sd, n])."""
    definition = {"measure": measure, "multiplier": multiplier, "polarity": polarity,
                  "unit": unit, "service_lines": [service_line]}
    facts = [_fact(row, measure) for row in rows]
    orgs = {row[0]: {"name": row[1]} for row in rows}
    cell = {"indicator": indicator, "service_line": service_line, "period": PERIOD}
    group, providers = compute_group(cell, "all", facts, definition, orgs) if facts else (None, [])
    providers = sorted(providers, key=lambda r: (r["rank"], r["provider"]))
    return _as_document(indicator, PERIOD, service_line, "all", definition, group, providers)


def _fact(row, measure):
    code, _, *numbers = row
    if measure in ("proportion", "rate"):
        return {"provider": code, "numerator": numbers[0], "denominator": numbers[1]}
    fact = {"provider": code, "value": numbers[0]}
    if len(numbers) == 3:
        fact.update(sd=numbers[1], n=numbers[2])
    return fact


def spc_document(values, polarity="higher", target=None, rebase_at=(), provider="RY6",
                 indicator="WIC4H"):
    result = xmr_chart(values, polarity, target, rebase_at=rebase_at)
    periods = [f"{2016 + i // 12}-{i % 12 + 1:02d}" for i in range(len(values))]
    return {
        "provider": provider, "indicator": indicator, "service_line": "walk_in_centres",
        "mean": result.mean, "lpl": result.lpl, "upl": result.upl, "target": target,
        "trial_limits": result.trial_limits, "variation_icon": result.variation_icon,
        "assurance_icon": result.assurance_icon,
        "rebaselined_at": [periods[i] for i in rebase_at],
        "points": [{"period": periods[p.index], "value": p.value, "mean": p.mean,
                    "lpl": p.lpl, "upl": p.upl, "lower_2sigma": p.lower_2sigma,
                    "upper_2sigma": p.upper_2sigma, "special_cause": p.special_cause,
                    "rule": p.rule, "type": p.type, "segment": p.segment, "pooled_from": []}
                   for p in result.points],
    }
