"""The catalogue as known at a recorded time: organisations, indicators, a provider's position.

Reads the benchmark projection's bitemporal fact tables (one copy of the facts is
enough for listing); ``as_of=None`` means the latest. A provider's position is
its latest reported period on each indicator and service line, with the
national (all providers) comparison from the benchmarks.
"""

import json

from projections.benchmarks import FACTS, compute_cell, owed
from projections.facts import LATEST
from projections.timestamps import stamp

P = FACTS.p


def _known_at(as_of) -> str:
    return stamp(as_of) if as_of is not None else LATEST


def organisations(store, as_of=None, kinds: tuple[str, ...] | None = None) -> list[dict]:
    """The latest known version of every organisation, by code."""
    known_at = _known_at(as_of)
    with store.reading() as cursor:
        rows = cursor.execute(
            f"SELECT o.code, o.name, o.kind, o.region FROM {P}_organisations o "
            f"WHERE o.recorded_at <= ? AND o.position = (SELECT MAX(v.position) FROM "
            f"{P}_organisations v WHERE v.code = o.code AND v.recorded_at <= ?) ORDER BY o.code",
            (known_at, known_at)).fetchall()
        merged = {r["predecessor"]: r["successor"] for r in FACTS.lineage_at(cursor, known_at)}
    return [{**r, "merged_into": merged.get(r["code"])} for r in rows
            if kinds is None or r["kind"] in kinds]


def indicators(store, as_of=None) -> list[dict]:
    known_at = _known_at(as_of)
    with store.reading() as cursor:
        rows = cursor.execute(
            f"SELECT i.code, i.definition FROM {P}_indicators i WHERE i.recorded_at <= ? AND "
            f"i.position = (SELECT MAX(v.position) FROM {P}_indicators v WHERE v.code = i.code "
            "AND v.recorded_at <= ?) ORDER BY i.code", (known_at, known_at)).fetchall()
    return [{"code": r["code"], **json.loads(r["definition"])} for r in rows]


def indicator(store, code: str, as_of=None) -> dict | None:
    with store.reading() as cursor:
        definition = FACTS.definition_at(cursor, code, _known_at(as_of))
    return None if definition is None else {"code": code, **definition}


def periods(store, indicator: str, service_line: str, as_of=None) -> list[str]:
    """The periods with at least one submission for an indicator and service line, newest first."""
    known_at = _known_at(as_of)
    with store.reading() as cursor:
        rows = cursor.execute(
            f"SELECT DISTINCT period, period_start FROM {P}_submissions WHERE indicator = ? "
            "AND service_line = ? AND recorded_at <= ? ORDER BY period_start DESC",
            (indicator, service_line, known_at)).fetchall()
    return [r["period"] for r in rows]


def provider_position(store, provider: str, as_of=None) -> list[dict]:
    """Per indicator and service line the provider reports: its latest period's figures."""
    known_at = _known_at(as_of)
    with store.reading() as cursor:
        cells = cursor.execute(
            f"SELECT s.indicator, s.service_line, s.period FROM {P}_submissions s "
            "WHERE s.provider = ? AND s.recorded_at <= ? AND s.withdrawn = 0 AND "
            f"s.period_start = (SELECT MAX(v.period_start) FROM {P}_submissions v WHERE "
            "v.provider = s.provider AND v.indicator = s.indicator AND "
            "v.service_line = s.service_line AND v.recorded_at <= ?) "
            "GROUP BY s.indicator, s.service_line, s.period ORDER BY s.indicator, s.service_line",
            (provider, known_at, known_at)).fetchall()
        return [_position(cursor, provider, cell, as_of, known_at) for cell in cells]


def _position(cursor, provider: str, cell: dict, as_of, known_at: str) -> dict:
    definition = FACTS.definition_at(cursor, cell["indicator"], known_at) or {}
    live = as_of is None and not owed(cursor, (cell["indicator"], cell["service_line"],
                                               cell["period"]))
    if live:
        group = cursor.execute(
            "SELECT * FROM benchmark_groups WHERE indicator = ? AND service_line = ? AND "
            "period = ? AND peer_group = 'all'",
            (cell["indicator"], cell["service_line"], cell["period"])).fetchone()
        row = cursor.execute(
            "SELECT * FROM benchmark_providers WHERE indicator = ? AND service_line = ? AND "
            "period = ? AND peer_group = 'all' AND provider = ?",
            (cell["indicator"], cell["service_line"], cell["period"], provider)).fetchone()
    else:
        computed = dict((g["peer_group"], (g, r)) for g, r in compute_cell(
            cursor, cell["indicator"], cell["service_line"], cell["period"], known_at,
            only="all"))
        group, rows = computed.get("all", (None, []))
        row = next((r for r in rows if r["provider"] == provider), None)
    row, group = row or {}, group or {}
    return {"indicator": cell["indicator"], "name": definition.get("name"),
            "domain": definition.get("domain"), "measure": definition.get("measure"),
            "unit": definition.get("unit"), "polarity": definition.get("polarity"),
            "service_line": cell["service_line"], "period": cell["period"],
            "value": row.get("value"), "ci95": [row["ci95_lower"], row["ci95_upper"]]
            if row.get("ci95_lower") is not None else None,
            "national": group.get("value"), "providers": group.get("providers"),
            "quartile": row.get("quartile"), "rank": row.get("rank"),
            "comparison": row.get("comparison")}
