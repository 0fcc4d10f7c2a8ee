"""Point types and the "Making Data Count" variation and assurance icons.

Follows NHSRplotthedots (``ptd_point_type``, ``ptd_get_icons``,
``ptd_calculate_assurance_type``).

Point types: ``common_cause``; ``improvement`` / ``concern`` for a special
cause in the better / worse direction of the indicator's polarity;
``neutral`` for a special cause on an indicator with no polarity.

Variation icon (from the last point): ``common_cause``, ``improvement_high``,
``improvement_low``, ``concern_high``, ``concern_low``, ``neutral_high``,
``neutral_low`` - the names of NHSRplotthedots' icon files; high/low is the
direction of the special cause.

Assurance icon (process limits against a target): ``consistent_pass`` when
the whole process lies on the good side of the target (target strictly
beyond the limit on the bad side), ``consistent_fail`` when it lies wholly on
the bad side, ``hit_and_miss`` when the target lies between the limits
(NHSRplotthedots' "inconsistent"); None with no target, no polarity, or no
limits to judge from.
"""

from __future__ import annotations

from projections.stats.polarity import improvement_sign
from projections.stats.spc_rules import HIGH

COMMON_CAUSE = "common_cause"
IMPROVEMENT = "improvement"
CONCERN = "concern"
NEUTRAL = "neutral"


def point_type(direction: str | None, polarity: str) -> str:
    """Type of a point given the direction of its special cause (None = common cause)."""
    sign = improvement_sign(polarity)
    if direction is None:
        return COMMON_CAUSE
    if sign == 0:
        return NEUTRAL
    moved_up = direction == HIGH
    return IMPROVEMENT if moved_up == (sign > 0) else CONCERN


def variation_icon(last_type: str, last_direction: str | None) -> str:
    """Variation icon code for the last point of a chart."""
    if last_type == COMMON_CAUSE:
        return COMMON_CAUSE
    return f"{last_type}_{last_direction}"


def assurance_icon(target: float | None, lpl: float | None, upl: float | None, polarity: str) -> str | None:
    """Whether the current process will reliably meet ``target``."""
    sign = improvement_sign(polarity)
    if target is None or sign == 0 or lpl is None or upl is None:
        return None
    if target > upl:
        return "consistent_fail" if sign > 0 else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if sign > 0 else "consistent_fail"
    return "hit_and_miss"
