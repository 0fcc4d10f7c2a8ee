"""Read models rebuilt from the registry's event log, and the engine that runs them."""

from projections.audit import Audit
from projections.benchmarks import Benchmarks
from projections.contracts import Contracts
from projections.engine import Runner
from projections.histories import Histories
from projections.ledger import Ledger
from projections.notices import Notices
from projections.pipeline import Pipeline
from projections.spc_charts import SpcCharts
from projections.store import ReadStore


def all_projections(ledger_key=None) -> list:
    return [Histories(), Benchmarks(), SpcCharts(), Audit(), Contracts(), Pipeline(),
            Notices(), Ledger(ledger_key)]


def open_runner(app) -> Runner:
    key = getattr(app.factory, "ledger_key", None)
    return Runner(app, ReadStore(app), all_projections(key))
