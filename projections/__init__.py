"""Read models rebuilt from the registry's event log, and the engine that runs them.

The read models are imported when first asked for (``from projections import Audit``),
not with the package: a worker process (``python -m projections.readahead``,
``ledger.prefetch``) imports only what it runs, not the statistics behind benchmarks
(SciPy: 1.4 of the package's 1.9 s to import).
"""

from importlib import import_module

_EXPORTS = {"Audit": "projections.audit", "Benchmarks": "projections.benchmarks",
            "Contracts": "projections.contracts", "Runner": "projections.engine",
            "Histories": "projections.histories", "Ledger": "projections.ledger",
            "Notices": "projections.notices", "Pipeline": "projections.pipeline",
            "SpcCharts": "projections.spc_charts", "ReadStore": "projections.store"}


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'projections' has no attribute '{name}'")
    return getattr(import_module(module), name)


def all_projections(ledger_key=None) -> list:
    from projections.audit import Audit
    from projections.benchmarks import Benchmarks
    from projections.contracts import Contracts
    from projections.histories import Histories
    from projections.ledger import Ledger
    from projections.notices import Notices
    from projections.pipeline import Pipeline
    from projections.spc_charts import SpcCharts
    return [Histories(), Benchmarks(), SpcCharts(), Audit(), Contracts(), Pipeline(),
            Notices(), Ledger(ledger_key)]


def open_runner(app):
    """The runner of every read model over ``app``'s log (a ``Runner``)."""
    from projections.engine import Runner
    from projections.store import ReadStore
    key = getattr(app.factory, "ledger_key", None)
    return Runner(app, ReadStore(app), all_projections(key))
