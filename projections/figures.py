"""Figures from facts: one provider's value and intervals on the reported scale.

Proportions are reported as percentages (0-100), rates per the indicator's
multiplier, means, medians and counts as given. Intervals use the methods of
``projections.stats``: Wilson for proportions, Byar / exact Poisson for rates,
Student's t for means; medians and counts have none.
"""

from dataclasses import dataclass

from projections.stats.intervals import mean_interval, rate_interval, wilson_interval
from projections.stats.quantiles import percentile_inc

LEVELS = (0.95, 0.998)


@dataclass(frozen=True)
class Figure:
    provider: str
    value: float
    numerator: int | None
    denominator: int | None
    ci95: tuple[float, float] | None
    ci998: tuple[float, float] | None
    n: int | None = None


def figure(provider: str, fact: dict, measure: str, multiplier: int | None,
           intervals: bool = True) -> Figure:
    """The provider's figure; without its intervals (None) when ``intervals`` is False
    (SPC charts plot values only)."""
    num, den = fact.get("numerator"), fact.get("denominator")
    if not intervals:
        if measure == "proportion":
            value = num / den * 100.0
        elif measure == "rate":
            value = num / den * (multiplier or 1)
        else:
            value = float(fact["value"])
        return Figure(provider, value, num, den, None, None, fact.get("n"))
    if measure == "proportion":
        scale = 100.0
        value = num / den * scale
        cis = [tuple(b * scale for b in wilson_interval(num, den, lvl)) for lvl in LEVELS]
    elif measure == "rate":
        value = num / den * (multiplier or 1)
        cis = [rate_interval(num, den, multiplier or 1, lvl) for lvl in LEVELS]
    else:
        value = float(fact["value"])
        n = fact.get("n")
        cis = [None, None]
        if measure == "mean" and n is not None and n >= 2:
            cis = [mean_interval(value, float(fact["sd"]), int(n), lvl) for lvl in LEVELS]
    return Figure(provider, value, num, den, cis[0], cis[1], fact.get("n"))


def pooled(figures: list[Figure], measure: str, multiplier: int | None) -> dict:
    """The peer group's own value: pooled for proportions, rates and means."""
    if not figures:
        return {"value": None, "numerator": None, "denominator": None}
    if measure in ("proportion", "rate"):
        num = sum(f.numerator for f in figures)
        den = sum(f.denominator for f in figures)
        scale = 100.0 if measure == "proportion" else float(multiplier or 1)
        return {"value": num / den * scale, "numerator": num, "denominator": den}
    if measure == "mean" and all(f.n for f in figures):
        total = sum(f.n for f in figures)
        return {"value": sum(f.value * f.n for f in figures) / total, "numerator": None,
                "denominator": total}
    if measure == "count":
        return {"value": float(sum(f.value for f in figures)), "numerator": None,
                "denominator": None}
    median = percentile_inc([f.value for f in figures], 0.5)
    return {"value": median, "numerator": None, "denominator": None}
