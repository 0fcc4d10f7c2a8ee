"""Benchmark comparison against Fingertips' own test cases.

Source: fingertips-open PholioVisualisationWS/AnalysisTest
SingleOverlappingCIsForOneCILevelComparatorTest and
SingleOverlappingCIsForTwoCILevelsComparerTest (ukhsa-collaboration/fingertips-open).
Fingertips' Same/Better/Worse/Best/Worst map to our similar/better_95/
worse_95/better_998/worse_998; its polarity 0 = lower is better, 1 = higher.
"""

import math

import pytest

from projections.stats.comparison import compare_with_benchmark


def test_a_benchmark_equal_to_the_value_is_similar():
    for polarity in ("lower", "higher"):
        assert compare_with_benchmark(11, 11, (10, 12), polarity=polarity) == "similar"


def test_a_benchmark_inside_the_95_interval_is_similar():
    assert compare_with_benchmark(3.05, 3.0, (2.7, 3.1), polarity="lower") == "similar"


def test_an_area_above_the_benchmark_is_worse_when_lower_is_better():
    assert compare_with_benchmark(3.3, 3.0, (3.2, 3.5), polarity="lower") == "worse_95"
    assert compare_with_benchmark(3.3, 3.0, (3.2, 3.5), polarity="higher") == "better_95"


def test_an_area_below_the_benchmark_is_better_when_lower_is_better():
    assert compare_with_benchmark(2.5, 3.0, (2.2, 2.8), polarity="lower") == "better_95"
    assert compare_with_benchmark(2.5, 3.0, (2.2, 2.8), polarity="higher") == "worse_95"


TWO_LEVEL_DATA = {"value": 2.6, "ci95": (2.5, 2.7), "ci998": (2.3, 2.9)}


@pytest.mark.parametrize(
    ("benchmark", "when_lower_is_better", "when_higher_is_better"),
    [
        (3.0, "better_998", "worse_998"),  # benchmark above the upper 99.8% limit
        (2.8, "better_95", "worse_95"),  # between the upper 95% and 99.8% limits
        (2.6, "similar", "similar"),
        (2.4, "worse_95", "better_95"),  # between the lower limits
        (2.2, "worse_998", "better_998"),  # below the lower 99.8% limit
    ],
)
def test_two_level_comparison_matches_fingertips(benchmark, when_lower_is_better, when_higher_is_better):
    assert compare_with_benchmark(benchmark=benchmark, polarity="lower", **TWO_LEVEL_DATA) == when_lower_is_better
    assert compare_with_benchmark(benchmark=benchmark, polarity="higher", **TWO_LEVEL_DATA) == when_higher_is_better


def test_interval_bounds_count_as_inside():
    assert compare_with_benchmark(2.6, 2.7, (2.5, 2.7), polarity="higher") == "similar"
    assert compare_with_benchmark(2.6, 2.5, (2.5, 2.7), polarity="higher") == "similar"
    assert compare_with_benchmark(benchmark=2.9, polarity="higher", **TWO_LEVEL_DATA) == "worse_95"
    assert compare_with_benchmark(benchmark=2.3, polarity="higher", **TWO_LEVEL_DATA) == "better_95"


@pytest.mark.parametrize(
    ("benchmark", "code"),
    [(3.0, "lower_998"), (2.8, "lower_95"), (2.6, "similar"), (2.4, "higher_95"), (2.2, "higher_998")],
)
def test_without_polarity_only_higher_or_lower_is_said(benchmark, code):
    assert compare_with_benchmark(benchmark=benchmark, polarity="none", **TWO_LEVEL_DATA) == code


@pytest.mark.parametrize(
    ("value", "benchmark", "ci95", "ci998"),
    [
        (None, 3.0, (2.2, 2.8), None),
        (2.5, None, (2.2, 2.8), None),
        (2.5, 3.0, None, None),
        (2.5, 3.0, (2.2, math.nan), None),
        (2.5, 3.0, (2.2, 2.8), (None, 2.9)),
    ],
    ids=["no value", "no benchmark", "no interval", "half an interval", "half a 99.8% interval"],
)
def test_missing_data_is_not_compared(value, benchmark, ci95, ci998):
    assert compare_with_benchmark(value, benchmark, ci95, ci998) == "not_compared"


def test_an_unknown_polarity_is_refused():
    with pytest.raises(ValueError, match="polarity"):
        compare_with_benchmark(2.5, 3.0, (2.2, 2.8), polarity="RAG")
