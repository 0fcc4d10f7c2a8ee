"""Reading back what the jobs recorded: the clock's moments and the notice events stored."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from projections.eventlog import read_events


def at(day: str | date, hour: int = 6) -> datetime:
    """The scheduler's clock on a day (06:00 UTC)."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(day, time(hour), tzinfo=UTC)


def days(first: str, last: str, step: int = 1):
    day, end = date.fromisoformat(first), date.fromisoformat(last)
    while day <= end:
        yield day
        day += timedelta(days=step)


def notice_events(app, event_type: str | None = None) -> list:
    return [e for e in read_events(app) if e.aggregate_type == "Notice"
            and (event_type is None or e.event_type == event_type)]


def raised_per_notice(app) -> Counter:
    """How many times each notice was raised (never more than once, by its id)."""
    return Counter(e.aggregate_id for e in notice_events(app, "Raised"))


def subjects(app, event_type: str = "Raised") -> list[tuple]:
    """The subject of each notice event of a type, in recorded order."""
    fields = ("kind", "provider", "indicator", "service_line", "period", "contract",
              "months_before", "milestone", "due")
    raised = {e.aggregate_id: e.data for e in notice_events(app, "Raised")}
    return [tuple(str(v) for v in (raised[e.aggregate_id][f] for f in fields)
                  if v is not None)
            for e in notice_events(app, event_type)]
