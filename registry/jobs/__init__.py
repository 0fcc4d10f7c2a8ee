"""The registry's scheduled jobs: plain functions of the application and a clock.

Each job is ``job(app, now: datetime) -> JobResult`` (``registry.jobs.recording``): it
reads the read models it needs (caught up first), records what the clock warrants as
events with the scheduler as their actor, and is idempotent, so a scheduler may run it
as often as it likes, late, or in two processes at once. ``JOBS`` names them for the
scheduler (``scheduling``), which also keeps the projections caught up and the ledger
checkpointed, and draws the
FT applicants' evidence-pack charts ahead (``pack_charts``, which records nothing).
"""

from registry.jobs.contract_expiry import contract_expiry
from registry.jobs.ledger_checkpoint import ledger_checkpoint
from registry.jobs.milestone_slippage import milestone_slippage
from registry.jobs.overdue_submissions import overdue_submissions
from registry.jobs.pack_charts import pack_charts
from registry.jobs.projection_catch_up import projection_catch_up
from registry.jobs.recording import JobResult

JOBS = {
    "projection_catch_up": projection_catch_up,
    "ledger_checkpoint": ledger_checkpoint,
    "overdue_submissions": overdue_submissions,
    "contract_expiry": contract_expiry,
    "milestone_slippage": milestone_slippage,
    "pack_charts": pack_charts,
}

__all__ = ["JOBS", "JobResult", "contract_expiry", "ledger_checkpoint", "milestone_slippage",
           "overdue_submissions", "pack_charts", "projection_catch_up"]
