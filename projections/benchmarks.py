"""Benchmarks: each provider against its peers for one indicator, service line and period.

Peer groups: ``all`` providers that reported, ``kind:<kind>`` and ``region:<code>``.
Per group: provider count, the pooled (national or peer) value, median and
quartiles (PERCENTILE.INC), funnel target and over-dispersion. Per provider:
value, 95% and 99.8% intervals, quartile (1 = best where polarity says), rank
(1 = best), the Fingertips comparison with the group value, and its funnel
position unadjusted and adjusted for over-dispersion.

The projection keeps bitemporal facts; each page marks the cells its events touched
(``benchmark_dirty``, in the page's transaction) and the live tables of the marked
cells are recomputed once the log is caught up, in parts of ``SETTLE`` cells (a
rebuild may leave that to the next catch-up). ``benchmark(..., as_of=T)`` computes the
same figures from the facts as they were known at T without touching the tables, and
so does a live ``benchmark`` of a marked cell: the stored figures are a cache of the
facts, never read while owed.
"""

from collections.abc import Callable
from dataclasses import replace

from projections.engine import Projection
from projections.facts import LATEST, FactTables
from projections.figures import figure, pooled
from projections.readahead import ReadsAhead
from projections.settling import Settles
from projections.stats.comparison import compare_with_benchmark
from projections.stats.funnel_assessment import assess_proportions, assess_rates
from projections.stats.quantiles import group_of, quartiles
from projections.store import placeholders
from projections.timestamps import stamp

FACTS = FactTables("bench")
SETTLE = 100  # cells recomputed per transaction when a catch-up settles (~70 providers
# x 12 peer groups of rows each, held until written)
CELL = ("indicator", "service_line", "period")
GROUP_COLUMNS = ("indicator", "service_line", "period", "peer_group", "providers", "value",
                 "numerator", "denominator", "minimum", "q1", "median", "q3", "maximum",
                 "funnel_target", "phi", "tau2")
PROVIDER_COLUMNS = ("indicator", "service_line", "period", "peer_group", "provider", "name",
                    "value", "numerator", "denominator", "ci95_lower", "ci95_upper",
                    "ci998_lower", "ci998_upper", "quartile", "rank", "comparison",
                    "funnel", "funnel_adjusted", "funnel_flagged_by")


class Benchmarks(Settles, ReadsAhead, Projection):
    name = "benchmarks"
    # Cells are marked in ``benchmark_dirty`` and their figures recomputed once the log is
    # caught up (``Settles``).
    owed_table, key = "benchmark_dirty", CELL
    figure_tables = {"benchmark_groups": GROUP_COLUMNS, "benchmark_providers": PROVIDER_COLUMNS}
    tables = {
        **FACTS.tables,
        "benchmark_groups": "CREATE TABLE IF NOT EXISTS benchmark_groups ("
        "indicator TEXT, service_line TEXT, period TEXT, peer_group TEXT, providers INTEGER, "
        "value DOUBLE PRECISION, numerator BIGINT, denominator BIGINT, "
        "minimum DOUBLE PRECISION, q1 DOUBLE PRECISION, median DOUBLE PRECISION, "
        "q3 DOUBLE PRECISION, maximum DOUBLE PRECISION, funnel_target DOUBLE PRECISION, "
        "phi DOUBLE PRECISION, tau2 DOUBLE PRECISION, "
        "PRIMARY KEY (indicator, service_line, period, peer_group))",
        "benchmark_providers": "CREATE TABLE IF NOT EXISTS benchmark_providers ("
        "indicator TEXT, service_line TEXT, period TEXT, peer_group TEXT, provider TEXT, "
        "name TEXT, value DOUBLE PRECISION, numerator BIGINT, denominator BIGINT, "
        "ci95_lower DOUBLE PRECISION, ci95_upper DOUBLE PRECISION, "
        "ci998_lower DOUBLE PRECISION, ci998_upper DOUBLE PRECISION, quartile INTEGER, "
        "rank INTEGER, comparison TEXT, funnel TEXT, funnel_adjusted TEXT, "
        "funnel_flagged_by TEXT, "
        "PRIMARY KEY (indicator, service_line, period, peer_group, provider))",
        # Cells whose facts changed since they were last computed (see ``settle``).
        "benchmark_dirty": "CREATE TABLE IF NOT EXISTS benchmark_dirty ("
        "indicator TEXT, service_line TEXT, period TEXT, "
        "PRIMARY KEY (indicator, service_line, period))",
    }
    scratch = ("benchmark_dirty", *FACTS.scratch)
    indexes = FACTS.indexes + (
        "CREATE INDEX IF NOT EXISTS benchmark_providers_provider ON benchmark_providers "
        "(provider, indicator)",)

    # Submission events, nearly all of the log, are filed by set-based SQL over the stored
    # rows (``FactTables.file_range``), which the runner then neither reads nor decodes;
    # off, every event goes through ``apply`` (the tests compare the two).
    set_based_aggregates = ("Submission",)

    # Five pages (10,000 positions) per transaction, as for histories: fewer, longer
    # statements and commits for the facts filed by SQL.
    pages_of = 5
    defer_indexes = True

    def deferred_indexes(self, engine: str) -> tuple[str, ...]:
        return FACTS.deferred + self.indexes[-1:]

    def start_page(self, cursor) -> None:
        self.facts = FACTS.page()
        self.cells: set[tuple] = set()
        self.organisations: set[str] = set()
        self.indicators: set[str] = set()

    def read_ahead(self, cursor, events) -> None:
        self.facts.read_ahead(cursor, events)

    def apply(self, cursor, logged) -> None:
        changed = FACTS.apply(cursor, logged, self.facts) or {}
        if "cell" in changed:
            self.cells.add(changed["cell"])
        self.organisations.update([changed["organisation"]] if "organisation" in changed
                                  else [])
        self.indicators.update([changed["indicator"]] if "indicator" in changed else [])

    def read_ahead_statement(self, store) -> tuple[str, Callable]:
        return FACTS.read_ahead_statement(store)

    def file_range(self, cursor, after: int, last: int, held: int | None = None) -> None:
        """The range's submissions filed by SQL, and their cells marked."""
        FACTS.file_range(cursor, after, last, self.name, self.read_ahead_table(after, last))
        cursor.execute(f"INSERT INTO benchmark_dirty {FACTS.filed_in(CELL)} "
                       "ON CONFLICT DO NOTHING", (after, last))

    def finish_page(self, cursor) -> None:
        """The page's facts are stored; the cells they touch are recomputed once the log is
        caught up (``settle``), not after every page: here they are only marked."""
        self.facts.write(cursor)
        cells = set(self.cells)
        cells.update(FACTS.keys(cursor, CELL, "provider", self.organisations))
        cells.update(FACTS.keys(cursor, CELL, "indicator", self.indicators))
        cursor.executemany("INSERT INTO benchmark_dirty VALUES (?, ?, ?) "
                           "ON CONFLICT DO NOTHING", sorted(cells))

    @property
    def part_size(self) -> int:
        return SETTLE

    def compute_part(self, cursor, keys: list[tuple]) -> dict[str, list[list]]:
        groups, providers = [], []
        for group, rows in compute_cells(cursor, keys, LATEST):
            groups.append([group[c] for c in GROUP_COLUMNS])
            providers.extend([row[c] for c in PROVIDER_COLUMNS] for row in rows)
        return {"benchmark_groups": groups, "benchmark_providers": providers}


def compute_cells(cursor, cells: list[tuple], known_at: str):
    """(group row, provider rows) for every peer group of each of ``cells``
    ((indicator, service_line, period), in that order): one query of the facts per
    indicator and service line, one of the organisations for them all."""
    by_line: dict[tuple, list[str]] = {}
    for indicator, service_line, period in cells:
        by_line.setdefault((indicator, service_line), []).append(period)
    facts: dict[tuple, list[dict]] = {}
    definitions: dict[str, dict | None] = {}
    for (indicator, service_line), periods in by_line.items():
        if indicator not in definitions:
            definitions[indicator] = FACTS.definition_at(cursor, indicator, known_at)
        if definitions[indicator] is None:
            continue
        for start in range(0, len(periods), 500):
            chunk = periods[start:start + 500]
            for fact in FACTS.submissions_at(
                    cursor, f"s.indicator = ? AND s.service_line = ? AND s.period IN "
                    f"({placeholders(chunk)})", (indicator, service_line, *chunk), known_at):
                facts.setdefault((indicator, service_line, fact["period"]), []).append(fact)
    orgs = FACTS.organisations_at(cursor, sorted({f["provider"] for rows in facts.values()
                                                 for f in rows}), known_at)
    for cell in cells:
        definition = definitions.get(cell[0])
        if definition is not None and facts.get(cell):
            yield from _cell_groups(cell, facts[cell], definition, orgs)


def compute_cell(cursor, indicator: str, service_line: str, period: str, known_at: str,
                 only: str | None = None):
    """(group row, provider rows) for every peer group of one cell (or ``only`` that one),
    from the facts."""
    definition = FACTS.definition_at(cursor, indicator, known_at)
    facts = FACTS.submissions_at(cursor, "s.indicator = ? AND s.service_line = ? AND "
                                 "s.period = ?", (indicator, service_line, period), known_at)
    if definition is None or not facts:
        return []
    orgs = FACTS.organisations_at(cursor, [f["provider"] for f in facts], known_at)
    return _cell_groups((indicator, service_line, period), facts, definition, orgs, only)


def _cell_groups(key: tuple, facts: list[dict], definition: dict, orgs: dict,
                 only: str | None = None) -> list:
    """Facts are in provider order, as ``FactTables.submissions_at`` returns them."""
    groups: dict[str, list[dict]] = {"all": facts}
    for fact in facts:
        org = orgs.get(fact["provider"], {})
        for name in (f"kind:{org.get('kind')}", f"region:{org.get('region')}"):
            if not name.endswith(":None"):
                groups.setdefault(name, []).append(fact)
    cell = dict(zip(CELL, key))
    # A provider's figure and intervals are the same in each of its peer groups.
    measure, multiplier = definition["measure"], definition.get("multiplier")
    figures = {f["provider"]: figure(f["provider"], f, measure, multiplier) for f in facts}
    return [compute_group(cell, name, members, definition, orgs, figures)
            for name, members in sorted(groups.items()) if only in (None, name)]


def compute_group(cell: dict, peer_group: str, facts: list[dict], definition: dict, orgs,
                  computed: dict | None = None):
    """The group's row and its providers' rows; ``computed`` holds figures already
    worked out for the cell, by provider."""
    measure, multiplier = definition["measure"], definition.get("multiplier")
    polarity = definition["polarity"]
    figures = [computed[f["provider"]] if computed else
               figure(f["provider"], f, measure, multiplier) for f in facts]
    values = [f.value for f in figures]
    group = {**cell, "peer_group": peer_group, "providers": len(figures),
             **pooled(figures, measure, multiplier)}
    bounds = quartiles(values)
    group.update(zip(("minimum", "q1", "median", "q3", "maximum"), bounds or [None] * 5))
    funnel = _funnel(figures, measure, multiplier)
    group.update(funnel_target=funnel.target if funnel else None,
                 phi=funnel.overdispersion.phi if funnel else None,
                 tau2=funnel.overdispersion.tau2 if funnel else None)
    ranks = _ranks(values, polarity)
    rows = []
    for i, fig in enumerate(figures):
        position = funnel.providers[i] if funnel else None
        rows.append({**cell, "peer_group": peer_group, "provider": fig.provider,
                     "name": orgs.get(fig.provider, {}).get("name"), "value": fig.value,
                     "numerator": fig.numerator, "denominator": fig.denominator,
                     "ci95_lower": fig.ci95[0] if fig.ci95 else None,
                     "ci95_upper": fig.ci95[1] if fig.ci95 else None,
                     "ci998_lower": fig.ci998[0] if fig.ci998 else None,
                     "ci998_upper": fig.ci998[1] if fig.ci998 else None,
                     "quartile": group_of(fig.value, bounds, polarity),
                     "rank": ranks[i],
                     "comparison": compare_with_benchmark(fig.value, group["value"], fig.ci95,
                                                          fig.ci998, polarity),
                     "funnel": position.unadjusted if position else None,
                     "funnel_adjusted": position.adjusted if position else None,
                     "funnel_flagged_by": position.flagged_by if position else None})
    return group, rows


def _funnel(figures, measure: str, multiplier):
    if measure not in ("proportion", "rate") or len(figures) < 2:
        return None
    numerators = [f.numerator for f in figures]
    denominators = [f.denominator for f in figures]
    if sum(numerators) == 0 or (measure == "proportion" and sum(numerators) == sum(denominators)):
        return None
    if measure == "proportion":
        assessment = assess_proportions(numerators, denominators)
        return _percent(assessment)
    return assess_rates(numerators, denominators, multiplier or 1, lazy_limits=True)


def _percent(assessment):
    """Funnel positions are scale-free codes; only the target is put on the % scale."""
    return replace(assessment, target=assessment.target * 100)


def _ranks(values: list[float], polarity: str) -> list[int]:
    """Competition ranks, 1 = best (highest unless lower is better); ties share a rank."""
    descending = polarity != "lower"
    ordered = sorted(values, reverse=descending)
    return [ordered.index(v) + 1 for v in values]


def benchmark(store, indicator: str, period: str, service_line: str | None = None,
              peer_group: str = "all", as_of=None) -> dict | None:
    """One cell's benchmark as a plain dict: live, or as known at ``as_of``."""
    with store.reading() as cursor:
        definition = FACTS.definition_at(cursor, indicator, LATEST)
        if definition is None:
            return None
        service_line = service_line or definition["service_lines"][0]
        if as_of is None and not owed(cursor, (indicator, service_line, period)):
            group = cursor.execute(
                "SELECT * FROM benchmark_groups WHERE indicator = ? AND service_line = ? AND "
                "period = ? AND peer_group = ?",
                (indicator, service_line, period, peer_group)).fetchone()
            rows = cursor.execute(
                "SELECT * FROM benchmark_providers WHERE indicator = ? AND service_line = ? "
                "AND period = ? AND peer_group = ? ORDER BY rank, provider",
                (indicator, service_line, period, peer_group)).fetchall()
        else:  # as known then, or a cell whose stored figures are owed: from the facts
            known_at = stamp(as_of) if as_of is not None else LATEST
            computed = dict((g["peer_group"], (g, r)) for g, r in compute_cell(
                cursor, indicator, service_line, period, known_at, only=peer_group))
            group, rows = computed.get(peer_group, (None, []))
            rows = sorted(rows, key=lambda r: (r["rank"], r["provider"]))
    return _as_document(indicator, period, service_line, peer_group, definition, group, rows)


def owed(cursor, cell: tuple) -> bool:
    """Whether the cell's facts changed since its figures were stored (``settle`` has
    not reached it yet): its figures are then computed from the facts when asked for."""
    return cursor.execute("SELECT 1 AS owed FROM benchmark_dirty WHERE indicator = ? AND "
                          "service_line = ? AND period = ?", cell).fetchone() is not None


def _as_document(indicator, period, service_line, peer_group, definition, group, rows):
    national = {k: (group or {}).get(k) for k in ("value", "numerator", "denominator")}
    return {
        "indicator": indicator, "period": period, "service_line": service_line,
        "peer_group": peer_group, "measure": definition["measure"],
        "unit": definition.get("unit"), "polarity": definition["polarity"],
        "national": national,
        "summary": {k: (group or {}).get(k) for k in
                    ("providers", "minimum", "q1", "median", "q3", "maximum",
                     "funnel_target", "phi", "tau2")},
        "providers": [{
            "code": r["provider"], "name": r["name"], "value": r["value"],
            "numerator": r["numerator"], "denominator": r["denominator"],
            "ci95": _pair(r["ci95_lower"], r["ci95_upper"]),
            "ci998": _pair(r["ci998_lower"], r["ci998_upper"]),
            "quartile": r["quartile"], "rank": r["rank"], "comparison": r["comparison"],
            "funnel": {"unadjusted": r["funnel"], "adjusted": r["funnel_adjusted"],
                       "flagged_by": r["funnel_flagged_by"]},
        } for r in rows],
    }


def _pair(lower, upper):
    return None if lower is None else [lower, upper]
