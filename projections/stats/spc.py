"""XmR (individuals) statistical process control charts, "Making Data Count" style.

Limits as NHS England's Making Data Count guidance and NHSRplotthedots
(R/ptd_spc_standard.R) compute them, for each segment of the series:

- centre line: mean of the segment's baseline points (all its points unless
  ``baseline_points`` fixes the baseline to the first N, NHSRplotthedots'
  ``fix_after_n_points``);
- moving ranges |x_i - x_{i-1}| within the baseline; with ``screen_outliers``
  (default on, as NHSRplotthedots) ranges >= 3.267 x their mean are dropped
  once and the mean recomputed, so one freak month does not widen the limits;
  if every range is 0 none is dropped (all would be, leaving no limits);
- process limits: mean -/+ 2.66 x mean moving range; 2-sigma lines:
  mean -/+ (2/3) 2.66 x mean moving range.

A segment whose limits rest on fewer than 13 baseline points has *trial*
limits (NHSRplotthedots warns below 13 points). A segment of one point has no
moving range and so no limits (None): its point is common cause.

Rebaselining: ``rebase_at`` lists the indices where a recorded change (a
merger, a definition revision) starts a new segment; limits and special-cause
rules restart there. The chart's overall mean/limits/trial flag are those of
the last segment, the process as it now stands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from projections.stats.spc_icons import assurance_icon, point_type, variation_icon
from projections.stats.spc_rules import special_causes

LIMIT_FACTOR = 2.66
TWO_SIGMA_FACTOR = 2 * LIMIT_FACTOR / 3
SCREENING_FACTOR = 3.267
TRIAL_LIMITS_BELOW = 13


@dataclass(frozen=True)
class XmrLimits:
    """Centre line, process limits and 2-sigma lines of one segment."""

    mean: float
    mean_moving_range: float | None
    lpl: float | None
    upl: float | None
    lower_2sigma: float | None
    upper_2sigma: float | None
    baseline_points: int

    @property
    def trial(self) -> bool:
        return self.baseline_points < TRIAL_LIMITS_BELOW


@dataclass(frozen=True)
class SpcSegment:
    """Points ``start`` (inclusive) to ``stop`` (exclusive) share these limits."""

    start: int
    stop: int
    limits: XmrLimits


@dataclass(frozen=True)
class SpcPoint:
    """One point with its segment's lines and verdict.

    ``rule`` is a code from ``spc_rules`` (None for common cause),
    ``direction`` ``"high"``/``"low"``, ``type`` a code from ``spc_icons``.
    """

    index: int
    value: float
    segment: int
    mean: float
    lpl: float | None
    upl: float | None
    lower_2sigma: float | None
    upper_2sigma: float | None
    special_cause: bool
    rule: str | None
    direction: str | None
    type: str


@dataclass(frozen=True)
class SpcResult:
    """Every point, every segment, and the current process (the last segment)."""

    points: tuple[SpcPoint, ...]
    segments: tuple[SpcSegment, ...]
    mean: float
    lpl: float | None
    upl: float | None
    lower_2sigma: float | None
    upper_2sigma: float | None
    trial_limits: bool
    variation_icon: str
    assurance_icon: str | None


def moving_ranges(values: Sequence[float]) -> list[float]:
    """|x_i - x_{i-1}| for consecutive points."""
    return [abs(b - a) for a, b in zip(values, values[1:])]


def screen_moving_ranges(ranges: Sequence[float]) -> list[float]:
    """Drop ranges >= 3.267 x their mean (the upper range limit of an mR chart)."""
    average = math.fsum(ranges) / len(ranges)
    if average == 0:
        return list(ranges)
    return [r for r in ranges if r < SCREENING_FACTOR * average]


def xmr_limits(baseline: Sequence[float], screen_outliers: bool = True) -> XmrLimits:
    """XmR limits from the baseline points of a segment."""
    if len(baseline) == 0:
        raise ValueError("limits need at least one point")
    mean = math.fsum(baseline) / len(baseline)
    ranges = moving_ranges(baseline)
    if not ranges:
        return XmrLimits(mean, None, None, None, None, None, len(baseline))
    if screen_outliers:
        ranges = screen_moving_ranges(ranges)
    amr = math.fsum(ranges) / len(ranges)
    wide, near = LIMIT_FACTOR * amr, TWO_SIGMA_FACTOR * amr
    return XmrLimits(mean, amr, mean - wide, mean + wide, mean - near, mean + near, len(baseline))


def segment_bounds(length: int, rebase_at: Iterable[int] = ()) -> list[tuple[int, int]]:
    """(start, stop) of each segment of a series of ``length`` points."""
    starts = sorted({0, *rebase_at})
    if starts[-1] >= length or starts[0] < 0:
        raise ValueError(f"rebaseline indices must lie in [0, {length})")
    return list(zip(starts, [*starts[1:], length]))


def xmr_chart(
    values: Sequence[float],
    polarity: str = "none",
    target: float | None = None,
    rebase_at: Iterable[int] = (),
    baseline_points: int | None = None,
    screen_outliers: bool = True,
) -> SpcResult:
    """Limits, special causes and icons for a series in time order."""
    _check_series(values, baseline_points)
    segments, points = [], []
    for number, (start, stop) in enumerate(segment_bounds(len(values), rebase_at)):
        part = values[start:stop]
        limits = xmr_limits(part[:baseline_points], screen_outliers)
        segments.append(SpcSegment(start, stop, limits))
        points.extend(_segment_points(part, start, number, limits, polarity))
    return _result(points, segments, target, polarity)


def _segment_points(
    part: Sequence[float], start: int, number: int, limits: XmrLimits, polarity: str
) -> list[SpcPoint]:
    points = []
    for i, (value, cause) in enumerate(zip(part, _causes(part, limits))):
        rule, direction = cause or (None, None)
        points.append(SpcPoint(
            start + i, value, number, limits.mean, limits.lpl, limits.upl,
            limits.lower_2sigma, limits.upper_2sigma, cause is not None,
            rule, direction, point_type(direction, polarity),
        ))
    return points


def _causes(part: Sequence[float], limits: XmrLimits) -> list[tuple[str, str] | None]:
    if limits.lpl is None:
        return [None] * len(part)
    return special_causes(
        part, limits.mean, limits.lpl, limits.upl, limits.lower_2sigma, limits.upper_2sigma
    )


def _result(
    points: list[SpcPoint], segments: list[SpcSegment], target: float | None, polarity: str
) -> SpcResult:
    current, last = segments[-1].limits, points[-1]
    return SpcResult(
        tuple(points), tuple(segments), current.mean, current.lpl, current.upl,
        current.lower_2sigma, current.upper_2sigma, current.trial,
        variation_icon(last.type, last.direction),
        assurance_icon(target, current.lpl, current.upl, polarity),
    )


def _check_series(values: Sequence[float], baseline_points: int | None) -> None:
    if len(values) == 0:
        raise ValueError("an SPC chart needs at least one point")
    if not all(math.isfinite(v) for v in values):
        raise ValueError("SPC values must be finite numbers; drop missing periods first")
    if baseline_points is not None and baseline_points < 2:
        raise ValueError("a baseline needs at least 2 points")
