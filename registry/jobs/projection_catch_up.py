"""Projection catch-up: every read model brought up to the end of the event log.

Needed where projections are not inline (PostgreSQL by default), so that pages and the
API stay current although nobody runs ``registry projections follow``. With inline
projections the registry catches up after every command itself, and this job does
nothing. A projection that fails stops at the failing event and the run fails with it
(the others have caught up: ``registry projections status`` shows where it stopped).
"""

from datetime import datetime

from projections.engine import ProjectionFailed
from registry.jobs.recording import JobResult

JOB = "projection_catch_up"


def projection_catch_up(app, now: datetime) -> JobResult:
    if app.env.get("INLINE_PROJECTIONS") == "on":
        return JobResult(JOB, 0, 0, "projections are inline: nothing to do")
    applied, failures = {}, []
    for name in app.read_side.projections:
        try:
            applied[name] = app.read_side.catch_up(name)[name]
        except ProjectionFailed as failure:
            failures.append(failure)
    if failures:
        raise failures[0]
    moved = {name: count for name, count in applied.items() if count}
    detail = ", ".join(f"{name} {count}" for name, count in moved.items()) or "none behind"
    return JobResult(JOB, sum(moved.values()), 0,
                     f"{JOB}: {sum(moved.values())} events applied ({detail})")
