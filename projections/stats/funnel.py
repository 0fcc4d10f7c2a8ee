"""Funnel-plot control limits and where a provider sits against them.

A funnel plot (Spiegelhalter 2005, "Funnel plots for comparing institutional
performance", Stat Med 24:1185) draws, around a target - the pooled value of
the peer group, sum(x) / sum(n) - the 95% and 99.8% limits as functions of
the denominator. Limits follow PHEindicatormethods' ``calculate_funnel_limits``
/ ``assign_funnel_significance``: each limit is the OBSERVED value at which
the provider's own confidence bound just touches the target.

- Proportions (Wilson): the Wilson bound of x/n equals p0 exactly when
  x/n = p0 -/+ z sqrt(p0 (1 - p0) / n) (the score interval is the set of p0
  whose score test accepts x/n), which is PHE's closed-form
  ``sigma_adjustment``; limits are clipped to [0, 1].
- Rates (exact Poisson): with expected count E = target * n, the lower limit
  is the count x whose exact upper bound chi2_{1-a/2}(2x+2)/2 equals E and the
  upper limit the count whose exact lower bound chi2_{a/2}(2x)/2 equals E,
  both solved for a continuous x as PHE's ``poisson_funnel`` bisection does.

A provider is flagged when its value lies strictly outside a limit.
Position codes: ``inside``, ``above_95``, ``above_998``, ``below_95``,
``below_998`` (``_998`` = beyond the 99.8% limit, ``_95`` = beyond 95% only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scipy.optimize import brentq
from scipy.special import gammaincinv

from projections.stats.intervals import z_for_level

LEVELS = (0.95, 0.998)
INSIDE = "inside"


@dataclass(frozen=True)
class FunnelLimits:
    """95% and 99.8% limits at one denominator, on the scale of the values."""

    denominator: float
    target: float
    lower_95: float
    upper_95: float
    lower_998: float
    upper_998: float


def pooled_target(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """The funnel's centre line: sum of numerators over sum of denominators."""
    total = math.fsum(denominators)
    if len(numerators) != len(denominators) or total <= 0:
        raise ValueError("need matching numerators and denominators with a positive total")
    return math.fsum(numerators) / total


def proportion_funnel_limits(denominator: float, target: float) -> FunnelLimits:
    """Wilson-based limits (as proportions) at denominator n around target p0."""
    _check_denominator(denominator)
    if not 0 <= target <= 1:
        raise ValueError("a target proportion must lie in [0, 1]")
    sd = math.sqrt(target * (1 - target) / denominator)
    bands = [_clip(target + sign * z_for_level(level) * sd) for level in LEVELS for sign in (-1, 1)]
    return FunnelLimits(denominator, target, *bands)


def rate_funnel_limits(denominator: float, target: float, multiplier: float = 1.0) -> FunnelLimits:
    """Exact-Poisson limits for a rate (count / denominator * multiplier).

    ``target`` is the pooled rate per unit of denominator (not multiplied).
    """
    _check_denominator(denominator)
    if target <= 0:
        raise ValueError("a target rate must be positive")
    expected = target * denominator
    bands = []
    for level in LEVELS:
        bands.append(_lowest_count_not_low(expected, level) / denominator * multiplier)
        bands.append(_highest_count_not_high(expected, level) / denominator * multiplier)
    return FunnelLimits(denominator, target * multiplier, *bands)


class LazyRateLimits:
    """``rate_funnel_limits(denominator, target, multiplier)`` with each bound solved the
    first time it is read (each root-finding is the same, so each bound is the same
    float): where a provider sits needs two of the four bounds unless it is flagged."""

    __slots__ = ("denominator", "target", "_expected", "_multiplier", "_bounds")

    def __init__(self, denominator: float, target: float, multiplier: float = 1.0):
        _check_denominator(denominator)
        if target <= 0:
            raise ValueError("a target rate must be positive")
        self.denominator, self.target = denominator, target * multiplier
        self._expected, self._multiplier = target * denominator, multiplier
        self._bounds: dict[str, float] = {}

    def _bound(self, name: str, solve, level: float) -> float:
        found = self._bounds.get(name)
        if found is None:
            found = self._bounds[name] = (solve(self._expected, level) / self.denominator
                                          * self._multiplier)
        return found

    @property
    def lower_95(self) -> float:
        return self._bound("lower_95", _lowest_count_not_low, LEVELS[0])

    @property
    def upper_95(self) -> float:
        return self._bound("upper_95", _highest_count_not_high, LEVELS[0])

    @property
    def lower_998(self) -> float:
        return self._bound("lower_998", _lowest_count_not_low, LEVELS[1])

    @property
    def upper_998(self) -> float:
        return self._bound("upper_998", _highest_count_not_high, LEVELS[1])

    def position_of_count(self, count: float) -> str:
        """``nested_position(count / denominator * multiplier, self)`` decided on the
        count scale without solving a bound. The upper limit is the count whose exact
        lower bound equals the expected count, and that bound grows with the count, so a
        count lies above the limit exactly when its own exact lower bound exceeds the
        expected count (PHE's "significantly high"); the lower limit likewise with the
        exact upper bound. One quantile per band instead of a root-finding."""
        expected = self._expected
        tail_95, tail_998 = _lower_tail(LEVELS[0]), _lower_tail(LEVELS[1])
        if count > 0 and gammaincinv(count, tail_95) > expected:
            return "above_998" if gammaincinv(count, tail_998) > expected else "above_95"
        if gammaincinv(count + 1, 1 - tail_95) < expected:
            return "below_998" if gammaincinv(count + 1, 1 - tail_998) < expected else "below_95"
        return INSIDE

    def solved(self) -> FunnelLimits:
        return FunnelLimits(self.denominator, self.target, self.lower_95, self.upper_95,
                            self.lower_998, self.upper_998)


def nested_position(value: float, limits) -> str:
    """``funnel_position`` reading the 95% bounds first and a 99.8% bound only beyond
    them: the same code, since the 99.8% band contains the 95% band (for exact-Poisson
    limits by construction: a wider interval reaches the target from further out)."""
    if value > limits.upper_95:
        return "above_998" if value > limits.upper_998 else "above_95"
    if value < limits.lower_95:
        return "below_998" if value < limits.lower_998 else "below_95"
    return INSIDE


def funnel_position(value: float, limits: FunnelLimits) -> str:
    """Position code of ``value`` against ``limits`` (strictly outside = flagged)."""
    if value > limits.upper_998:
        return "above_998"
    if value > limits.upper_95:
        return "above_95"
    if value < limits.lower_998:
        return "below_998"
    if value < limits.lower_95:
        return "below_95"
    return INSIDE


def _lower_tail(level: float) -> float:
    """The probability below a two-sided interval at ``level``."""
    return (1 - level) / 2


def _lowest_count_not_low(expected: float, level: float) -> float:
    """Count x whose exact upper bound gamma^-1(1 - a/2; x + 1) equals ``expected``.

    chi2_q(2k)/2 is the gamma(k) quantile, which accepts a continuous k. SciPy's
    ``gammaincinv`` is that quantile (what ``gamma.ppf`` calls) without the
    per-call overhead of the distribution object: funnels call it millions of times. If
    even a count of zero has an upper bound above ``expected``, no count is
    significantly low and the limit is 0.
    """
    q = 1 - _lower_tail(level)
    if gammaincinv(1, q) >= expected:
        return 0.0
    return _solve(lambda x: gammaincinv(x + 1, q) - expected, 0.0, expected)


def _highest_count_not_high(expected: float, level: float) -> float:
    """Count x whose exact lower bound gamma^-1(a/2; x) equals ``expected``."""
    q = _lower_tail(level)
    high = expected + 10 * math.sqrt(expected) + 10
    while gammaincinv(high, q) < expected:
        high *= 2
    return _solve(lambda x: gammaincinv(x, q) - expected, 1e-12, high)


def _solve(f, low: float, high: float) -> float:
    return float(brentq(f, low, high, xtol=1e-13, rtol=8.9e-16, maxiter=200))


def _clip(p: float) -> float:
    return min(1.0, max(0.0, p))


def _check_denominator(denominator: float) -> None:
    if denominator <= 0:
        raise ValueError("denominator must be positive")
