"""Simulated submissions for every indicator but the walk-in centres' (real data).

For each (provider, indicator, service line) a series: the national centre, plus a
provider effect (a standing shared across indicators and one of its own), plus the
national trend, a step change in some series (so SPC charts have something to
find), seasonality in monthly volumes, and sampling noise (binomial numerators,
Poisson counts, the sampling error of a mean). Reproducible from one seeded RNG.
"""

import math
from datetime import date

from registry.demo import roster
from registry.demo.catalogue import (DEFAULT_RANGE, PAIRED, RANGES, STORIES, WALK_IN, Model,
                                     indicators, model)
from registry.demo.run import csv_bytes
from registry.imports.submissions import COLUMNS
from registry.periods import Period, period_starting

SHIFT_CHANCE = 0.15


def generate(rng) -> list[dict]:
    """Every simulated cell as a submissions row (plus its ``measure``), in a fixed order."""
    standing = {code: roster.STANDING.get(code, rng.gauss(0, 1)) for code in roster.SERVICES}
    sizes = {code: roster.SIZES.get(code) or _size(rng, code) for code in roster.SERVICES}
    own_effects: dict[tuple[str, str, str], float] = {}
    rows: list[dict] = []
    for ind in indicators():
        code = ind["code"]
        if code == WALK_IN or code in PAIRED:
            continue
        periods = _periods(ind["frequency"], *RANGES.get(code, DEFAULT_RANGE))
        sign = -1 if ind["polarity"] == "lower" else 1
        for line in ind["service_lines"].split(";"):
            m = model(code, line)
            for provider in roster.providers_of(line):
                start, end = roster.window(provider, line)
                cells = [p for p in periods if p.start >= start and p.end < end]
                if not cells:
                    continue
                owner = roster.CONTINUES.get((provider, line), provider)
                if (owner, code, line) not in own_effects:
                    own_effects[(owner, code, line)] = rng.gauss(0, 1)
                effect = sign * m.spread * (0.55 * standing[owner]
                                            + 0.83 * own_effects[(owner, code, line)])
                shifts = _shifts(rng, m, cells, STORIES.get((provider, code, line)))
                for period, shift in zip(cells, shifts):
                    rows += _cells(rng, m, ind, provider, line, period,
                                   effect + shift, sizes[provider], periods[0].start)
    return rows


def files(rows: list[dict]) -> list[tuple[str, bytes]]:
    """One file per indicator and financial year, e.g. demo-submissions-PU1000-2017-18.csv."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(f"demo-submissions-{row['indicator']}-{fy(row['period'])}.csv",
                          []).append(row)
    return [(name, csv_bytes(COLUMNS, group)) for name, group in groups.items()]


def fy(label: str) -> str:
    """The financial year of a monthly or quarterly label, or of an annual one: 2016-17."""
    if "/" in label:
        return label.replace("/", "-")
    year, month = int(label[:4]), (int(label[-1]) * 3 - 2 if "Q" in label else int(label[5:]))
    first = year if month >= 4 else year - 1
    return f"{first}-{(first + 1) % 100:02d}"


def _periods(frequency: str, first: date, after: date) -> list[Period]:
    periods, period = [], period_starting(first, frequency)
    while period.start < after:
        periods.append(period)
        period = period.next()
    return periods


def _size(rng, code: str) -> float:
    scale = 0.6 if code in roster.ARMS else 1.0
    return scale * math.exp(rng.gauss(0, 0.35))


def _shifts(rng, m: Model, cells: list[Period], story) -> list[float]:
    """The step change in each period: a scripted story, a random shift, or none."""
    if story is not None:
        first, size, _ = story
        return [size if p.start >= first else 0.0 for p in cells]
    if len(cells) < 8 or rng.random() > SHIFT_CHANCE:
        return [0.0] * len(cells)
    at = rng.randrange(len(cells) // 3, 2 * len(cells) // 3)
    size = rng.choice((-1, 1)) * (rng.uniform(0.35, 0.7) if m.kind in ("binomial", "fft")
                                  else rng.uniform(0.2, 0.4))
    return [size if i >= at else 0.0 for i in range(len(cells))]


def _cells(rng, m: Model, ind: dict, provider: str, line: str, period: Period,
           effect: float, size: float, origin: date) -> list[dict]:
    years = (period.start - origin).days / 365.25
    season = 1.0
    if ind["frequency"] == "monthly":
        season = 1 + 0.08 * math.cos(2 * math.pi * (period.start.month - 1) / 12)
    base = _logit(m.centre) if m.kind in ("binomial", "fft") else math.log(m.centre)
    x = base + effect + m.trend * years + rng.gauss(0, m.noise)
    cell = {"provider": provider, "indicator": ind["code"], "service_line": line,
            "period": period.label, "measure": ind["measure"]}
    volume = m.volume * size * season * math.exp(rng.gauss(0, 0.08))
    if m.kind == "binomial":
        den = max(1, round(volume))
        return [dict(cell, numerator=binomial(rng, den, _expit(x)), denominator=den)]
    if m.kind == "poisson":
        den = max(1, round(volume / season))
        rate = math.exp(x) * season  # more pressure damage in winter
        return [dict(cell, numerator=poisson(rng, den * rate / 1000), denominator=den)]
    if m.kind == "mean":
        n = max(2, poisson(rng, volume))
        mu, sd = math.exp(x), math.exp(x) * rng.uniform(0.75, 1.05)
        value = max(0.5, rng.gauss(mu, sd / math.sqrt(n)))
        return [dict(cell, value=f"{value:.1f}", sd=f"{sd:.1f}", n=n)]
    if m.kind == "median":
        n = max(1, poisson(rng, volume))
        return [dict(cell, value=max(1, round(rng.gauss(math.exp(x), 0.1 * math.exp(x)))),
                     n=n)]
    if m.kind == "count":
        return [dict(cell, value=poisson(rng, math.exp(x) * size))]
    return _fft(rng, cell, volume, x)


def _fft(rng, cell: dict, volume: float, x: float) -> list[dict]:
    """Positive and negative shares from the same responses; under 5 responses suppressed."""
    responses = round(volume * math.exp(rng.gauss(0, 0.15)))
    if rng.random() < 0.01:
        responses = rng.randint(0, 6)  # a month the survey barely ran
    if responses < 5:
        return []
    positive = binomial(rng, responses, _expit(x))
    negative = binomial(rng, responses - positive, 0.4)
    return [dict(cell, numerator=positive, denominator=responses),
            dict(cell, indicator="FFTNEG", numerator=negative, denominator=responses)]


def binomial(rng, n: int, p: float) -> int:
    if n < 60:
        return sum(rng.random() < p for _ in range(n))
    draw = round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))
    return min(n, max(0, draw))


def poisson(rng, lam: float) -> int:
    if lam < 30:
        limit, k, product = math.exp(-lam), 0, rng.random()
        while product > limit:
            k, product = k + 1, product * rng.random()
        return k
    return max(0, round(rng.gauss(lam, math.sqrt(lam))))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))
