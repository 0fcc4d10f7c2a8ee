"""Reporting periods: the valid time of a submission, kept apart from recorded time.

Labels: ``2018-12`` (a calendar month), ``2018-Q3`` (a calendar quarter) and
``2018/19`` (an NHS financial year, April to March). A period knows its first and
last day so submissions can be checked against an organisation's open dates, and
periods of one frequency sort chronologically.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, timedelta

_MONTHLY = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_QUARTERLY = re.compile(r"^([0-9]{4})-Q([1-4])$")
_ANNUAL = re.compile(r"^([0-9]{4})/([0-9]{2})$")
YEARS = range(1900, 9999)  # a period and the one after it must both be real dates


class PeriodError(ValueError):
    """A period label that cannot be read."""


@dataclass(frozen=True, order=True)
class Period:
    start: date
    frequency: str
    label: str

    @property
    def end(self) -> date:
        """The last day of the period."""
        return self.next().start - timedelta(days=1)

    def next(self) -> "Period":
        y, m = self.start.year, self.start.month
        months = {"monthly": 1, "quarterly": 3, "annual": 12}[self.frequency]
        m += months
        y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
        return period_starting(date(y, m, 1), self.frequency)

    def __str__(self) -> str:
        return self.label


@lru_cache(maxsize=4096)
def parse_period(label: str) -> Period:
    """Read a period label, raising PeriodError with a hint on the accepted forms.

    Periods are immutable, so the few thousand labels a registry holds are parsed once
    (projections and imports parse one per event)."""
    text = (label or "").strip()
    year_of = re.match(r"^[0-9]{4}", text)
    if year_of and int(year_of[0]) not in YEARS:
        raise PeriodError(f"'{label}' is not a period: the year must be between "
                          f"{YEARS.start} and {YEARS.stop - 1}")
    if m := _MONTHLY.match(text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return Period(date(year, month, 1), "monthly", text)
    elif m := _QUARTERLY.match(text):
        year, quarter = int(m[1]), int(m[2])
        return Period(date(year, 3 * quarter - 2, 1), "quarterly", text)
    elif m := _ANNUAL.match(text):
        year, following = int(m[1]), int(m[2])
        if (year + 1) % 100 == following:
            return Period(date(year, 4, 1), "annual", text)
    raise PeriodError(
        f"'{label}' is not a period: use YYYY-MM (monthly), YYYY-Qn (quarterly) "
        "or YYYY/YY (financial year, e.g. 2018/19)"
    )


def period_starting(start: date, frequency: str) -> Period:
    """The period of the given frequency that begins on ``start``."""
    if frequency == "monthly":
        return Period(start, frequency, f"{start.year:04d}-{start.month:02d}")
    if frequency == "quarterly":
        return Period(start, frequency, f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}")
    return Period(start, frequency, f"{start.year:04d}/{(start.year + 1) % 100:02d}")


def period_containing(day: date, frequency: str) -> Period:
    """The period of the given frequency that contains ``day``."""
    if frequency == "monthly":
        return period_starting(day.replace(day=1), frequency)
    if frequency == "quarterly":
        return period_starting(date(day.year, 3 * ((day.month - 1) // 3) + 1, 1), frequency)
    year = day.year if day.month >= 4 else day.year - 1
    return period_starting(date(year, 4, 1), frequency)
