"""Confidence intervals for proportions, rates and means.

The methods are those of England's public-health indicators (PHE/OHID
"Technical Guide: Confidence Intervals", implemented in the R package
PHEindicatormethods as ``phe_proportion``, ``phe_rate`` and ``phe_mean``):

- proportions: Wilson score interval (Wilson 1927; Newcombe & Altman 2000);
- rates: Byar's approximation to the exact Poisson interval when the count
  is at least 10, the exact Poisson interval via chi-square quantiles below
  that (Breslow & Day 1987), scaled by population and multiplier;
- means: Student's t interval.

Intervals are returned as ``(lower, upper)`` tuples. Inputs for which the
statistic is undefined (a denominator of zero, a count above its
denominator, fewer than two observations for a mean, a level outside (0, 1))
raise ``ValueError``: there is no value to put an interval around, and the
caller - not this module - decides how to show "not computable".
"""

from __future__ import annotations

import functools
import math

from scipy.special import gammaincinv, stdtrit
from scipy.stats import norm

BYAR_MINIMUM_COUNT = 10


@functools.lru_cache(maxsize=64)
def z_for_level(level: float) -> float:
    """Two-sided standard normal quantile: Phi^-1(1 - (1 - level) / 2).

    0.95 gives 1.959964 and 0.998 gives 3.090232, the two levels used by
    Fingertips and by funnel-plot limits. Cached: a benchmark asks for the same
    two levels hundreds of thousands of times, and SciPy's ppf is slow per call.
    """
    _check_level(level)
    return float(norm.ppf(1 - (1 - level) / 2))


def wilson_interval(x: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for the proportion x/n, as proportions in [0, 1].

    L, U = (2x + z^2 -/+ z sqrt(z^2 + 4x(1 - x/n))) / (2(n + z^2)).
    Unlike the Wald interval it stays inside [0, 1] and behaves at x = 0 and
    x = n, where it gives exactly 0 and 1 respectively.
    """
    _check_proportion(x, n)
    z = z_for_level(level)
    centre = 2 * x + z * z
    spread = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    scale = 2 * (n + z * z)
    lower = 0.0 if x == 0 else max(0.0, (centre - spread) / scale)
    upper = 1.0 if x == n else min(1.0, (centre + spread) / scale)
    return lower, upper


def byar_interval(x: float, level: float = 0.95) -> tuple[float, float]:
    """Byar's approximate Poisson interval for an observed count x > 0.

    L = x (1 - 1/(9x) - z/(3 sqrt x))^3, U = (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3.
    For very small counts at high confidence the lower formula goes negative;
    a count cannot, so it is floored at 0 (PHEindicatormethods returns NA
    there). Use ``count_interval`` to get the exact method below 10.
    """
    _check_level(level)
    if x <= 0:
        raise ValueError("Byar's method needs a positive count; use exact_poisson_interval")
    z = z_for_level(level)
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return max(0.0, lower), upper


def exact_poisson_interval(x: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) Poisson interval for a count: chi-square quantiles / 2.

    L = chi2_{alpha/2}(2x) / 2 (0 when x = 0), U = chi2_{1-alpha/2}(2x + 2) / 2.
    """
    _check_level(level)
    _check_count(x)
    alpha = 1 - level
    # chi2.ppf(p, df) / 2 is gammaincinv(df / 2, p), called directly for speed.
    lower = 0.0 if x == 0 else float(gammaincinv(x, alpha / 2))
    upper = float(gammaincinv(x + 1, 1 - alpha / 2))
    return lower, upper


def poisson_method(x: float) -> str:
    """``"byar"`` for counts of 10 or more, ``"exact"`` below, as PHE does."""
    _check_count(x)
    return "byar" if x >= BYAR_MINIMUM_COUNT else "exact"


def count_interval(x: float, level: float = 0.95) -> tuple[float, float]:
    """Interval for an observed count, picking Byar or exact as PHE does."""
    if poisson_method(x) == "byar":
        return byar_interval(x, level)
    return exact_poisson_interval(x, level)


def rate_interval(
    x: float, population: float, multiplier: float = 1.0, level: float = 0.95
) -> tuple[float, float]:
    """Interval for the rate x / population * multiplier (e.g. per 1,000)."""
    if population <= 0:
        raise ValueError("population must be positive")
    lower, upper = count_interval(x, level)
    return lower / population * multiplier, upper / population * multiplier


def mean_interval(mean: float, sd: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Student's t interval: mean -/+ t_{1-alpha/2, n-1} * sd / sqrt(n).

    Needs n >= 2: with one observation there is no standard deviation and the
    t distribution has no degrees of freedom.
    """
    _check_level(level)
    if n < 2:
        raise ValueError("a confidence interval for a mean needs at least 2 observations")
    if sd < 0:
        raise ValueError("standard deviation cannot be negative")
    half_width = float(stdtrit(n - 1, 1 - (1 - level) / 2)) * sd / math.sqrt(n)
    return mean - half_width, mean + half_width


def _check_level(level: float) -> None:
    if not 0 < level < 1:
        raise ValueError(f"confidence level must be a fraction in (0, 1), not {level!r}")


def _check_count(x: float) -> None:
    if x < 0:
        raise ValueError("a count cannot be negative")


def _check_proportion(x: float, n: float) -> None:
    _check_count(x)
    if n <= 0:
        raise ValueError("denominator must be positive")
    if x > n:
        raise ValueError("numerator cannot exceed denominator")
