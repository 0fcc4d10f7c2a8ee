"""Spot checks: the queries' answers against figures worked out from the data set's files.

The benchmark times how fast the registry answers; this says whether the answers are
right. For a seeded sample of benchmark cells and SPC series, the rows are read from the
CSV files the import took, and the figures DOMAIN.md defines are worked out here with
SciPy and NumPy: not with the registry's statistics (``projections.stats``), its facts or
its read models, so a fault in any of them shows as a difference.

- a provider's value: proportions as a percentage, rates per the indicator's multiplier,
  means and counts as given;
- its 95% and 99.8% intervals: Wilson (``scipy.stats.binomtest``), Byar for rates with
  a count of 10 or more and exact Poisson (chi-square quantiles) below, Student's t
  (``scipy.stats.t.interval``);
- the national value (pooled: sums of numerators over denominators, means weighted by
  n, counts summed), the quartile bounds (PERCENTILE.INC, ``numpy.percentile``
  ``linear``, bounds rounded to 10 places as Fingertips does), each provider's quartile
  (1 = best), its competition rank (``scipy.stats.rankdata``, ``min``) and its
  comparison with the national value;
- an organisation's history: one submission event for each of its rows in the files,
  with the row's values and, as its provenance, the file's name and SHA-256 and the
  row's line, and no other submission event;
- an XmR chart's centre line, process limits and 2-sigma lines (moving ranges at or
  above 3.267 times their mean screened out), whether the limits are trial ones (fewer
  than 13 points) and that every point beyond the limits is flagged.

Funnel-plot limits are not re-derived here; ``tests/projections/stats`` checks them
against PHEindicatormethods' published values.
"""

import csv
import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import stats

LEVELS = (0.95, 0.998)
TOLERANCE = 1e-9
LIMIT_FACTOR = 2.66
SCREENING_FACTOR = 3.267
TRIAL_BELOW = 13
BOUND_DECIMALS = 10


# -- the data set's rows -------------------------------------------------------------------

def definitions(directory: Path) -> dict[str, dict]:
    """The indicators file's rows, by code."""
    with open(directory / "indicators.csv", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def _rows(path: Path) -> Iterable[dict]:
    with open(path, newline="") as handle:
        yield from csv.DictReader(handle)


def period_of(path: Path) -> str:
    """``submissions-2015-04-01.csv`` holds the rows of 2015-04."""
    return path.stem.split("-", 1)[1].rsplit("-", 1)[0]


def sample(files: list[Path], rng, count: int) -> tuple[list[tuple], list[tuple]]:
    """``count`` cells (indicator, service line, period) and ``count`` series (provider,
    indicator, service line), drawn from rows of the submission files."""
    cells, series = [], []
    for _ in range(count):
        rows = list(_rows(rng.choice(files)))
        row = rng.choice(rows)
        cells.append((row["indicator"], row["service_line"], row["period"]))
        row = rng.choice(rows)
        series.append((row["provider"], row["indicator"], row["service_line"]))
    return cells, series


@dataclass(frozen=True)
class Filed:
    """A submission row as filed: the file, its SHA-256 and the row's line."""

    file: str
    sha256: str
    line: int
    row: dict


def collect(files: list[Path], cells: Iterable[tuple], series: Iterable[tuple],
            providers: Iterable[str] = ()):
    """The rows of each cell, each series and each provider, read file by file (a
    series' and a provider's from every file; a cell's only from its period's). A
    provider's rows come as ``Filed``: with the file's name and SHA-256, and the row's
    line in the file (the header is line 1), as an import's provenance names them."""
    cells, series = set(cells), set(series)
    periods = {c[2] for c in cells}
    by_cell: dict[tuple, list[dict]] = {c: [] for c in cells}
    by_series: dict[tuple, list[dict]] = {s: [] for s in series}
    by_provider: dict[str, list[Filed]] = {p: [] for p in providers}
    for path in files:
        in_period = period_of(path) in periods
        if not in_period and not series and not by_provider:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if by_provider else None
        for line, row in enumerate(_rows(path), start=2):
            cell = (row["indicator"], row["service_line"], row["period"])
            if in_period and cell in by_cell:
                by_cell[cell].append(row)
            key = (row["provider"], row["indicator"], row["service_line"])
            if key in by_series:
                by_series[key].append(row)
            if row["provider"] in by_provider:
                by_provider[row["provider"]].append(Filed(path.name, digest, line, row))
    return by_cell, by_series, by_provider


# -- the figures, worked out -------------------------------------------------------------

def _z(level: float) -> float:
    return float(stats.norm.ppf(1 - (1 - level) / 2))


def _rate_interval(count: int, level: float) -> tuple[float, float]:
    if count >= 10:  # Byar
        z = _z(level)
        lower = count * (1 - 1 / (9 * count) - z / (3 * math.sqrt(count))) ** 3
        upper = (count + 1) * (1 - 1 / (9 * (count + 1)) + z / (3 * math.sqrt(count + 1))) ** 3
        return max(0.0, lower), upper
    alpha = 1 - level  # exact Poisson
    lower = 0.0 if count == 0 else float(stats.chi2.ppf(alpha / 2, 2 * count)) / 2
    return lower, float(stats.chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2


def value_of(row: dict, definition: dict) -> float:
    """A row's value on the reported scale: proportions as a percentage, rates per the
    indicator's multiplier, means and counts as given."""
    measure = definition["measure"]
    if measure == "proportion":
        return int(row["numerator"]) / int(row["denominator"]) * 100.0
    if measure == "rate":
        return int(row["numerator"]) / int(row["denominator"]) * float(
            definition["multiplier"] or 1)
    return float(row["value"])


def provider_figure(row: dict, definition: dict) -> dict:
    """One provider's value and its 95% and 99.8% intervals (None where there are none)."""
    measure, value = definition["measure"], value_of(row, definition)
    if measure in ("proportion", "rate"):
        num, den = int(row["numerator"]), int(row["denominator"])
        if measure == "proportion":
            test = stats.binomtest(num, den)
            cis = [tuple(100.0 * b for b in test.proportion_ci(lvl, method="wilson"))
                   for lvl in LEVELS]
        else:
            multiplier = float(definition["multiplier"] or 1)
            cis = [tuple(b / den * multiplier for b in _rate_interval(num, lvl))
                   for lvl in LEVELS]
        return {"value": value, "numerator": num, "denominator": den,
                "ci95": cis[0], "ci998": cis[1]}
    figure = {"value": value, "numerator": None, "denominator": None, "ci95": None,
              "ci998": None, "n": int(row["n"]) if row.get("n") else None}
    if measure == "mean" and figure["n"] and figure["n"] >= 2:
        n, sd = figure["n"], float(row["sd"])
        figure["ci95"], figure["ci998"] = (
            tuple(float(b) for b in stats.t.interval(lvl, n - 1, loc=value,
                                                     scale=sd / math.sqrt(n)))
            for lvl in LEVELS)
    return figure


def _national(figures: list[dict], measure: str, multiplier: float) -> float:
    if measure in ("proportion", "rate"):
        scale = 100.0 if measure == "proportion" else multiplier
        return (sum(f["numerator"] for f in figures) / sum(f["denominator"] for f in figures)
                * scale)
    if measure == "mean":
        return sum(f["value"] * f["n"] for f in figures) / sum(f["n"] for f in figures)
    return float(sum(f["value"] for f in figures))


def _comparison(value: float, national: float, ci95, ci998, polarity: str) -> str:
    """Fingertips: where the national value lies against the provider's intervals."""
    if ci95 is None:
        return "not_compared"

    def side(interval):
        return 1 if national < interval[0] else -1 if national > interval[1] else 0
    if side(ci95) == 0:
        return "similar"
    words = {"higher": ("better", "worse"), "lower": ("worse", "better")}.get(
        polarity, ("higher", "lower"))
    word = words[0] if side(ci95) > 0 else words[1]
    return f"{word}_{'998' if side(ci998) != 0 else '95'}"


def expected_benchmark(rows: list[dict], definition: dict) -> dict:
    """A cell's benchmark among all its providers, as DOMAIN.md defines it."""
    measure, polarity = definition["measure"], definition["polarity"]
    figures = {row["provider"]: provider_figure(row, definition) for row in rows}
    codes = sorted(figures)
    values = np.array([figures[c]["value"] for c in codes])
    national = _national([figures[c] for c in codes], measure,
                         float(definition["multiplier"] or 1)) if codes else None
    bounds = None
    if len(codes) >= 4:
        cuts = np.percentile(values, [25, 50, 75], method="linear")
        bounds = [float(values.min()), *(round(float(c), BOUND_DECIMALS) for c in cuts),
                  float(values.max())]
    ranks = stats.rankdata(-values if polarity != "lower" else values, method="min")
    providers = {}
    for code, rank in zip(codes, ranks):
        f = figures[code]
        quartile = None
        if bounds is not None:
            lowest_first = int(np.searchsorted(bounds[1:], f["value"], side="left")) + 1
            quartile = 5 - lowest_first if polarity == "higher" else lowest_first
        providers[code] = {**f, "rank": int(rank), "quartile": quartile,
                           "comparison": _comparison(f["value"], national, f["ci95"],
                                                     f["ci998"], polarity)}
    return {"national": national, "providers": providers,
            "summary": dict(zip(("minimum", "q1", "median", "q3", "maximum"),
                                bounds or [None] * 5)) | {"providers": len(codes)}}


def expected_chart(rows: list[dict], definition: dict) -> dict:
    """An XmR chart over all the series' points ("Making Data Count")."""
    ordered = sorted(rows, key=lambda r: r["period"])
    values = np.array([value_of(r, definition) for r in ordered])
    chart = {"periods": [r["period"] for r in ordered], "values": values.tolist(),
             "mean": float(values.mean()), "trial_limits": len(values) < TRIAL_BELOW,
             "lpl": None, "upl": None, "lower_2sigma": None, "upper_2sigma": None}
    ranges = np.abs(np.diff(values))
    if len(ranges):
        if ranges.mean() > 0:
            ranges = ranges[ranges < SCREENING_FACTOR * ranges.mean()]
        average = float(ranges.mean())
        chart.update(lpl=chart["mean"] - LIMIT_FACTOR * average,
                     upl=chart["mean"] + LIMIT_FACTOR * average,
                     lower_2sigma=chart["mean"] - 2 / 3 * LIMIT_FACTOR * average,
                     upper_2sigma=chart["mean"] + 2 / 3 * LIMIT_FACTOR * average)
    return chart


# -- comparing -----------------------------------------------------------------------------

def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))
                and len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b)))
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def benchmark_differences(answer: dict | None, expected: dict) -> list[str]:
    """What the benchmark query answered that the worked-out figures do not say."""
    if answer is None:
        return ["no answer"]
    found = []
    if not _close(answer["national"]["value"], expected["national"]):
        found.append(f"national value {answer['national']['value']!r}, "
                     f"expected {expected['national']!r}")
    for key, value in expected["summary"].items():
        if not _close(answer["summary"][key], value):
            found.append(f"{key} {answer['summary'][key]!r}, expected {value!r}")
    answered = {p["code"]: p for p in answer["providers"]}
    if set(answered) != set(expected["providers"]):
        found.append(f"providers {sorted(answered)}, expected {sorted(expected['providers'])}")
    for code in sorted(set(answered) & set(expected["providers"])):
        got, want = answered[code], expected["providers"][code]
        for key in ("value", "ci95", "ci998", "rank", "quartile", "comparison"):
            if not _close(got[key], want[key]):
                found.append(f"{code} {key} {got[key]!r}, expected {want[key]!r}")
    return found


def chart_differences(answer: dict | None, expected: dict) -> list[str]:
    """What the SPC query answered that the worked-out chart does not say."""
    if answer is None:
        return ["no answer"]
    found = []
    periods = [p["period"] for p in answer["points"]]
    if periods != expected["periods"]:
        return [f"periods {periods[:3]}..., expected {expected['periods'][:3]}..."]
    if not _close([p["value"] for p in answer["points"]], expected["values"]):
        found.append("the plotted values differ")
    for key in ("mean", "lpl", "upl", "trial_limits"):
        if not _close(answer[key], expected[key]):
            found.append(f"{key} {answer[key]!r}, expected {expected[key]!r}")
    for point in answer["points"]:
        for key in ("mean", "lpl", "upl", "lower_2sigma", "upper_2sigma"):
            if not _close(point[key], expected[key]):
                found.append(f"{point['period']} {key} {point[key]!r}, "
                             f"expected {expected[key]!r}")
                break
        beyond = expected["lpl"] is not None and not (
            expected["lpl"] <= point["value"] <= expected["upl"])
        if beyond and not point["special_cause"]:
            found.append(f"{point['period']} lies beyond the limits but is not flagged")
    return found


VALUES = ("numerator", "denominator", "value", "sd", "n")


def history_differences(records: list[dict] | None, filed: list[Filed],
                        channel: str = "import") -> list[str]:
    """What the history query answered of an organisation's submissions that its rows in
    the files do not say."""
    if records is None:
        return ["no answer"]
    by_source: dict[tuple, list[dict]] = {}
    for record in records:
        if record["aggregate"] == "Submission":
            source = record["provenance"].get("source") or {}
            by_source.setdefault((source.get("file"), source.get("row")), []).append(record)
    found = []
    for item in filed:
        records_of_row = by_source.pop((item.file, item.line), [])
        if len(records_of_row) != 1:
            found.append(f"{item.file} line {item.line}: {len(records_of_row)} events")
            continue
        record = records_of_row[0]
        provenance, data = record["provenance"], record["data"]
        if provenance["source"].get("sha256") != item.sha256:
            found.append(f"{item.file} line {item.line}: file SHA-256 "
                         f"{provenance['source'].get('sha256')!r}, expected {item.sha256!r}")
        if provenance.get("channel") != channel:
            found.append(f"{item.file} line {item.line}: channel {provenance.get('channel')!r}")
        for key in ("provider", "indicator", "service_line", "period"):
            if data.get(key) != item.row[key]:
                found.append(f"{item.file} line {item.line}: {key} {data.get(key)!r}, "
                             f"expected {item.row[key]!r}")
        values = data.get("values") or {}
        for key in VALUES:
            if item.row.get(key) and not _close(
                    None if values.get(key) is None else float(values[key]),
                    float(item.row[key])):
                found.append(f"{item.file} line {item.line}: {key} {values.get(key)!r}, "
                             f"expected {item.row[key]}")
    extra = sum(len(v) for v in by_source.values())
    if extra:
        found.append(f"{extra} submission events from no row of the files")
    return found
