"""Over-dispersion adjusted funnel limits (Spiegelhalter 2005, QSHC 14:347).

Real providers differ by more than Poisson or binomial chance, so plain funnel
limits flag too many. Spiegelhalter's additive random-effects adjustment:

1. put each provider on a variance-stabilising scale y_i with standard error
   s_i and z_i = (y_i - y0) / s_i;
2. winsorise the z-scores at the 10th and 90th percentiles (PERCENTILE.INC,
   R's default ``quantile`` as FunnelPlotR uses) so outliers do not inflate
   the estimate;
3. phi = mean(z^2); tau^2 = max(0, (n phi - (n - 1)) / (sum w - sum w^2 / sum w)),
   w_i = 1 / s_i^2;
4. adjusted limits: y0 -/+ z_level sqrt(s^2 + tau^2), transformed back.

Scales (as FunnelPlotR's ``transformed_zscore``):

- proportions: y = asin(sqrt(p)), s = 1 / (2 sqrt(n)), limits
  sin^2(asin(sqrt(p0)) -/+ z sqrt(s^2 + tau^2)); the angle is held inside
  [0, pi/2] so a limit beyond 0 or 1 stays there instead of folding back;
- rates, as standardised ratios O/E with E = target * n:
  ``"sqrt"`` (default; Spiegelhalter's / CQC's): y = sqrt(O/E), s = 1/(2 sqrt E),
  limits (1 -/+ z sqrt(s^2 + tau^2))^2 - squared back, which FunnelPlotR's
  CQC option does not do - floored at 0; it copes with O = 0.
  ``"log"`` (SHMI): y = log(O/E), s = 1/sqrt(E), limits exp(-/+ z sqrt(s^2 + tau^2));
  undefined for O = 0, so it raises ValueError.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from projections.stats.funnel import LEVELS, FunnelLimits, pooled_target
from projections.stats.intervals import z_for_level
from projections.stats.quantiles import percentile_inc

DEFAULT_TRIM = 0.1
RATE_TRANSFORMS = ("sqrt", "log")


@dataclass(frozen=True)
class Overdispersion:
    """Dispersion ratio phi and between-provider variance tau^2 on the transformed scale."""

    phi: float
    tau2: float
    units: int
    transform: str


def proportion_overdispersion(
    numerators: Sequence[float],
    denominators: Sequence[float],
    target: float | None = None,
    trim: float = DEFAULT_TRIM,
) -> Overdispersion:
    """phi and tau^2 for proportions on the arcsine-square-root scale."""
    p0 = pooled_target(numerators, denominators) if target is None else target
    errors = [1 / (2 * math.sqrt(n)) for n in _positive(denominators)]
    centre = math.asin(math.sqrt(p0))
    z = [(math.asin(math.sqrt(x / n)) - centre) / s for x, n, s in zip(numerators, denominators, errors)]
    return _estimate(z, errors, trim, "arcsine")


def rate_overdispersion(
    counts: Sequence[float],
    denominators: Sequence[float],
    target: float | None = None,
    transform: str = "sqrt",
    trim: float = DEFAULT_TRIM,
) -> Overdispersion:
    """phi and tau^2 for rates, as ratios O/E with E = target * denominator.

    Pass ``target=1`` with expected counts as denominators for standardised
    ratios (e.g. SHMI-style observed/expected).
    """
    r0 = pooled_target(counts, denominators) if target is None else target
    expected = [r0 * n for n in _positive(denominators)]
    errors = [_ratio_error(e, transform) for e in expected]
    z = [_ratio_z(o, e, transform) for o, e in zip(counts, expected)]
    return _estimate(z, errors, trim, transform)


def adjusted_proportion_limits(denominator: float, target: float, tau2: float) -> FunnelLimits:
    """Over-dispersion adjusted limits for a proportion at denominator n."""
    centre = math.asin(math.sqrt(target))
    spread = math.sqrt(1 / (4 * denominator) + tau2)
    bands = [_sin2(centre + sign * z_for_level(lvl) * spread) for lvl in LEVELS for sign in (-1, 1)]
    return FunnelLimits(denominator, target, *bands)


def adjusted_rate_limits(
    denominator: float, target: float, tau2: float, transform: str = "sqrt", multiplier: float = 1.0
) -> FunnelLimits:
    """Over-dispersion adjusted limits for a rate at denominator n (target per unit)."""
    error = _ratio_error(target * denominator, transform)
    spread = math.sqrt(error * error + tau2)
    ratios = [_ratio_limit(sign * z_for_level(lvl) * spread, transform) for lvl in LEVELS for sign in (-1, 1)]
    return FunnelLimits(denominator, target * multiplier, *(r * target * multiplier for r in ratios))


def winsorise(z_scores: Sequence[float], trim: float = DEFAULT_TRIM) -> list[float]:
    """Pull z-scores below the ``trim`` / above the 1 - ``trim`` percentile in to those percentiles."""
    if trim == 0:
        return list(z_scores)
    low, high = percentile_inc(z_scores, trim), percentile_inc(z_scores, 1 - trim)
    return [min(high, max(low, z)) for z in z_scores]


def between_provider_variance(phi: float, errors: Sequence[float]) -> float:
    """tau^2 = max(0, (n phi - (n - 1)) / (sum w - sum w^2 / sum w)), w = 1 / s^2.

    With a single provider the denominator is 0 and there is nothing between
    providers to estimate: tau^2 = 0. For n >= 2 the denominator is positive.
    """
    n = len(errors)
    if n < 2 or n * phi <= n - 1:
        return 0.0
    weights = [1 / (s * s) for s in errors]
    total = math.fsum(weights)
    return (n * phi - (n - 1)) / (total - math.fsum(w * w for w in weights) / total)


def _estimate(z: list[float], errors: list[float], trim: float, transform: str) -> Overdispersion:
    if not z:
        raise ValueError("over-dispersion needs at least one provider")
    if not 0 <= trim < 0.5:
        raise ValueError("trim must lie in [0, 0.5)")
    phi = math.fsum(w * w for w in winsorise(z, trim)) / len(z)
    return Overdispersion(phi, between_provider_variance(phi, errors), len(z), transform)


def _ratio_z(observed: float, expected: float, transform: str) -> float:
    if transform == "sqrt":
        return 2 * (math.sqrt(observed) - math.sqrt(expected))
    if observed <= 0:
        raise ValueError("the log transform is undefined for a count of 0; use transform='sqrt'")
    return math.sqrt(expected) * math.log(observed / expected)


def _ratio_error(expected: float, transform: str) -> float:
    _check_transform(transform)
    return 1 / (2 * math.sqrt(expected)) if transform == "sqrt" else 1 / math.sqrt(expected)


def _ratio_limit(offset: float, transform: str) -> float:
    return max(0.0, 1 + offset) ** 2 if transform == "sqrt" else math.exp(offset)


def _sin2(angle: float) -> float:
    return math.sin(min(math.pi / 2, max(0.0, angle))) ** 2


def _positive(denominators: Sequence[float]) -> Sequence[float]:
    if any(n <= 0 for n in denominators):
        raise ValueError("denominators must be positive")
    return denominators


def _check_transform(transform: str) -> None:
    if transform not in RATE_TRANSFORMS:
        raise ValueError(f"transform must be one of {RATE_TRANSFORMS}, not {transform!r}")
