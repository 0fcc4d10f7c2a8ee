"""Histories: every event that concerns an organisation, in recorded order.

Computed from the log directly, so it can answer "as known at" any recorded time.
"""

from datetime import datetime

from projections.concerns import Subjects
from projections.eventlog import read_events


def history(app, code: str, as_of: datetime | None = None) -> list[dict]:
    code = code.upper()
    subjects, found = Subjects(), []
    for logged in read_events(app):
        concerned = subjects.concerned(logged)
        if code in concerned and (as_of is None or logged.recorded_at <= as_of):
            found.append(logged.as_dict())
    return found
