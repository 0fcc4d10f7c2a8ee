"""Compare an area's value with a benchmark (national or peer), as Fingertips does.

Fingertips' "single overlapping CIs" comparers (PholioVisualisation
``SingleOverlappingCIsForOneCILevelComparer`` and ``...TwoCILevelsComparer``)
look at where the benchmark value falls relative to the AREA's confidence
interval; the benchmark's own interval plays no part:

- inside the 95% interval, bounds included: similar;
- outside the 95% interval: significantly higher or lower, turned into
  better/worse by the indicator's polarity;
- when 99.8% limits are supplied as well, outside them too: the stronger
  "best/worst" judgement.

Result codes (stable strings, stored in read models):

============== ==================================================================
``similar``    benchmark within the 95% CI
``better_95``  better at 95%; if 99.8% limits were given, benchmark inside them
``worse_95``   worse at 95%; likewise
``better_998`` better: benchmark beyond the 99.8% CI (Fingertips "best")
``worse_998``  worse: benchmark beyond the 99.8% CI (Fingertips "worst")
``higher_95``, ``lower_95``, ``higher_998``, ``lower_998``
               the same for indicators with no polarity (no judgement)
``not_compared`` value, benchmark or a needed interval missing
============== ==================================================================
"""

from __future__ import annotations

import math

from projections.stats.polarity import improvement_sign

SIMILAR = "similar"
NOT_COMPARED = "not_compared"

_JUDGEMENT_WORDS = {1: ("better", "worse"), -1: ("worse", "better"), 0: ("higher", "lower")}


def compare_with_benchmark(
    value: float | None,
    benchmark: float | None,
    ci95: tuple[float, float] | None,
    ci998: tuple[float, float] | None = None,
    polarity: str = "higher",
) -> str:
    """Fingertips comparison code for an area against a benchmark.

    ``value`` is the area's value, ``ci95`` / ``ci998`` its (lower, upper)
    intervals. Pass ``ci998`` to get the two-level comparison.
    """
    sign = improvement_sign(polarity)
    if _missing(value, benchmark) or _interval_missing(ci95) or _interval_missing(ci998, optional=True):
        return NOT_COMPARED
    side = _side_of_benchmark(benchmark, ci95)
    if side == 0:
        return SIMILAR
    level = "998" if ci998 is not None and _side_of_benchmark(benchmark, ci998) != 0 else "95"
    return f"{_word(side, sign)}_{level}"


def _side_of_benchmark(benchmark: float, interval: tuple[float, float]) -> int:
    """+1 if the area is significantly above the benchmark, -1 below, 0 if the CI holds it."""
    lower, upper = interval
    if benchmark < lower:
        return 1
    if benchmark > upper:
        return -1
    return 0


def _word(side: int, sign: int) -> str:
    if_higher, if_lower = _JUDGEMENT_WORDS[sign]
    return if_higher if side > 0 else if_lower


def _missing(*numbers: float | None) -> bool:
    return any(x is None or math.isnan(x) for x in numbers)


def _interval_missing(interval: tuple[float, float] | None, optional: bool = False) -> bool:
    if interval is None:
        return not optional
    return _missing(*interval)
