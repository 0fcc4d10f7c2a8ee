"""Place every provider of a peer group on its funnel, unadjusted and adjusted.

DOMAIN asks for both sets of limits and for which one flagged a provider:
plain limits (``funnel``) answer "is this more than chance?", the
over-dispersion adjusted ones (``overdispersion``) "is this unusual even
allowing for the usual spread between providers?". A provider is *flagged*
by a set of limits when it lies outside their 95% band.

``flagged_by`` codes: ``none``, ``unadjusted`` (only the plain limits flag
it - typical of large providers under over-dispersion), ``adjusted`` (only
the adjusted limits - possible because they sit on a transformed scale),
``both``.

When tau^2 is 0 (no over-dispersion detected) the adjusted limits ARE the
unadjusted ones, as FunnelPlotR falls back to unadjusted limits then.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from projections.stats.funnel import (
    INSIDE,
    FunnelLimits,
    LazyRateLimits,
    funnel_position,
    nested_position,
    pooled_target,
    proportion_funnel_limits,
    rate_funnel_limits,
)
from projections.stats.overdispersion import (
    DEFAULT_TRIM,
    Overdispersion,
    adjusted_proportion_limits,
    adjusted_rate_limits,
    proportion_overdispersion,
    rate_overdispersion,
)


@dataclass(frozen=True)
class ProviderPosition:
    """Where one provider sits: position codes from ``funnel.funnel_position``."""

    value: float
    unadjusted: str
    adjusted: str
    flagged_by: str
    unadjusted_limits: FunnelLimits
    adjusted_limits: FunnelLimits


@dataclass(frozen=True)
class FunnelAssessment:
    """The peer group's target (on the value scale), its over-dispersion, and each provider."""

    target: float
    overdispersion: Overdispersion
    providers: tuple[ProviderPosition, ...]


def position_against(value: float, unadjusted: FunnelLimits, adjusted: FunnelLimits,
                     count: float | None = None) -> ProviderPosition:
    """Both positions of ``value`` and which set of limits flagged it (for lazy rate
    limits, from the provider's ``count`` when given: the same code, nothing solved)."""
    if isinstance(unadjusted, LazyRateLimits):
        plain = (nested_position(value, unadjusted) if count is None
                 else unadjusted.position_of_count(count))
        wide = plain if adjusted is unadjusted else funnel_position(value, adjusted)
    else:
        plain, wide = funnel_position(value, unadjusted), funnel_position(value, adjusted)
    flags = (plain != INSIDE, wide != INSIDE)
    flagged_by = {(False, False): "none", (True, False): "unadjusted", (False, True): "adjusted"}
    return ProviderPosition(value, plain, wide, flagged_by.get(flags, "both"), unadjusted, adjusted)


def assess_proportions(
    numerators: Sequence[float], denominators: Sequence[float], trim: float = DEFAULT_TRIM
) -> FunnelAssessment:
    """Funnel positions of proportions x/n around the pooled proportion."""
    target = pooled_target(numerators, denominators)
    spread = proportion_overdispersion(numerators, denominators, target, trim)

    def adjusted(n: float) -> FunnelLimits:
        return adjusted_proportion_limits(n, target, spread.tau2)

    return _assess(numerators, denominators, 1.0, target, spread,
                   lambda n: proportion_funnel_limits(n, target), adjusted)


def assess_rates(
    counts: Sequence[float],
    denominators: Sequence[float],
    multiplier: float = 1.0,
    transform: str = "sqrt",
    trim: float = DEFAULT_TRIM,
    lazy_limits: bool = False,
) -> FunnelAssessment:
    """Funnel positions of rates count/n * multiplier around the pooled rate.

    With ``lazy_limits`` each provider's unadjusted limits are a ``LazyRateLimits``
    (same attributes, same values) whose bounds are solved only as far as placing the
    provider needs: the same positions for half the root-finding.
    """
    target = pooled_target(counts, denominators)
    spread = rate_overdispersion(counts, denominators, target, transform, trim)

    def adjusted(n: float) -> FunnelLimits:
        return adjusted_rate_limits(n, target, spread.tau2, transform, multiplier)

    limits = LazyRateLimits if lazy_limits else rate_funnel_limits
    return _assess(counts, denominators, multiplier, target, spread,
                   lambda n: limits(n, target, multiplier), adjusted)


def _assess(
    numerators: Sequence[float],
    denominators: Sequence[float],
    multiplier: float,
    target: float,
    spread: Overdispersion,
    unadjusted: Callable[[float], FunnelLimits],
    adjusted: Callable[[float], FunnelLimits],
) -> FunnelAssessment:
    providers = []
    for x, n in zip(numerators, denominators):
        plain = unadjusted(n)
        wide = adjusted(n) if spread.tau2 > 0 else plain
        providers.append(position_against(x / n * multiplier, plain, wide, x))
    return FunnelAssessment(target * multiplier, spread, tuple(providers))
