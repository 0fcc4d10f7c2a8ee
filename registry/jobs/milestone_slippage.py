"""FT milestone slippage: a notice when a milestone's target date passes without it being
achieved.

Read from the FT pipeline board (each provider's latest application). A notice is
warranted, for an application in progress, from the day after a milestone's current
target while it is not achieved; it is one notice per application, milestone and
target date, so a milestone moved to a new target that also passes gets a new notice.
A notice is withdrawn when its milestone is achieved, when its target is moved, or when
the application stops being in progress (deferred, authorised, rejected, withdrawn); a
deferred application that resumes with the target still passed reopens it.
"""

from datetime import date, datetime

from projections.pipeline import pipeline_board
from registry.jobs.recording import JobResult, catch_up, day_of, record_notices
from registry.notice import MILESTONE_SLIPPED, Subject

JOB = "milestone_slippage"


def milestone_slippage(app, now: datetime) -> JobResult:
    day = day_of(now)
    catch_up(app, "pipeline", "notices")
    board = {(a["provider"], a["attempt"]): a
             for a in pipeline_board(app.read_side.store, today=day)}
    warranted = {}
    for application in board.values():
        for milestone in application["milestones"]:
            if milestone["overdue"]:
                subject = Subject(MILESTONE_SLIPPED, application["provider"],
                                  application["provider"],
                                  date.fromisoformat(milestone["target"]),
                                  attempt=application["attempt"], milestone=milestone["code"])
                warranted[subject.id] = subject

    def withdrawal(row: dict) -> tuple[str, str]:
        what = f"{row['provider']}'s milestone {row['milestone']}"
        application = board.get((row["provider"], row["attempt"]))
        if application is None or application["status"] != "in_progress":
            status = application["status"] if application else "superseded"
            return "not_in_progress", f"the application of {row['provider']} is {status}"
        milestone = next(m for m in application["milestones"] if m["code"] == row["milestone"])
        if milestone["achieved"]:
            return "achieved", f"{what} was achieved on {milestone['achieved']}"
        if milestone["target"] == row["due"]:
            return "not_due", f"{what} is not due until {milestone['target']}"
        return "retargeted", f"{what} is now due on {milestone['target']}"

    return record_notices(app, JOB, MILESTONE_SLIPPED, warranted, day, withdrawal)
