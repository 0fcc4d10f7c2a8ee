"""Benchmarks: every provider against its peers for one indicator, service line and period."""

from flask import g, request

from projections.benchmarks import benchmark
from registry.errors import NotFound
from web.api import api, dump, query
from web.api import inputs as i
from web.api import report_schemas as r
from web.api.spec import operation
from web.context import store
from web.downloads import csv_response, wants_csv


@api.get("/benchmarks/<indicator>/<path:period>")
@operation("Benchmark one indicator and period", tag="benchmarks", path=i.BenchmarkPath,
           query=i.BenchmarkQuery,
           response=r.Benchmark, csv=True, errors=(404,))
def benchmark_cell(**raw):
    """The peer group's pooled value, quartiles and funnel, and each provider's value,
    intervals, rank and comparison; ``format=csv`` downloads the providers table. A
    period without submissions answers with an empty table."""
    args = query(i.BenchmarkQuery)
    cell = i.path(i.BenchmarkPath, **raw)
    document = benchmark(store(), cell["indicator"], cell["period"], args.get("service_line"),
                         args["peer_group"], g.as_of)
    if document is None:
        raise NotFound(f"no indicator {cell['indicator']} is defined", "indicator")
    if wants_csv(request):
        return csv_response(_table(document), "-".join(
            (document["indicator"], document["service_line"], document["period"],
             document["peer_group"])))
    return dump(r.Benchmark, document)


def _table(document: dict) -> list[dict]:
    """One row per provider with intervals as lower and upper columns, for spreadsheets."""
    rows = []
    for p in document["providers"]:
        row = {k: v for k, v in p.items() if k not in ("ci95", "ci998")}
        for name in ("ci95", "ci998"):
            row[f"{name}_lower"], row[f"{name}_upper"] = p[name] or (None, None)
        rows.append(row)
    return rows
