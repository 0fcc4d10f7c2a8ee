"""The benchmark's steps, registered by name; the runner runs each in its own process.

A step is a function ``(ctx, result)`` that measures something and adds figures to
``result`` (``bench.figures.StepResult``). Register one with::

    from bench.steps import register

    @register("pack_render", "Evidence-pack render", needs=("import", "rebuild"))
    def pack_render(ctx, result):
        ...  # time the renders, then result.add(label, value, unit, kind=..., floor=...)

``needs`` names steps whose work this one reads (the runner adds them to a run that
selects this step).
"""

import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from bench.data import DataSet
from bench.figures import StepResult, percentile

ADMIN_USER = "bench"


@dataclass
class StepContext:
    engine: str
    database_url: str  # the registry's store
    floor_url: str  # PostgreSQL floor schema (unused on SQLite)
    work: Path  # this engine's working directory (SQLite files, ledger key)
    data: DataSet
    samples: int = 100
    http_seconds: float = 20.0
    http_clients: int = 16
    seed: int = 1
    progress: Callable = field(default=lambda *a: None, repr=False)

    def settings(self):
        from config.settings import Settings
        return Settings.from_env({
            "REGISTRY_DATABASE_URL": self.database_url, "REGISTRY_HOME": str(self.work),
            "REGISTRY_INLINE_PROJECTIONS": "off",
            "REGISTRY_LEDGER_KEY": str(self.work / "ledger-key.json")})

    def open_registry(self):
        from config.storage import open_registry
        return open_registry(self.settings())

    @property
    def floor_sqlite(self) -> str:
        return str(self.work / "floor.db")

    def floor_env(self) -> dict:
        from bench.floors import floor_env
        return floor_env(self.engine, self.floor_url, self.floor_sqlite)

    def admin(self):
        from registry.provenance import Actor, Provenance
        return Provenance(Actor(ADMIN_USER, "REGISTRY", "admin"), "cli")


@dataclass
class StepSpec:
    name: str
    title: str
    function: Callable | None
    needs: tuple[str, ...] = ()

    @property
    def placeholder(self) -> bool:
        return self.function is None


STEPS: dict[str, StepSpec] = {}


def register(name: str, title: str, needs: tuple[str, ...] = ()):
    def decorator(function):
        STEPS[name] = StepSpec(name, title, function, needs)
        return function
    return decorator


def run_step(spec: StepSpec, ctx: StepContext) -> StepResult:
    result = StepResult(spec.name, ctx.engine)
    if spec.placeholder:
        result.measured = False
        result.notes.append(f"not measured: no function is registered for '{spec.name}' "
                            "yet (see bench/steps.py)")
        return result
    spec.function(ctx, result)
    return result


def _import(app, kind: str, path: Path, admin):
    from registry.imports import import_csv
    from registry.imports.reader import ImportRejected
    try:
        return import_csv(app, kind, path.read_bytes(), path.name, admin)
    except ImportRejected as rejected:
        raise RuntimeError(f"{path.name} was refused: "
                           + "; ".join(str(e) for e in rejected.errors[:5])) from None


def rate(events: int, seconds: float) -> float:
    return events / seconds if seconds > 0 else 0.0


# -- import ------------------------------------------------------------------------------

@register("import", "Bulk import through the application")
def bulk_import(ctx: StepContext, result: StepResult) -> None:
    admin = ctx.admin()
    app = ctx.open_registry()
    try:
        started = time.perf_counter()
        for kind, path in ctx.data.reference:
            _import(app, kind, path, admin)
        reference_seconds = time.perf_counter() - started
        seconds, events, rows = 0.0, 0, 0
        total = ctx.data.submissions
        for path in ctx.data.submission_files:
            started = time.perf_counter()
            report = _import(app, "submissions", path, admin)
            seconds += time.perf_counter() - started
            events += report.events
            rows += report.rows
            ctx.progress("import", rows, total, "rows")
        stored = app.recorder.max_notification_id()
    finally:
        app.close()
    result.add("bulk import of submission files (validate, store, journal, checkpoint)",
               rate(events, seconds), "events/s", detail=f"{events:,} events from "
               f"{len(ctx.data.submission_files):,} files of up to 1,000 rows in {seconds:.1f} s")
    result.notes.append(f"reference data (organisations, indicators, contracts, milestones) "
                        f"imported first in {reference_seconds:.1f} s; the log holds "
                        f"{stored:,} events including one ledger checkpoint per file")


@register("append_floor", "Raw eventsourcing append (floor for the import)", needs=("import",))
def raw_append(ctx: StepContext, result: StepResult) -> None:
    from bench.floors import append_floor, submission_batches
    from registry.imports.reader import read_csv, take_header
    indicators = next(p for k, p in ctx.data.reference if k == "indicators")
    table = read_csv(indicators.read_bytes(), indicators.name)
    take_header(table, ())
    col = table.header.index
    measures = {cells[col("code")]: cells[col("measure")] for _, cells in table.rows}
    batches = submission_batches(ctx.data.submission_files, measures, ctx.admin().actor)
    floor = append_floor(ctx.floor_env(), batches,
                         lambda done: ctx.progress("append", done, ctx.data.submissions,
                                                   "events"))
    result.add("raw eventsourcing append, same aggregates, one save per file",
               rate(floor["events"], floor["seconds"]), "events/s",
               detail=f"{floor['events']:,} events in {floor['seconds']:.1f} s; mean stored "
                      f"state {floor['mean_state_bytes']:.0f} bytes")


@register("executemany_floor", "Raw executemany of the stored bytes", needs=("import",))
def raw_executemany(ctx: StepContext, result: StepResult) -> None:
    from bench.floors import executemany_floor, stored_pages
    app = ctx.open_registry()
    try:
        floor = executemany_floor(ctx.engine, ctx.floor_env(), stored_pages(app.recorder),
                                  lambda done: ctx.progress("executemany", done, None,
                                                            "rows"))
    finally:
        app.close()
    result.add("raw executemany of the registry's stored rows, 1,000 per transaction",
               rate(floor["events"], floor["seconds"]), "events/s",
               detail=f"{floor['events']:,} rows, {floor['bytes'] / 1e6:.1f} MB of state in "
                      f"{floor['seconds']:.1f} s")


# -- rebuild -----------------------------------------------------------------------------

@register("rebuild", "Projection rebuild", needs=("import",))
def rebuild(ctx: StepContext, result: StepResult) -> None:
    """Each read model's rebuild beside a raw read of the log taken just before it. The
    last read model is rebuilt minutes after the first, after others' settling, and on a
    shared host the read itself varies: in one full-scale run PostgreSQL's took 12.5 s
    before one read model and 15.1 s before another."""
    from bench.floors import read_floor
    from bench.memory import children_peaks_mb
    app = ctx.open_registry()
    workers_mb: dict[int, float] = {}
    floors: list[float] = []
    try:
        runner = app.read_side
        events = 0
        total_seconds = 0.0
        def progress(n, done, total):
            ctx.progress(f"rebuild {n}", done, total,
                         "items" if n.endswith((" figures", " indexes")) else "events")
            # the reading-ahead and settling workers, while they run
            workers_mb.update(children_peaks_mb())
        for name in runner.projections:
            if name == "ledger":
                continue  # rebuilt by the ledger step, as `registry ledger verify` does
            floor = read_floor(app.recorder, runner.page, lambda done: ctx.progress(
                f"raw read before '{name}'", done, None, "events"))
            events = floor["events"]
            floors.append(floor["seconds"])
            floor_rate = rate(events, floor["seconds"])
            # The replay, after which every query answers (a benchmark whose figures are
            # owed is computed from the facts), then the settling of the stored figures,
            # as `registry projections rebuild` does both.
            started = time.perf_counter()
            runner.rebuild(name, progress, settle=False)
            seconds = time.perf_counter() - started
            started = time.perf_counter()
            runner.settle(name, progress)
            settling = time.perf_counter() - started
            total_seconds += seconds + settling
            result.add(f"rebuild '{name}'", rate(events, seconds), "events/s",
                       floor_label="raw notification read", floor=floor_rate,
                       target="ratio >= 0.5", detail=f"{events:,} events in {seconds:.1f} s; "
                       f"raw read just before: {floor['seconds']:.1f} s")
            if settling >= 0.05:
                result.add(f"rebuild '{name}' with its stored figures settled",
                           rate(events, seconds + settling), "events/s",
                           floor_label="raw notification read", floor=floor_rate,
                           detail=f"replay {seconds:.1f} s, then settling {settling:.1f} s")
    finally:
        app.close()
    mean_floor = sum(floors) / len(floors) if floors else 0.0
    result.add("rebuild of every read model but the ledger, one after another",
               rate(events, total_seconds), "events/s",
               floor_label="raw notification read (mean)", floor=rate(events, mean_floor),
               detail=f"{total_seconds:.1f} s")
    if floors:
        result.notes.append(
            f"raw read: {events:,} notifications in {min(floors):.2f}-{max(floors):.2f} s "
            f"(pages of {runner.page}, as the projection runner reads them), read again "
            f"just before each read model's rebuild, {len(floors)} times; each rebuild's "
            "ratio is to the read just before it")
    if workers_mb:
        result.notes.append("peak resident memory of the worker processes (reading ahead, "
                            "settling figures): "
                            + ", ".join(f"{mb:.0f} MB" for mb in workers_mb.values()))


# -- queries -----------------------------------------------------------------------------

def _timed(function, *args, **kwargs) -> float:
    started = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - started) * 1000


def _latencies(result, label: str, cold: list[float], warm: list[float], floor: list[float],
               target_ms: float | None, floor_label: str) -> None:
    floor_p = {q: percentile(floor, q) for q in (50, 95, 99)} if floor else {}
    for temperature, samples in (("cold", cold), ("warm", warm)):
        if not samples:
            continue
        for q in (50, 95, 99):
            target = f"value <= {target_ms:g}" if target_ms and q == 95 else None
            result.add(f"{label}, {temperature}, p{q}", percentile(samples, q), "ms",
                       kind="latency", floor_label=floor_label if floor_p else None,
                       floor=floor_p.get(q), target=target,
                       detail=f"{len(samples)} samples")


# The API's history pages by a cursor (``limit``); the bench times its first page too.
HISTORY_PAGE = 100


@register("queries", "Query latency through the API's functions", needs=("import", "rebuild"))
def queries(ctx: StepContext, result: StepResult) -> None:
    from projections.benchmarks import benchmark
    from projections.histories import history, history_page
    from projections.spc_charts import spc_chart
    from projections.store import ReadStore
    from projections.timestamps import parse_stamp
    rng = random.Random(ctx.seed)
    app = ctx.open_registry()
    try:
        store = app.read_side.store
        cells = [tuple(r.values()) for r in store.query(
            "SELECT DISTINCT indicator, service_line, period FROM benchmark_groups "
            "ORDER BY indicator, service_line, period")]
        series = [tuple(r.values()) for r in store.query(
            "SELECT provider, indicator, service_line FROM spc_charts "
            "ORDER BY provider, indicator, service_line")]
        providers = sorted({s[0] for s in series})
        count = store.query("SELECT COUNT(*) AS n FROM bench_submissions")[0]["n"]
        middle = store.query("SELECT recorded_at FROM bench_submissions ORDER BY position "
                             "LIMIT 1 OFFSET ?", (count // 2,))[0]["recorded_at"]
        as_of = parse_stamp(middle)
        n = ctx.samples
        picks = {"cells": [rng.choice(cells) for _ in range(n)],
                 "series": [rng.choice(series) for _ in range(n)],
                 "providers": [rng.choice(providers) for _ in range(n)]}

        def live_benchmark(s, key):
            benchmark(s, key[0], key[2], key[1], "all")

        def asof_benchmark(s, key):
            benchmark(s, key[0], key[2], key[1], "all", as_of=as_of)

        def live_spc(s, key):
            spc_chart(s, *key)

        def asof_spc(s, key):
            spc_chart(s, *key, as_of=as_of)

        def live_history(s, key):
            history(s, key)

        def asof_history(s, key):
            history(s, key, as_of)

        def history_first_page(s, key):
            history_page(s, key, limit=HISTORY_PAGE)

        def raw(statement):
            def fetch(s, key):
                with s.reading() as cursor:
                    cursor.execute(statement, key).fetchall()
            return fetch

        raw_cell = raw("SELECT * FROM benchmark_providers WHERE indicator = ? AND "
                       "service_line = ? AND period = ? AND peer_group = 'all'")
        raw_facts = raw("SELECT * FROM bench_submissions WHERE indicator = ? AND "
                        "service_line = ? AND period = ?")
        raw_points = raw("SELECT * FROM spc_points WHERE provider = ? AND indicator = ? AND "
                         "service_line = ?")
        raw_spc_facts = raw("SELECT * FROM spcf_submissions WHERE provider = ? AND "
                            "indicator = ? AND service_line = ?")
        history_rows = (f"SELECT h.position, h.organisations, e.state FROM history_events h "
                        f"JOIN {store.events_table} e ON e.{store.events_position} = "
                        "h.position WHERE h.organisation = ?")
        raw_history = raw(history_rows)
        raw_history_page = raw(f"{history_rows} ORDER BY h.position LIMIT {HISTORY_PAGE}")
        plan = (
            ("benchmark query", live_benchmark, "cells", raw_cell,
             "raw SELECT of the cell's stored rows", 20),
            ("as-of benchmark query", asof_benchmark, "cells", raw_facts,
             "raw SELECT of the cell's fact rows", 200),
            ("SPC query", live_spc, "series", raw_points,
             "raw SELECT of the chart's stored points", None),
            ("as-of SPC query", asof_spc, "series", raw_spc_facts,
             "raw SELECT of the series' fact rows", None),
            ("history query", live_history, "providers", raw_history,
             "raw SELECT of the organisation's history rows and events", None),
            ("as-of history query", asof_history, "providers", raw_history,
             "raw SELECT of the organisation's history rows and events", None),
            (f"history query, a page of {HISTORY_PAGE}", history_first_page, "providers",
             raw_history_page, "raw SELECT of the page's history rows and events", None),
        )
        for label, function, keys, floor_fn, floor_label, target in plan:
            wrap = (lambda k: (k,)) if keys == "providers" else (lambda k: k)
            cold, warm, floor = [], [], []
            for i, key in enumerate(picks[keys]):
                fresh = ReadStore(app)  # a new connection: nothing of this query cached
                try:
                    fresh.query("SELECT 1 AS one")
                    cold.append(_timed(function, fresh, key))
                finally:
                    fresh.close()
                function(store, key)
                warm.append(_timed(function, store, key))
                floor_fn(store, wrap(key))
                floor.append(_timed(floor_fn, store, wrap(key)))
                ctx.progress(label, i + 1, n, "queries")
            _latencies(result, label, cold, warm, floor, target, floor_label)
    finally:
        app.close()
    result.notes.append(
        f"{n} keys drawn (seeded) from {len(cells):,} cells, {len(series):,} SPC series and "
        f"{len(providers):,} providers; as-of time {middle} (half-way through the log). "
        "Cold: the first query on a new connection (SQLite's page cache empty; the OS "
        "cache and PostgreSQL's shared buffers are not flushed). Warm: the same query "
        "again on a connection that has just run it. Floor: the raw SELECT, warm.")


# -- spot check --------------------------------------------------------------------------

# The histories checked: each is a provider's thousands of events at full scale.
HISTORY_PROVIDERS = 20


@register("spot_check", "Query answers against figures worked out from the data set's files",
          needs=("import", "rebuild"))
def spot_check(ctx: StepContext, result: StepResult) -> None:
    """Whether the queries the bench times answer right (``bench.spot_check``). A
    difference is a failure of the run."""
    from bench import spot_check as check
    from projections.benchmarks import benchmark
    from projections.histories import history
    from projections.spc_charts import spc_chart
    rng = random.Random(ctx.seed + 1)
    files = ctx.data.submission_files
    indicators = check.definitions(ctx.data.directory)
    cells, series = check.sample(files, rng, ctx.samples)
    reporting = sorted({s[0] for s in series})
    providers = rng.sample(reporting, min(HISTORY_PROVIDERS, len(reporting)))
    by_cell, by_series, by_provider = check.collect(files, cells, series, providers)
    app = ctx.open_registry()
    checked = {"benchmark": 0, "as-of benchmark": 0, "SPC": 0, "history": 0,
               "as-of history": 0}
    agreed = dict.fromkeys(checked, 0)
    differences = []

    def tally(kind, key, found):
        checked[kind] += 1
        if found:
            differences.append(f"{kind} {'/'.join(key)}: {'; '.join(found[:3])}")
        else:
            agreed[kind] += 1

    try:
        store = app.read_side.store
        as_of, middle = _middle_submission(app)
        total = 2 * len(cells) + len(series) + len(providers)
        for i, (indicator, line, period) in enumerate(cells):
            expected = check.expected_benchmark(by_cell[(indicator, line, period)],
                                                indicators[indicator])
            tally("benchmark", (indicator, line, period), check.benchmark_differences(
                benchmark(store, indicator, period, line, "all"), expected))
            if period != middle:
                answer = benchmark(store, indicator, period, line, "all", as_of=as_of)
                found = (check.benchmark_differences(answer, expected) if period < middle
                         else [] if answer is None or not answer["providers"]
                         else [f"{len(answer['providers'])} providers known as of a "
                               "time before their period was imported"])
                tally("as-of benchmark", (indicator, line, period), found)
            ctx.progress("spot check", 2 * i + 2, total, "answers")
        for i, (provider, indicator, line) in enumerate(series):
            expected = check.expected_chart(by_series[(provider, indicator, line)],
                                            indicators[indicator])
            tally("SPC", (provider, indicator, line), check.chart_differences(
                spc_chart(store, provider, indicator, line), expected))
            ctx.progress("spot check", 2 * len(cells) + i + 1, total, "answers")
        for i, code in enumerate(providers):
            filed = by_provider[code]
            tally("history", (code,), check.history_differences(history(store, code), filed))
            then = [r for r in history(store, code, as_of)
                    if r["aggregate"] != "Submission" or r["data"]["period"] != middle]
            tally("as-of history", (code,), check.history_differences(
                then, [f for f in filed if f.row["period"] < middle]))
            ctx.progress("spot check", 2 * len(cells) + len(series) + i + 1, total,
                         "answers")
    finally:
        app.close()
    for kind in checked:
        result.add(f"{kind} answers agreeing with the data set's files", agreed[kind],
                   "answers", floor_label="answers checked",
                   floor=checked[kind], target="ratio >= 1")
    result.notes.append(
        f"{len(cells)} cells, {len(series)} series and {len(providers)} providers' "
        f"histories ({sum(map(len, by_provider.values())):,} rows) drawn (seeded) from the "
        f"submission files' rows; as of {as_of.isoformat()} (the middle of the log, in "
        f"{middle}'s import), cells and rows of earlier periods must answer as today and "
        "later ones not at all; figures worked out with SciPy and NumPy from the files "
        "(bench/spot_check.py)")
    if differences:
        result.notes.append(f"failed: {len(differences)} answers differ from the data "
                            f"set's files: {' | '.join(differences[:5])}")


def _middle_submission(app):
    """The time and period of the first submission at or after the log's middle."""
    from projections.eventlog import read_events
    for logged in read_events(app, after=(app.recorder.max_notification_id() or 0) // 2,
                              page=100):
        event = logged.event
        if hasattr(event, "period") and hasattr(event, "service_line"):
            return event.timestamp, event.period
    raise RuntimeError("no submission in the second half of the log")


# -- ledger ------------------------------------------------------------------------------

@register("ledger", "Ledger verification", needs=("import",))
def ledger(ctx: StepContext, result: StepResult) -> None:
    from bench.floors import sha256_floor
    from bench.memory import children_peaks_mb
    app = ctx.open_registry()
    workers_mb: dict[int, float] = {}

    def progress(name, done, total):
        ctx.progress("ledger verify", done, total, "events")
        workers_mb.update(children_peaks_mb())  # the hashing workers, while they run

    try:
        floor = sha256_floor(app.recorder)
        started = time.perf_counter()
        report = app.ledger.verify(full=True, progress=progress)
        seconds = time.perf_counter() - started
        verifier = app.read_side.projections["ledger"]
        ranges = app.read_side.page * verifier.pages_of
        workers = (f"{verifier.hashed_ahead:,} ranges of up to {ranges:,} events hashed "
                   f"ahead by {verifier.prefetch_workers} worker processes"
                   if verifier.hashed_ahead else "no range hashed ahead by workers")
    finally:
        app.close()
    if not report["ok"]:
        result.notes.append(f"the ledger reported problems: {report['problems'][:3]}")
    if workers_mb:
        result.notes.append("peak resident memory of the hashing workers: "
                            + ", ".join(f"{mb:.0f} MB" for mb in workers_mb.values()))
    size = report["tree_size"]
    result.add("ledger verify --full (recompute the tree, compare with the journal, "
               "check every checkpoint)", rate(size, seconds), "events/s",
               floor_label="raw SHA-256 of the same leaf bytes",
               floor=rate(floor["events"], floor["seconds"]), target="ratio >= 0.5",
               detail=f"{size:,} leaves in {seconds:.1f} s; {report['checkpoints']:,} "
                      f"checkpoints; {workers}; floor {floor['bytes'] / 1e6:.1f} MB hashed "
                      f"in {floor['seconds']:.2f} s")


# -- HTTP --------------------------------------------------------------------------------

@register("http", "Benchmark API under gunicorn", needs=("import", "rebuild"))
def http(ctx: StepContext, result: StepResult) -> None:
    from bench.http import measure_api
    measure_api(ctx, result)


# -- evidence packs ----------------------------------------------------------------------

@register("pack_render", "Evidence-pack render", needs=("import", "rebuild"))
def pack_render(ctx: StepContext, result: StepResult) -> None:
    """The FT evidence pack of the provider reporting the most indicator cells: gathering its
    figures and proofs, then rendering (charts drawn, then again with them kept), beside
    WeasyPrint rendering the same pages with the charts' boxes left empty."""
    import io
    import re

    import weasyprint
    from pypdf import PdfReader

    import packs
    from packs.pdf import render_html, render_pdf

    app = ctx.open_registry()
    try:
        app.read_side.catch_up()
        code = app.read_side.store.query(
            "SELECT provider, COUNT(DISTINCT indicator || ' ' || service_line) AS cells "
            "FROM benchmark_providers WHERE peer_group = 'all' GROUP BY provider "
            "ORDER BY cells DESC, provider LIMIT 1")[0]["provider"]
        started = time.perf_counter()
        document = packs.build(app, "ft", {"provider": code}, None, ADMIN_USER, "cli")
        gathered = time.perf_counter()
        pdf = render_pdf(document)
        cold = time.perf_counter()
        render_pdf(document)
        warm = time.perf_counter()
        # the laid-out pages with the funnel and SPC charts' boxes left empty, and the
        # few charts WeasyPrint draws itself (time line, notices) left out
        bare = re.sub(r'<img class="chart" alt="[^"]*" src="[^"]*">', "",
                      render_html(document))
        floor_started = time.perf_counter()
        weasyprint.HTML(string=bare).write_pdf()
        floor = time.perf_counter() - floor_started
    finally:
        app.close()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    charts = 2 * len(document["figures"]["indicators"]) + 1
    detail = (f"{code}: {pages} pages, {len(document['figures']['indicators'])} indicator "
              f"cells ({charts} charts), {len(document['events']):,} events with proofs, "
              f"{len(pdf) / 1e6:.1f} MB")
    result.add("FT pack, gather figures and prove its events", gathered - started, "s",
               kind="latency", detail=detail)
    result.add("FT pack, gather and render, drawing every chart (cold: its figures changed "
               "since the pack_charts job ran)", cold - started, "s", kind="latency",
               floor_label="the same pages, chart boxes empty", floor=floor, detail=detail)
    result.add("FT pack, render with its charts kept (warm: as after the pack_charts job)",
               warm - cold, "s", kind="latency", floor_label="the same pages, chart boxes empty",
               floor=floor, detail=detail)
    # the target is for a 20-page pack; rendering costs about the same per page
    result.add("FT pack, warm render per 20 pages", (warm - cold) * 20 / pages, "s",
               kind="latency", floor_label="the same, chart boxes empty",
               floor=floor * 20 / pages, target="value <= 5",
               detail=f"{code}'s {pages} pages scaled to 20")

ORDER = ("import", "append_floor", "executemany_floor", "rebuild", "queries", "spot_check",
         "ledger", "http", "pack_render")


def ordered(selected) -> list[str]:
    """The selected steps and those they need, in run order (registered extras last)."""
    wanted, stack = set(), list(selected)
    while stack:
        name = stack.pop()
        if name not in STEPS:
            raise KeyError(f"no step named '{name}' (one of {', '.join(STEPS)})")
        if name not in wanted:
            wanted.add(name)
            stack.extend(STEPS[name].needs)
    names = [n for n in ORDER if n in wanted]
    return names + sorted(wanted - set(names))
