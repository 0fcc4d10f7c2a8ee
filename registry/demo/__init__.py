"""The demo data set: real organisations and walk-in centre figures, simulated returns
for the other indicators, and the life of a registry around them (mergers, transfers,
contracts, the FT pipeline, restatements, withdrawals and data queries).

    from registry.demo import load_demo
    summary = load_demo(app, Actor("admin", "X24", "admin"), progress=print_step)

Everything goes through the application's commands or ``registry.imports.import_csv``;
bulk data arrives as CSV files (committed under ``data/`` or generated in memory, at
most a few thousand rows each) so that provenance records a file name and SHA-256.
Simulated values are reproducible (``random.Random(2016)``). ``load_demo`` does not
check that the registry is empty; the command-line interface does.
"""

import time
from contextlib import contextmanager

from registry.demo import (catalogue, contracts, generated, lineage, organisations, pipeline,
                           scenarios, users, walk_in)
from registry.demo.run import DemoRun, DemoSummary
from registry.provenance import Actor

__all__ = ["DemoSummary", "load_demo"]


def load_demo(app, actor: Actor, progress=None) -> DemoSummary:
    """Load the demo into ``app`` as ``actor`` (an administrator).

    ``progress(step_name, done, total)`` is called as each step proceeds.
    """
    started, first = time.monotonic(), _last_event(app)
    run = DemoRun(app, actor, progress)
    with _read_models_once(run):
        _load(run)
    summary = run.summary
    summary.events = (_last_event(app) or 0) - (first or 0)
    summary.seconds = time.monotonic() - started
    return summary


def _load(run: DemoRun) -> None:
    catalogue.load(run)
    organisations.load(run)
    users.load(run)
    contracts.award(run)        # before the mergers: RW3 and RM2 hold contracts
    lineage.load(run)           # mergers, transfers, closures: before any submission
    contracts.manage(run)
    walk_in.load(run)
    rows = generated.generate(run.rng)
    plan = scenarios.plan(run, rows)
    late = {scenarios.key(row) for row in plan.late}
    run.import_files("submissions", "submissions",
                     generated.files([r for r in rows if scenarios.key(r) not in late]))
    scenarios.submit_late(run, plan.late)
    scenarios.restate(run, plan.restated)
    scenarios.withdraw(run, plan.withdrawn)
    touched = {scenarios.key(r) for r in plan.restated + plan.withdrawn} | late
    scenarios.query(run, rows, touched)
    pipeline.load(run)


@contextmanager
def _read_models_once(run: DemoRun):
    """With inline projections configured, bring the read models up to date once, at the
    end, rather than after each of the demo's commands and imports (the projections
    follow the event log, so the result is the same)."""
    app, hooks = run.app, getattr(run.app, "saved_hooks", None)
    if not hooks:
        yield
        return
    app.saved_hooks = []
    try:
        yield
    finally:
        app.saved_hooks = hooks
        started = time.monotonic()
        run.progress("read models", 0, 1)
        for hook in hooks:
            hook()
        run.progress("read models", 1, 1)
        run.summary.read_model_seconds = time.monotonic() - started


def _last_event(app) -> int | None:
    return app.recorder.max_notification_id()
