"""SPC charts: an XmR chart per provider, indicator and service line over its periods.

A merged trust's chart continues from its predecessors: for periods before a
merger took effect, the successor's point pools its own and its predecessors'
figures (numerators and denominators for proportions and rates, n-weighted for
means, sums for counts). Limits restart (rebaseline) at a merger and at each
revision of the indicator's definition. Charts can be drawn as known at any
recorded time from the projection's facts.

Each page stores its facts and marks the series they touch (``spc_dirty``, in the
page's transaction); the marked charts are recomputed once the log is caught up,
so a chart is drawn once per catch-up, not once per page that adds a month to it. A
rebuild owes every chart: it records that once (``spc_owed_all``) and its pages mark
nothing.
"""

from collections.abc import Callable

from projections.engine import Projection
from projections.facts import LATEST, FactTables
from projections.figures import figure, pooled
from projections.readahead import ReadsAhead
from projections.settling import Settles
from projections.stats.spc import xmr_chart
from projections.timestamps import stamp
from registry.periods import parse_period

# A chart reads one series (and its predecessors'): no index by cell.
FACTS = FactTables("spcf", by_cell=False)
SETTLE = 500  # charts recomputed per transaction when a catch-up settles
SERIES = ("provider", "indicator", "service_line")
# Every series with a filed submission: what a rebuild owes (``spc_owed_all``).
_FILED_SERIES = f"SELECT DISTINCT {', '.join(SERIES)} FROM {FACTS.p}_submissions"
CHART_COLUMNS = ("provider", "indicator", "service_line", "points", "mean", "lpl", "upl",
                 "trial_limits", "variation_icon", "assurance_icon", "target")
POINT_COLUMNS = ("provider", "indicator", "service_line", "period", "seq", "value", "mean",
                 "lpl", "upl", "lower_2sigma", "upper_2sigma", "special_cause", "rule",
                 "type", "segment", "pooled_from")


class SpcCharts(Settles, ReadsAhead, Projection):
    name = "spc"
    # Series are marked in ``spc_dirty`` and their charts recomputed once the log is
    # caught up (``Settles``).
    owed_table, key = "spc_dirty", SERIES
    figure_tables = {"spc_charts": CHART_COLUMNS, "spc_points": POINT_COLUMNS}
    tables = {
        **FACTS.tables,
        "spc_charts": "CREATE TABLE IF NOT EXISTS spc_charts (provider TEXT, indicator TEXT, "
        "service_line TEXT, points INTEGER, mean DOUBLE PRECISION, lpl DOUBLE PRECISION, "
        "upl DOUBLE PRECISION, trial_limits INTEGER, variation_icon TEXT, "
        "assurance_icon TEXT, target DOUBLE PRECISION, "
        "PRIMARY KEY (provider, indicator, service_line))",
        "spc_points": "CREATE TABLE IF NOT EXISTS spc_points (provider TEXT, indicator TEXT, "
        "service_line TEXT, period TEXT, seq INTEGER, value DOUBLE PRECISION, "
        "mean DOUBLE PRECISION, lpl DOUBLE PRECISION, upl DOUBLE PRECISION, "
        "lower_2sigma DOUBLE PRECISION, upper_2sigma DOUBLE PRECISION, "
        "special_cause INTEGER, rule TEXT, type TEXT, segment INTEGER, pooled_from TEXT, "
        "PRIMARY KEY (provider, indicator, service_line, period))",
        # Series whose facts changed since their chart was last computed (see ``settle``).
        "spc_dirty": "CREATE TABLE IF NOT EXISTS spc_dirty (provider TEXT, indicator TEXT, "
        "service_line TEXT, PRIMARY KEY (provider, indicator, service_line))",
        # One row while a rebuild owes every chart (see ``start_rebuild``).
        "spc_owed_all": "CREATE TABLE IF NOT EXISTS spc_owed_all (id INTEGER PRIMARY KEY)",
    }
    scratch = ("spc_dirty", "spc_owed_all", *FACTS.scratch)
    indexes = FACTS.indexes

    # Submission events are filed by set-based SQL, as benchmarks file them.
    set_based_aggregates = ("Submission",)

    # Five pages (10,000 positions) per transaction, as for histories: fewer, longer
    # statements and commits for the facts filed by SQL.
    pages_of = 5
    defer_indexes = True

    def deferred_indexes(self, engine: str) -> tuple[str, ...]:
        return FACTS.deferred

    def start_rebuild(self, cursor) -> None:
        """A rebuild owes every chart: recorded once, so that its pages mark nothing (each
        range touches nearly every series again, and marking them cost an ``ON CONFLICT``
        check per series per range: 4.4 s of a 30-40 s replay at full scale on
        PostgreSQL). Settling first marks every series of the facts, and their
        successors', then drops the record."""
        cursor.execute("INSERT INTO spc_owed_all (id) VALUES (1)")  # its table is new

    def start_page(self, cursor) -> None:
        self.owed_all = _owed_all(cursor)
        self.facts = FACTS.page()
        self.series: set[tuple] = set()
        self.providers: set[str] = set()
        self.indicators: set[str] = set()

    def read_ahead(self, cursor, events) -> None:
        self.facts.read_ahead(cursor, events)

    def apply(self, cursor, logged) -> None:
        changed = FACTS.apply(cursor, logged, self.facts) or {}
        if "series" in changed:
            self.series.add(changed["series"])
        if "merged" in changed:
            self.providers.update(changed["merged"])
        if "indicator" in changed:
            self.indicators.add(changed["indicator"])

    def read_ahead_statement(self, store) -> tuple[str, Callable]:
        return FACTS.read_ahead_statement(store)

    def file_range(self, cursor, after: int, last: int, held: int | None = None) -> None:
        """The range's submissions filed by SQL, and their series marked (unless a rebuild
        owes every chart); those of merged organisations are left to ``finish_page``,
        which marks their successors' series too."""
        FACTS.file_range(cursor, after, last, self.name, self.read_ahead_table(after, last))
        if self.owed_all:
            return
        cursor.execute(f"INSERT INTO spc_dirty {FACTS.filed_in(SERIES)} "
                       "ON CONFLICT DO NOTHING", (after, last))
        if cursor.execute(f"SELECT 1 AS merged FROM {FACTS.p}_lineage LIMIT 1").fetchone():
            self.series.update(tuple(r[c] for c in SERIES) for r in cursor.execute(
                f"{FACTS.filed_in(SERIES)} AND provider IN (SELECT predecessor FROM "
                f"{FACTS.p}_lineage)", (after, last)).fetchall())

    def finish_page(self, cursor) -> None:
        """The page's facts are stored; the charts they touch (and their successors' as
        known now) are marked (unless a rebuild owes every chart), and recomputed once
        the log is caught up (``settle``)."""
        self.facts.write(cursor)
        if self.owed_all:
            return
        series = set(self.series)
        series.update(FACTS.keys(cursor, SERIES, "provider", self.providers))
        series.update(FACTS.keys(cursor, SERIES, "indicator", self.indicators))
        _mark(cursor, series)

    def owed(self, cursor) -> int:
        marked = int(cursor.execute("SELECT COUNT(*) AS n FROM spc_dirty").fetchone()["n"])
        if not _owed_all(cursor):
            return marked
        return marked + int(cursor.execute(  # close enough for progress; exact once marked
            f"SELECT COUNT(*) AS n FROM ({_FILED_SERIES}) AS series").fetchone()["n"])

    @property
    def part_size(self) -> int:
        return SETTLE

    def prepare_settling(self, cursor) -> None:
        """If a rebuild owes every chart, mark them all (and drop the record)."""
        if _owed_all(cursor):
            _mark(cursor, {tuple(r[c] for c in SERIES)
                           for r in cursor.execute(_FILED_SERIES).fetchall()})
            cursor.execute("DELETE FROM spc_owed_all")

    def compute_part(self, cursor, keys: list[tuple]) -> dict[str, list[list]]:
        charts, points = [], []
        for chart in compute_charts(cursor, keys):
            charts.append([chart[c] for c in CHART_COLUMNS])
            points.extend([p[c] for c in POINT_COLUMNS] for p in chart["point_rows"])
        return {"spc_charts": charts, "spc_points": points}


def compute_charts(cursor, keys: list[tuple]):
    """The live chart of each series in ``keys`` (in key order). Lineage and definitions
    are read once; the facts of every series without predecessors in one query, joined
    to the keys given as ``VALUES`` (not to ``spc_dirty``, which another process may
    have settled since: a worker computes from its own snapshot), the others' as
    ``compute_chart`` reads them."""
    lineage = FACTS.lineage_at(cursor, LATEST)
    facts: dict[tuple, list[dict]] = {}
    listed = ("(SELECT column1 AS provider, column2 AS indicator, column3 AS service_line "
              f"FROM (VALUES {', '.join(['(?, ?, ?)'] * len(keys))}) AS v) AS d")
    for fact in cursor.execute(FACTS.newest(
            f"{listed} CROSS JOIN {FACTS.p}_submissions s",
            "s.provider = d.provider AND s.indicator = d.indicator AND "
            "s.service_line = d.service_line"),
            [value for key in keys for value in key]).fetchall():
        facts.setdefault((fact["provider"], fact["indicator"], fact["service_line"]),
                         []).append(fact)
    definitions: dict[str, dict | None] = {}
    for provider, indicator, service_line in keys:
        if indicator not in definitions:
            definitions[indicator] = FACTS.definition_at(cursor, indicator, LATEST)
        definition = definitions[indicator]
        if definition is None:
            continue
        predecessors = _predecessors_in(lineage, provider)
        if predecessors:
            chart = compute_chart(cursor, provider, indicator, service_line, LATEST)
        else:
            chart = _chart(provider, indicator, service_line, definition, [],
                           facts.get((provider, indicator, service_line), []))
        if chart is not None:
            yield chart


def _owed_all(cursor) -> bool:
    return cursor.execute("SELECT 1 AS owed FROM spc_owed_all").fetchone() is not None


def _mark(cursor, series: set[tuple]) -> None:
    """Mark ``series`` owed, and their successors' (a successor's chart carries its
    predecessors' points)."""
    if not series:
        return
    successors = _successors(cursor, LATEST)
    for provider, indicator, service_line in list(series):
        for successor in successors.get(provider, []):
            series.add((successor, indicator, service_line))
    cursor.executemany("INSERT INTO spc_dirty VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                       sorted(series))


def _successors(cursor, known_at: str) -> dict[str, list[str]]:
    """Every organisation's successors, transitively, as known at ``known_at``."""
    rows = FACTS.lineage_at(cursor, known_at)
    direct = {r["predecessor"]: r["successor"] for r in rows}
    chains = {}
    for start in direct:
        chain, code = [], start
        while code in direct and direct[code] not in chain:
            code = direct[code]
            chain.append(code)
        chains[start] = chain
    return chains


def _predecessors(cursor, provider: str, known_at: str) -> list[dict]:
    """(code, effective) of every predecessor merged (directly or not) into ``provider``."""
    return _predecessors_in(FACTS.lineage_at(cursor, known_at), provider)


def _predecessors_in(rows: list[dict], provider: str) -> list[dict]:
    found, frontier = [], [provider]
    while frontier:
        nxt = [r for r in rows if r["successor"] in frontier
               and r["predecessor"] not in [f["code"] for f in found]]
        found += [{"code": r["predecessor"], "effective": r["effective"]} for r in nxt]
        frontier = [r["predecessor"] for r in nxt]
    return found


def compute_chart(cursor, provider: str, indicator: str, service_line: str, known_at: str):
    definition = FACTS.definition_at(cursor, indicator, known_at)
    if definition is None:
        return None
    predecessors = _predecessors(cursor, provider, known_at)
    codes = [provider] + [p["code"] for p in predecessors]
    marks = ",".join("?" * len(codes))
    facts = FACTS.submissions_at(cursor, f"s.indicator = ? AND s.service_line = ? AND "
                                 f"s.provider IN ({marks})", (indicator, service_line, *codes),
                                 known_at)
    return _chart(provider, indicator, service_line, definition, predecessors, facts)


def _chart(provider: str, indicator: str, service_line: str, definition: dict,
           predecessors: list[dict], facts: list[dict]) -> dict | None:
    points = _points(provider, facts, predecessors, definition)
    if not points:
        return None
    rebase = _rebaseline_indices(points, predecessors, definition)
    target = float(definition["target"]) if definition.get("target") is not None else None
    result = xmr_chart([p["value"] for p in points], definition["polarity"], target,
                       rebase_at=rebase)
    key = {"provider": provider, "indicator": indicator, "service_line": service_line}
    rows = [{**key, "period": p["period"], "seq": i, "value": point.value,
             "mean": point.mean, "lpl": point.lpl, "upl": point.upl,
             "lower_2sigma": point.lower_2sigma, "upper_2sigma": point.upper_2sigma,
             "special_cause": int(point.special_cause), "rule": point.rule,
             "type": point.type, "segment": point.segment,
             "pooled_from": ",".join(p["pooled_from"]) or None}
            for i, (p, point) in enumerate(zip(points, result.points))]
    return {**key, "points": len(points), "mean": result.mean, "lpl": result.lpl,
            "upl": result.upl, "trial_limits": int(result.trial_limits),
            "variation_icon": result.variation_icon, "assurance_icon": result.assurance_icon,
            "target": target, "point_rows": rows, "rebaselined_at":
            [points[i]["period"] for i in rebase]}


def _points(provider: str, facts: list[dict], predecessors: list[dict], definition) -> list:
    """One point per period: the provider's figure pooled with predecessors not yet merged."""
    measure, multiplier = definition["measure"], definition.get("multiplier")
    merged_on = {p["code"]: p["effective"] for p in predecessors}
    by_period: dict[str, list[dict]] = {}
    for fact in facts:
        start = fact["period_start"]
        if fact["provider"] != provider and start >= merged_on[fact["provider"]]:
            continue
        by_period.setdefault(fact["period"], []).append(fact)
    points = []
    for period in sorted(by_period, key=lambda p: parse_period(p).start):
        members = by_period[period]
        if measure == "median" and len(members) > 1:
            members = [m for m in members if m["provider"] == provider] or members[:1]
        figures = [figure(m["provider"], m, measure, multiplier, intervals=False)
                   for m in members]
        value = figures[0].value if len(figures) == 1 else \
            pooled(figures, measure, multiplier)["value"]
        points.append({"period": period, "value": value, "start": members[0]["period_start"],
                       "pooled_from": sorted(m["provider"] for m in members
                                             if m["provider"] != provider)})
    return points


def _rebaseline_indices(points: list[dict], predecessors: list[dict], definition) -> list[int]:
    changes = {p["effective"] for p in predecessors}
    changes.update(parse_period(period).start.isoformat()
                   for period in definition.get("revisions", []))
    indices = set()
    for change in changes:
        index = next((i for i, p in enumerate(points) if p["start"] >= change), None)
        if index:
            indices.add(index)
    return sorted(indices)


def spc_chart(store, provider: str, indicator: str, service_line: str | None = None,
              as_of=None) -> dict | None:
    """One chart as a plain dict: live, or as known at ``as_of``."""
    with store.reading() as cursor:
        definition = FACTS.definition_at(cursor, indicator, LATEST)
        if definition is None:
            return None
        service_line = service_line or definition["service_lines"][0]
        chart = compute_chart(cursor, provider, indicator, service_line,
                              stamp(as_of) if as_of else LATEST)
    if chart is None:
        return None
    return {
        "provider": provider, "indicator": indicator, "service_line": service_line,
        "mean": chart["mean"], "lpl": chart["lpl"], "upl": chart["upl"],
        "target": chart["target"], "trial_limits": bool(chart["trial_limits"]),
        "variation_icon": chart["variation_icon"], "assurance_icon": chart["assurance_icon"],
        "rebaselined_at": chart["rebaselined_at"],
        "points": [{"period": p["period"], "value": p["value"], "mean": p["mean"],
                    "lpl": p["lpl"], "upl": p["upl"], "lower_2sigma": p["lower_2sigma"],
                    "upper_2sigma": p["upper_2sigma"], "special_cause": bool(p["special_cause"]),
                    "rule": p["rule"], "type": p["type"], "segment": p["segment"],
                    "pooled_from": p["pooled_from"].split(",") if p["pooled_from"] else []}
                   for p in chart["point_rows"]],
    }
