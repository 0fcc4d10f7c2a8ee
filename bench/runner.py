"""One benchmark run: generate the data once, then on each engine run every step in its
own forked process (so each step's peak memory is its own), collect the results and
write the report.

PostgreSQL: given a server URL, the run creates a database ``bench_<random>`` for the
registry (public schema) and its floors (schema ``floor``) and drops it afterwards; given
a URL with ``?schema=S`` (as the tests do), it uses schemas ``S`` and ``S_floor`` in that
database and drops them afterwards.
"""

import json
import multiprocessing
import shutil
import sys
import tempfile
import time
import traceback
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench import data as datagen
from bench import space
from bench.figures import StepResult
from bench.machine import load, machine, versions
from bench.memory import own_mb
from bench.scale import Scale
from bench.steps import STEPS, StepContext, ordered, run_step

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Options:
    engines: list[str]
    scale: Scale
    steps: list[str] | None = None
    postgres_url: str = DEFAULT_POSTGRES
    samples: int | None = None
    http_seconds: float = 20.0
    http_clients: int = 16
    work_dir: Path | None = None
    keep: bool = False
    command: str = "registry bench"


@dataclass
class Run:
    options: Options
    started: str = ""
    seconds: float = 0.0
    machine: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    dataset: dict = field(default_factory=dict)
    steps: list[str] = field(default_factory=list)
    results: dict[str, list[StepResult]] = field(default_factory=dict)
    load_after: str = ""

    def failures(self) -> list[str]:
        return [f"{engine}/{r.name}" for engine, results in self.results.items()
                for r in results if any(n.startswith("failed") for n in r.notes)]


def run(options: Options, echo=None) -> Run:
    echo = echo or (lambda line: print(line, file=sys.stderr, flush=True))
    names = ordered(options.steps or list(STEPS))
    result = Run(options, started=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                 machine=machine(), steps=names)
    own_work = options.work_dir is None
    work = Path(options.work_dir or tempfile.mkdtemp(prefix="registry-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        echo(f"bench: {options.scale.describe()}")
        space.check(options.scale, options.engines, names, work, options.postgres_url)
        echo(f"bench: generating the data set under {work / 'data'}")
        dataset = datagen.generate(options.scale, work / "data")
        result.dataset = {"submissions": dataset.submissions, "series": dataset.series,
                          "providers": dataset.providers,
                          "files": len(dataset.submission_files)}
        echo(f"bench: {dataset.submissions:,} submissions in "
             f"{len(dataset.submission_files):,} files, {dataset.series:,} series")
        pg_kwargs = None
        for engine in options.engines:
            with _store(engine, options.postgres_url, work / engine) as (url, floor_url):
                if engine == "postgres":
                    pg_kwargs = _kwargs(options.postgres_url)
                ctx = StepContext(engine=engine, database_url=url, floor_url=floor_url,
                                  work=work / engine, data=dataset,
                                  samples=options.samples or _default_samples(options.scale),
                                  http_seconds=options.http_seconds,
                                  http_clients=options.http_clients)
                result.results[engine] = link_floors(_run_engine(ctx, names, echo))
        result.versions = versions(pg_kwargs)
    finally:
        result.seconds = time.perf_counter() - started
        result.load_after = load()
        if own_work and not options.keep:
            shutil.rmtree(work, ignore_errors=True)
    return result


def _default_samples(scale: Scale) -> int:
    return 20 if scale.providers < 50 else 200


def _run_engine(ctx: StepContext, names: list[str], echo) -> list[StepResult]:
    ctx.work.mkdir(parents=True, exist_ok=True)
    results = []
    for number, name in enumerate(names, start=1):
        spec = STEPS[name]
        echo(f"[{ctx.engine}] step {number}/{len(names)}: {spec.title} ({name})")
        started = time.perf_counter()
        step = _in_child(spec, ctx) if not spec.placeholder else run_step(spec, ctx)
        step.seconds = time.perf_counter() - started
        results.append(step)
        summary = "; ".join(n for n in step.notes if n.startswith(("failed", "not measured")))
        echo(f"[{ctx.engine}] {name}: {step.seconds:.1f} s, peak RSS {step.rss_peak_mb:.0f} MB"
             + (f" - {summary.splitlines()[0]}" if summary else ""))
        for note in step.notes:
            if note.startswith("failed"):
                echo(note)
    return results


def link_floors(results: list[StepResult]) -> list[StepResult]:
    """The import measured against the floors that other steps (processes) measured."""
    by_name = {r.name: r for r in results if r.figures}
    imported, append, raw = (by_name.get(n) for n in ("import", "append_floor",
                                                       "executemany_floor"))
    if imported:
        figure = imported.figures[0]
        if append:
            figure.floor_label = "raw eventsourcing append"
            figure.floor = append.figures[0].value
            figure.target = "ratio >= 0.5"
        if raw:
            imported.add("bulk import against the raw executemany", figure.value, figure.unit,
                         floor_label="raw executemany", floor=raw.figures[0].value)
    if append and raw:
        append.figures[0].floor_label = "raw executemany"
        append.figures[0].floor = raw.figures[0].value
    return results


def _in_child(spec, ctx: StepContext) -> StepResult:
    """Run one step in a forked process; its result comes back as JSON through a pipe."""
    fork = multiprocessing.get_context("fork")
    receive, send = fork.Pipe(duplex=False)
    process = fork.Process(target=_child, args=(spec.name, ctx, send), daemon=False)
    process.start()
    send.close()
    try:
        payload = receive.recv()
    except EOFError:
        payload = None
    finally:
        receive.close()
        process.join()
    if payload is None:
        failed = StepResult(spec.name, ctx.engine)
        failed.notes.append(f"failed: the step's process exited with {process.exitcode}")
        return failed
    return StepResult.from_dict(json.loads(payload))


def _child(name: str, ctx: StepContext, send) -> None:
    ctx.progress = Ticker(ctx.engine)
    start_mb = own_mb("VmRSS")
    try:
        result = run_step(STEPS[name], ctx)
    except BaseException:  # reported, not raised: the run goes on to the next step
        result = StepResult(name, ctx.engine)
        result.notes.append("failed: " + traceback.format_exc().strip())
    result.rss_start_mb = start_mb
    result.rss_peak_mb = own_mb("VmHWM")
    send.send(json.dumps(result.as_dict()))
    send.close()


class Ticker:
    """Progress lines on stderr, at most one every two seconds per label, with the rate."""

    def __init__(self, engine: str, every: float = 2.0):
        self.engine, self.every = engine, every
        self.first: dict[str, tuple[float, int]] = {}
        self.last: dict[str, float] = {}

    def __call__(self, label: str, done: int, total: int | None, unit: str) -> None:
        now = time.monotonic()
        first = self.first.setdefault(label, (now, 0))
        if now - self.last.get(label, first[0]) < self.every and done != total:
            return
        self.last[label] = now
        elapsed = now - first[0]
        speed = f", {done / elapsed:,.0f} {unit}/s" if elapsed > 0 else ""
        of = f" / {total:,}" if total else ""
        print(f"  [{self.engine}] {label}: {done:,}{of} {unit}{speed}", file=sys.stderr,
              flush=True)


class _store:
    """The registry's and the floors' store on one engine, removed afterwards."""

    def __init__(self, engine: str, postgres_url: str, work: Path):
        self.engine, self.server, self.work = engine, postgres_url, work
        self.drop = None

    def __enter__(self):
        self.work.mkdir(parents=True, exist_ok=True)
        if self.engine == "sqlite":
            return f"sqlite:///{self.work / 'registry.db'}", ""
        parts = urlsplit(self.server)
        schema = parse_qs(parts.query).get("schema", [None])[0]
        if schema:
            floor = f"{schema}_floor"
            base = urlunsplit(parts._replace(query=""))
            self.drop = ("schemas", base, (schema, floor))
            return f"{base}?schema={schema}", f"{base}?schema={floor}"
        name = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.server, autocommit=True, connect_timeout=5) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.drop = ("database", self.server, (name,))
        base = urlunsplit(parts._replace(path=f"/{name}", query=""))
        return base, f"{base}?schema=floor"

    def __exit__(self, *exc):
        if self.drop is None:
            return
        kind, url, names = self.drop
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            for name in names:
                if kind == "schemas":
                    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                        sql.Identifier(name)))
                else:
                    conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(name)))


def _kwargs(url: str) -> dict:
    parts = urlsplit(url)
    return {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432,
            "user": parts.username or "postgres", "password": parts.password,
            "dbname": parts.path.strip("/") or "postgres", "connect_timeout": 5}


def save_json(run_: Run, path: Path) -> None:
    path.write_text(json.dumps({
        "command": run_.options.command, "started": run_.started, "seconds": run_.seconds,
        "machine": run_.machine, "versions": run_.versions, "dataset": run_.dataset,
        "scale": run_.options.scale.__dict__, "load_after": run_.load_after,
        "engines": run_.options.engines, "steps": run_.steps,
        "results": {e: [r.as_dict() for r in rs] for e, rs in run_.results.items()}},
        indent=1))


def load_json(path: Path) -> Run:
    """A run saved by ``save_json``, to write its report again."""
    data = json.loads(path.read_text())
    options = Options(engines=data.get("engines") or list(data["results"]),
                      scale=Scale(**data["scale"]), command=data["command"])
    return Run(options, started=data["started"], seconds=data["seconds"],
               machine=data["machine"], versions=data["versions"], dataset=data["dataset"],
               steps=data.get("steps", []), load_after=data.get("load_after", ""),
               results={e: [StepResult.from_dict(r) for r in rs]
                        for e, rs in data["results"].items()})
