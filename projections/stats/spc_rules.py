"""Special-cause rules of an XmR chart ("Making Data Count", NHS England).

Each rule is written to match NHSRplotthedots (R/ptd_calculate_point_type.R)
point for point; rules are applied within one segment (between rebaselines).
In priority order, a point is special cause when it is:

1. ``outside_limits``: strictly above the upper or below the lower process limit;
2. ``trend``: one of 7 consecutive points each strictly higher (or each
   strictly lower) than the one before - an equal pair breaks the run;
3. ``two_in_three``: beyond a 2-sigma line (strictly) but inside the process
   limits, in a window of 3 consecutive points of which at least 2 are
   beyond 2 sigma AND all 3 lie on the same side of the mean. Only the
   points beyond 2 sigma are flagged, and a point outside the limits does
   not count towards the 2 (it is already rule 1) - both as NHSRplotthedots;
4. ``shift``: one of 7 consecutive points all strictly on the same side of
   the mean - a point exactly on the mean breaks the run.

Direction codes: ``high`` (above the mean / upper limit, or increasing) and
``low``. Where a point ends one trend and starts the opposite one (a peak or
trough shared by both runs) it takes the later run's direction, as
NHSRplotthedots does. Deliberate difference: where an equal pair separates
two runs, NHSRplotthedots labels the last point of the earlier run with the
direction of the (zero) step after it; here it keeps its own run's direction.
The Python port nhspy-plotthedots flags 7 equal values as a trend; here, as in
NHSRplotthedots and DOMAIN.md, equal values never make a trend.
"""

from __future__ import annotations

from collections.abc import Sequence

RUN_LENGTH = 7
OUTSIDE_LIMITS = "outside_limits"
TREND = "trend"
TWO_IN_THREE = "two_in_three"
SHIFT = "shift"
HIGH = "high"
LOW = "low"


def sides_of_mean(values: Sequence[float], mean: float) -> list[int]:
    """+1 above the mean, -1 below, 0 exactly on it."""
    return [_sign(y - mean) for y in values]


def outside_limits(values: Sequence[float], lpl: float, upl: float) -> list[int]:
    """+1 strictly above the upper limit, -1 strictly below the lower, else 0."""
    return [1 if y > upl else -1 if y < lpl else 0 for y in values]


def beyond_two_sigma(
    values: Sequence[float], lower_2sigma: float, upper_2sigma: float, lpl: float, upl: float
) -> list[bool]:
    """Strictly beyond a 2-sigma line while still inside the process limits."""
    return [lpl <= y <= upl and (y < lower_2sigma or y > upper_2sigma) for y in values]


def trend_flags(values: Sequence[float], run: int = RUN_LENGTH) -> list[int]:
    """+1 / -1 for points in a run of ``run`` strictly increasing / decreasing points."""
    steps = [_sign(b - a) for a, b in zip(values, values[1:])]
    flags = [0] * len(values)
    for start in range(len(values) - run + 1):
        window = steps[start:start + run - 1]
        if window[0] != 0 and all(step == window[0] for step in window):
            flags[start:start + run] = [window[0]] * run
    return flags


def shift_flags(sides: Sequence[int], run: int = RUN_LENGTH) -> list[int]:
    """+1 / -1 for points in a run of ``run`` points strictly above / below the mean."""
    flags = [0] * len(sides)
    for start in range(len(sides) - run + 1):
        window = sides[start:start + run]
        if window[0] != 0 and all(side == window[0] for side in window):
            flags[start:start + run] = [window[0]] * run
    return flags


def two_in_three_flags(near: Sequence[bool], sides: Sequence[int]) -> list[int]:
    """Side (+1 / -1) of each near-limit point in a qualifying window of three, else 0."""
    flags = [0] * len(near)
    for start in range(len(near) - 2):
        window = range(start, start + 3)
        if sum(near[i] for i in window) >= 2 and abs(sum(sides[i] for i in window)) == 3:
            for i in window:
                flags[i] = sides[i] if near[i] else flags[i]
    return flags


def special_causes(
    values: Sequence[float], mean: float, lpl: float, upl: float, lower_2sigma: float, upper_2sigma: float
) -> list[tuple[str, str] | None]:
    """Per point, the highest-priority rule that fires and its direction, or None."""
    sides = sides_of_mean(values, mean)
    near = beyond_two_sigma(values, lower_2sigma, upper_2sigma, lpl, upl)
    rules = (
        (OUTSIDE_LIMITS, outside_limits(values, lpl, upl)),
        (TREND, trend_flags(values)),
        (TWO_IN_THREE, two_in_three_flags(near, sides)),
        (SHIFT, shift_flags(sides)),
    )
    return [_first_rule(rules, i) for i in range(len(values))]


def _first_rule(rules: tuple[tuple[str, list[int]], ...], i: int) -> tuple[str, str] | None:
    for name, flags in rules:
        if flags[i]:
            return name, HIGH if flags[i] > 0 else LOW
    return None


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)
