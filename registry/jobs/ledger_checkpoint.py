"""Ledger checkpoint: the Merkle tree over the event log signed as it stands, hourly by
default, so that every event is soon covered by a signed checkpoint a proof can use.

Nothing is signed when nothing was recorded since the latest checkpoint (apart from
that checkpoint itself), so the job may run as often as it likes. The checkpoint is
signed at the real time, whatever the job's clock says: its signing time is a fact
about the signature, not about the scheduler's day.
"""

from datetime import datetime

from ledger.service import system_provenance
from registry.jobs.recording import JobResult

JOB = "ledger_checkpoint"


def ledger_checkpoint(app, now: datetime) -> JobResult:
    taken = app.ledger.checkpoint(system_provenance("scheduler", "scheduled checkpoint"))
    if taken is None:
        return JobResult(JOB, 0, 0, f"{JOB}: nothing new to sign")
    return JobResult(JOB, 1, 0, f"{JOB}: signed {taken['tree_size']} leaves, root "
                                f"{taken['root_hash'][:16]}…")
