"""Overdue submissions: figures a provider is expected to submit and has not, by their deadline.

What is expected (decided for issue 7, and the only place it is decided):

- A provider is expected to report on a service line for every reporting period that
  overlaps a stretch of a contract under which it delivers that line. Stretches follow
  the contract's events (``projections.expectations``): award, novation to a new
  provider, variation of its service lines, extension and termination, each from its
  effective date. Several contracts for one line still expect one figure.
- On that line it is expected to report every indicator in the catalogue whose service
  lines, as in force for the period, include it (a revision of an indicator's service
  lines takes effect from its effective period), at the indicator's frequency.
  Indicators for ``all_services`` (e.g. workforce) are expected from every provider that
  delivers any line under a contract in the period.
- Only from the indicator's first collected period: the earliest period any provider has
  submitted for. An indicator nobody has reported yet is not collected yet, so adding one
  to the catalogue does not make every provider overdue for the years before it. A
  retired indicator is expected up to its last period only (none at all if it was
  retired without one).
- A figure is due ``grace`` days after its period's last day (``REGISTRY_SUBMISSION_GRACE_DAYS``,
  default 30) and overdue from the day after. A withdrawn submission no longer counts.

The notice is withdrawn by the first run after the figure arrives (or after it stops
being expected, e.g. a contract is found to have been terminated earlier), and reopened
if the figure is withdrawn.
"""

from datetime import date, datetime, timedelta

from projections.expectations import catalogue, deliveries, first_periods, submitted_cells
from registry.jobs.recording import JobResult, catch_up, day_of, record_notices
from registry.notice import OVERDUE_SUBMISSION, Subject
from registry.periods import Period, parse_period, period_containing

JOB = "overdue_submissions"
DEFAULT_GRACE_DAYS = 30
ALL_SERVICES = "all_services"


def overdue_submissions(app, now: datetime, grace_days: int | None = None) -> JobResult:
    day = day_of(now)
    grace = configured_grace(app) if grace_days is None else grace_days
    catch_up(app, "benchmarks", "notices")
    with app.read_side.store.reading() as cursor:
        expected = expected_cells(deliveries(cursor), catalogue(cursor), first_periods(cursor),
                                  closed_by=day - timedelta(days=grace + 1))
        since = min((cell[3].start for cell in expected), default=day)
        submitted = submitted_cells(cursor, since)
    warranted = {}
    for provider, indicator, line, period in expected:
        if (provider, indicator, line, period.label) not in submitted:
            subject = Subject(OVERDUE_SUBMISSION, provider, provider,
                              period.end + timedelta(days=grace), indicator=indicator,
                              service_line=line, period=period.label)
            warranted[subject.id] = subject

    def withdrawal(row: dict) -> tuple[str, str]:
        cell = (row["provider"], row["indicator"], row["service_line"], row["period"])
        if cell in submitted:
            return "submitted", f"{' '.join(cell)} was submitted"
        return "not_expected", f"{' '.join(cell)} is no longer expected"

    return record_notices(app, JOB, OVERDUE_SUBMISSION, warranted, day, withdrawal)


def configured_grace(app) -> int:
    return int(app.env.get("SUBMISSION_GRACE_DAYS") or DEFAULT_GRACE_DAYS)


def expected_cells(stretches: list[dict], indicators: dict[str, dict],
                   first: dict[str, date], closed_by: date) -> set[tuple]:
    """(provider, indicator, service line, period) of every figure expected for a period
    that ended on or before ``closed_by``."""
    terms = {code: _terms(ind) for code, ind in indicators.items() if code in first}
    cells = set()
    for stretch in stretches:
        for line in (stretch["service_line"], ALL_SERVICES):
            for code, (frequency, dated, last) in terms.items():
                if not any(line in lines for _, lines in dated):
                    continue
                start = max(stretch["start"], first[code])
                end = min(stretch["end"], closed_by)
                for period in _periods(start, end, frequency, closed_by):
                    if (last is None or period.start <= last) and \
                            line in _lines_at(dated, period.start):
                        cells.add((stretch["provider"], code, line, period))
    return cells


def _terms(indicator: dict) -> tuple[str, list, date | None]:
    """Frequency, [(first day or None, service lines)], last period's first day."""
    dated = [(parse_period(t["from"]).start if t["from"] else None, t["service_lines"])
             for t in indicator["terms"]]
    last = None
    if indicator["retired"]:
        last = parse_period(indicator["last_period"]).start if indicator["last_period"] \
            else date.min
    return indicator["frequency"], dated, last


def _lines_at(dated: list, start: date) -> list[str]:
    lines = []
    for effective, term_lines in dated:
        if effective is None or effective <= start:
            lines = term_lines
    return lines


def _periods(start: date, end: date, frequency: str, closed_by: date):
    """Periods of ``frequency`` overlapping [start, end] that ended by ``closed_by``."""
    if start > end:
        return
    period: Period = period_containing(start, frequency)
    while period.start <= end and period.end <= closed_by:
        yield period
        period = period.next()
