"""Special-cause rules against NHSRplotthedots' own unit tests.

Source: nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R
(ptd_seven_point_trend + ptd_part_of_seven_trend, ptd_seven_point_one_side_mean,
ptd_two_in_three + ptd_part_of_two_in_three). Our functions return the
"part of" flags directly, signed by direction.
"""

import pytest

from projections.stats.spc_rules import (
    beyond_two_sigma,
    outside_limits,
    shift_flags,
    sides_of_mean,
    special_causes,
    trend_flags,
    two_in_three_flags,
)


@pytest.mark.parametrize(
    ("values", "flags"),
    [
        ([], []),
        ([1, 2, 3, 4, 5, 6], [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),
        ([1, 2, 3, 4, 5, 6, 7], [1] * 7),
        ([2, 1, 2, 3, 4, 5, 6, 7, 3], [0] + [1] * 7 + [0]),
        ([7, 6, 5, 4, 3, 2, 1], [-1] * 7),
        ([2, 7, 6, 5, 4, 3, 2, 1, 3], [0] + [-1] * 7 + [0]),
    ],
    ids=["empty", "six points", "equal pair breaks", "increasing", "increasing inside", "decreasing",
         "decreasing inside"],
)
def test_trend_of_seven_points_matches_nhsrplotthedots(values, flags):
    assert trend_flags(values) == flags


def test_seven_equal_values_are_not_a_trend():
    # nhspy-plotthedots' special_cause_flag test flags these; NHSRplotthedots and DOMAIN.md do not.
    assert trend_flags([1] * 7) == [0] * 7


def test_a_flat_stretch_after_a_trend_leaves_the_trend_flagged():
    assert trend_flags([1, 2, 3, 4, 5, 6, 7, 7, 7, 7, 7, 7, 7]) == [1] * 7 + [0] * 6


def test_a_peak_shared_by_two_trends_takes_the_later_direction():
    values = [1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1]
    assert trend_flags(values) == [1] * 6 + [-1] * 7


@pytest.mark.parametrize(
    ("sides", "flags"),
    [
        ([], []),
        ([1] * 6, [0] * 6),
        ([1] * 6 + [-1], [0] * 7),
        ([1] * 8 + [-1], [1] * 8 + [0]),
        ([-1] * 8 + [1], [-1] * 8 + [0]),
    ],
)
def test_shift_of_seven_points_matches_nhsrplotthedots(sides, flags):
    assert shift_flags(sides) == flags


def test_a_point_on_the_mean_breaks_a_shift():
    assert shift_flags([1, 1, 1, 0, 1, 1, 1, 1]) == [0] * 8


@pytest.mark.parametrize(
    ("near", "sides", "flags"),
    [
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0] * 4),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        ([1, 0, 1], [1, -1, 1], [0] * 3),
        ([0, 1, 1], [1, -1, 1], [0] * 3),
        ([1, 1, 0], [1, -1, 1], [0] * 3),
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_two_in_three_matches_nhsrplotthedots(near, sides, flags):
    assert two_in_three_flags([bool(n) for n in near], sides) == flags


def test_two_in_three_below_the_mean_is_flagged_low():
    assert two_in_three_flags([True, False, True], [-1, -1, -1]) == [-1, 0, -1]


def test_points_outside_the_limits_are_not_near_them():
    assert beyond_two_sigma([1.5, 2.5, 3.5, -2.5], -2, 2, -3, 3) == [False, True, False, True]


def test_limits_and_mean_sides_are_strict():
    assert outside_limits([3, 3.01, -3, -3.01], -3, 3) == [0, 1, 0, -1]
    assert sides_of_mean([1, 0, -1], 0) == [1, 0, -1]


def test_a_point_outside_the_limits_takes_priority_over_a_trend():
    causes = special_causes([1, 2, 3, 4, 5, 6, 7], mean=4, lpl=1.5, upl=6.5, lower_2sigma=2.5, upper_2sigma=5.5)
    assert causes[0] == ("outside_limits", "low")
    assert causes[6] == ("outside_limits", "high")
    assert causes[1:6] == [("trend", "high")] * 5


def test_common_cause_points_have_no_rule():
    assert special_causes([1, -1, 1], 0, -3, 3, -2, 2) == [None, None, None]
