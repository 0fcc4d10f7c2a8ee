"""Quartiles and quintiles of a peer distribution, the way Fingertips draws them.

Percentiles use Excel's PERCENTILE.INC interpolation (Hyndman & Fan type 7,
R's default ``quantile``): with the N values sorted, h = (N - 1) p + 1 and the
percentile is x_floor(h) + (h - floor(h)) (x_floor(h)+1 - x_floor(h)).
Fingertips (PholioVisualisation ``ValueCategoriesCalculator``) uses exactly
this, rounds each bound to 10 decimal places to remove floating-point
artefacts, and needs at least 4 values for quartiles and 5 for quintiles.

Assigning a value to a group follows Fingertips' comparers: bounds are
[min, Q1, Q2, Q3, max] and a value belongs to the first group whose upper
bound it does not exceed. So a value equal to a bound - including every tie
at a bound - falls in the LOWER group: with peers (1, 2, 2, 2, 3) all three
quartile bounds are 2 and every 2 is in quartile 1.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from projections.stats.polarity import HIGHER, check_polarity

QUARTILE_MINIMUM_VALUES = 4
QUINTILE_MINIMUM_VALUES = 5
_BOUND_DECIMALS = 10


def percentile_inc(values: Sequence[float], fraction: float) -> float:
    """Excel PERCENTILE.INC of ``values`` at ``fraction`` in [0, 1]."""
    if len(values) == 0:
        raise ValueError("a percentile needs at least one value")
    if not 0 <= fraction <= 1:
        raise ValueError("fraction must lie in [0, 1]")
    ordered = sorted(values)
    h = (len(ordered) - 1) * fraction
    below = math.floor(h)
    if below >= len(ordered) - 1:
        return float(ordered[-1])
    return ordered[below] + (h - below) * (ordered[below + 1] - ordered[below])


def group_bounds(values: Sequence[float], groups: int) -> list[float] | None:
    """[min, cut 1, ..., cut groups-1, max], or None if there are fewer values than groups.

    Needing as many values as groups is Fingertips' rule: 4 for quartiles,
    5 for quintiles.
    """
    if groups < 2:
        raise ValueError("need at least two groups")
    if len(values) < max(groups, QUARTILE_MINIMUM_VALUES):
        return None
    cuts = [round(percentile_inc(values, i / groups), _BOUND_DECIMALS) for i in range(1, groups)]
    return [float(min(values)), *cuts, float(max(values))]


def quartiles(values: Sequence[float]) -> list[float] | None:
    """[min, Q1, median, Q3, max], or None with fewer than 4 values."""
    return group_bounds(values, 4)


def quintiles(values: Sequence[float]) -> list[float] | None:
    """[min, P20, P40, P60, P80, max], or None with fewer than 5 values."""
    return group_bounds(values, 5)


def group_of(value: float, bounds: Sequence[float] | None, polarity: str = "none") -> int | None:
    """Group number (1 = lowest values) of ``value`` among ``bounds``.

    With polarity ``"higher"`` or ``"lower"`` the numbering is turned so that
    1 is the best group, as Fingertips does for quintiles. Returns None when
    the bounds could not be drawn or the value lies outside [min, max]
    (it is not one of the peers they were drawn from).
    """
    check_polarity(polarity)
    if bounds is None or not bounds[0] <= value <= bounds[-1]:
        return None
    groups = len(bounds) - 1
    lowest_first = next(i for i in range(1, groups + 1) if value <= bounds[i])
    return groups + 1 - lowest_first if polarity == HIGHER else lowest_first


def quartile_of(value: float, peers: Sequence[float], polarity: str = "none") -> int | None:
    """Quartile (1..4, 1 = lowest unless polarity says 1 = best) of a value among its peers."""
    return group_of(value, quartiles(peers), polarity)


def quintile_of(value: float, peers: Sequence[float], polarity: str = "none") -> int | None:
    """Quintile (1..5, 1 = lowest unless polarity says 1 = best) of a value among its peers."""
    return group_of(value, quintiles(peers), polarity)

