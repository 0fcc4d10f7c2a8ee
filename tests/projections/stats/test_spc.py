"""XmR charts against DOMAIN.md, NHSRplotthedots and nhspy-plotthedots reference values.

Sources:
- DOMAIN.md: 1..10 -> mean 5.5, limits 2.84 / 8.16, 2-sigma 3.72667 / 7.27333;
- nhs-pycom/nhspy-plotthedots tests/unittests/test_limits_calculations.py and
  test_pandas_spc_x_calc.py (limits to full double precision);
- nhs-r-community/NHSRplotthedots tests/testthat: _snaps/ptd_spc_standard.md
  (set.seed(123); rnorm(20), with y[15] = 10 screened and unscreened, printed
  to 7 significant figures), _snaps/ptd_spc.md (two groups of 10, printed to
  3 significant figures) and test-ptd_spc_standard.R (2 of 3 points near
  opposite limits are common cause).
"""

import pytest

from projections.stats.spc import xmr_chart, xmr_limits

# R: set.seed(123); rnorm(20)
RNORM_20 = [
    -0.56047565, -0.23017749, 1.55870831, 0.07050839, 0.12928774,
    1.71506499, 0.46091621, -1.26506123, -0.68685285, -0.44566197,
    1.22408180, 0.35981383, 0.40077145, 0.11068272, -0.55584113,
    1.78691314, 0.49785048, -1.96661716, 0.70135590, -0.47279141,
]


def limits_tuple(limits):
    return (limits.mean, limits.lpl, limits.upl, limits.lower_2sigma, limits.upper_2sigma)


def test_one_to_ten_matches_the_domain_reference():
    chart = xmr_chart(list(range(1, 11)))
    assert (chart.mean, chart.lpl, chart.upl) == pytest.approx((5.5, 2.84, 8.16), abs=1e-12)
    assert (chart.lower_2sigma, chart.upper_2sigma) == pytest.approx((3.72667, 7.27333), abs=5e-6)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (list(range(1, 11)), (5.5, 2.84, 8.16, 3.7266666666666666, 7.273333333333333)),
        (list(range(10, 0, -1)), (5.5, 2.84, 8.16, 3.7266666666666666, 7.273333333333333)),
        ([1, 2, 3, 4, 5, 4, 3, 2, 1, 2], (2.7, 0.040000000000000036, 5.36, 0.9266666666666667, 4.473333333333334)),
        ([1, 2, 3], (2.0, -0.6600000000000001, 4.66, 0.22666666666666657, 3.7733333333333334)),
        (list(range(20)), (9.5, 6.84, 12.16, 7.726666666666667, 11.273333333333333)),
        ([3, 1, 4, 1, 5, 9, 2],
         (3.5714285714285716, -6.625238095238096, 13.768095238095238, -3.2263492063492065, 10.36920634920635)),
        ([1, 2, 3, 2, 1, 2, 3, 4, 5, 6, 7, 4, 3, 2, 1, 2],
         (3.0, -0.014666666666666828, 6.014666666666667, 0.9902222222222221, 5.009777777777778)),
        ([-1, -2, -3, -2, -1, -2, -3, -4, -5, -6, -7, -4, -3, -2, -1, -2],
         (-3.0, -6.014666666666667, 0.014666666666666828, -5.009777777777778, -0.9902222222222221)),
    ],
    ids=["increasing", "decreasing", "no trend", "three points", "zero to nineteen", "seven points", "mixed",
         "negative"],
)
def test_limits_match_nhspy_plotthedots(values, expected):
    assert limits_tuple(xmr_limits(values)) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_limits_of_random_normal_series_match_nhsrplotthedots():
    limits = xmr_limits(RNORM_20)
    assert (limits.mean, limits.lpl, limits.upl) == pytest.approx((0.1416238, -3.01138, 3.294627), abs=5e-7)


def test_screening_a_large_moving_range_matches_nhsrplotthedots():
    values = list(RNORM_20)
    values[14] = 10
    screened = xmr_limits(values)
    unscreened = xmr_limits(values, screen_outliers=False)
    assert (screened.mean, screened.lpl, screened.upl) == pytest.approx((0.6694159, -2.383666, 3.722497), abs=5e-7)
    assert (unscreened.lpl, unscreened.upl) == pytest.approx((-4.596625, 5.935457), abs=5e-7)


def test_a_moving_range_of_exactly_3267_times_the_mean_is_screened_out():
    # moving ranges: eight of 748, one of 749 and one of 3267 - mean exactly 1000
    values = [0, 748, 0, 748, 0, 748, 0, 748, 0, 749, -2518]
    assert xmr_limits(values, screen_outliers=False).mean_moving_range == 1000
    assert xmr_limits(values).mean_moving_range == pytest.approx(6733 / 9, rel=1e-15)


def test_random_normal_series_is_all_common_cause():
    chart = xmr_chart(RNORM_20, polarity="higher")
    assert [p.type for p in chart.points] == ["common_cause"] * 20
    assert chart.variation_icon == "common_cause"


def test_rebaselining_restarts_the_limits_as_nhsrplotthedots_groups_do():
    chart = xmr_chart(RNORM_20, rebase_at=[10])
    first, second = (segment.limits for segment in chart.segments)
    # printed as 0.0746 -2.60 2.75 and 0.209 -3.28 3.70: compare to half the last printed digit
    assert first.mean == pytest.approx(0.0746, abs=5e-5)
    assert second.mean == pytest.approx(0.209, abs=5e-4)
    assert (first.lpl, first.upl, second.lpl, second.upl) == pytest.approx((-2.60, 2.75, -3.28, 3.70), abs=5e-3)
    assert [p.segment for p in chart.points] == [0] * 10 + [1] * 10
    assert chart.points[3].mean == first.mean and chart.points[13].upl == second.upl
    assert (chart.mean, chart.upl) == (second.mean, second.upl)


def test_rule_runs_do_not_cross_a_rebaseline():
    values = [1, 2, 3, 4, 5, 6, 7]
    assert {p.rule for p in xmr_chart(values).points} == {"outside_limits", "trend"}
    rebased = xmr_chart(values, rebase_at=[4])
    assert not any(p.special_cause for p in rebased.points)


def test_fewer_than_thirteen_points_give_trial_limits():
    assert xmr_chart(RNORM_20[:12]).trial_limits is True
    assert xmr_chart(RNORM_20[:13]).trial_limits is False
    assert [s.limits.trial for s in xmr_chart(RNORM_20, rebase_at=[10]).segments] == [True, True]


def test_a_fixed_baseline_sets_the_limits_for_later_points_as_nhspy_does():
    chart = xmr_chart([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], baseline_points=3)
    assert (chart.mean, chart.lpl, chart.upl) == pytest.approx((2.0, -0.6600000000000001, 4.66), abs=1e-12)
    assert [p.rule == "outside_limits" for p in chart.points] == [False] * 4 + [True] * 4
    assert all(p.special_cause for p in chart.points)
    assert chart.trial_limits is True


def test_a_short_series_without_special_cause_matches_nhspy():
    chart = xmr_chart([16.0, 9.0, 4.0, 2.0, 1.0], baseline_points=11)
    assert (chart.mean, chart.lpl, chart.upl) == pytest.approx((6.4, -3.575000000000001, 16.375), abs=1e-12)
    assert not any(p.special_cause for p in chart.points)


def test_screening_every_nonzero_range_collapses_the_limits_onto_the_mean_as_nhspy_does():
    chart = xmr_chart([1, 1, 1, 1, 2])
    assert (chart.mean, chart.lpl, chart.upl) == pytest.approx((1.2, 1.2, 1.2), abs=1e-12)
    assert all(p.rule == "outside_limits" for p in chart.points)


def test_a_flat_series_keeps_zero_width_limits_and_no_special_cause():
    chart = xmr_chart([5, 5, 5, 5, 5, 5, 5, 5])
    assert (chart.lpl, chart.upl) == (5, 5)
    assert not any(p.special_cause for p in chart.points)


def test_one_to_ten_shows_limits_then_trend_and_an_improvement_icon_when_higher_is_better():
    chart = xmr_chart(list(range(1, 11)), polarity="higher")
    assert [p.rule for p in chart.points] == ["outside_limits"] * 2 + ["trend"] * 6 + ["outside_limits"] * 2
    assert [p.type for p in chart.points[:2]] == ["concern", "concern"]
    assert chart.points[5].type == "improvement"
    assert chart.variation_icon == "improvement_high"


@pytest.mark.parametrize(("polarity", "icon"), [("lower", "concern_high"), ("none", "neutral_high")])
def test_the_variation_icon_follows_polarity(polarity, icon):
    assert xmr_chart(list(range(1, 11)), polarity=polarity).variation_icon == icon


def test_seven_points_each_side_of_the_mean_are_shifts():
    chart = xmr_chart([1, 3, 1, 3, 1, 3, 1, -1, -3, -1, -3, -1, -3, -1], polarity="higher")
    assert (chart.mean, chart.upl, chart.upper_2sigma) == pytest.approx((0, 5.32, 3.5466666666666666), abs=1e-12)
    assert [p.direction for p in chart.points] == ["high"] * 7 + ["low"] * 7
    assert chart.variation_icon == "concern_low"


def test_a_point_exactly_on_the_mean_breaks_the_shift():
    chart = xmr_chart([1, 3, 0, 3, 1, 3, 1, -1, -3, 0, -3, -1, -3, -1])
    assert chart.mean == 0
    assert not any(p.special_cause for p in chart.points)


def test_an_equal_pair_breaks_a_trend_in_a_chart():
    rising = [10, 11, 12, 13, 14, 15, 16]
    flat_step = [10, 11, 12, 12, 14, 15, 16]
    wide = [0, 30] * 6  # wide limits so no other rule fires
    assert {p.rule for p in xmr_chart(wide + rising).points[12:]} == {"trend"}
    assert not any(p.special_cause for p in xmr_chart(wide + flat_step).points[12:])


def test_two_of_three_near_the_upper_limit_on_one_side_are_special_cause():
    values = [1, -1] * 8
    values[13:16] = [2, 5.5, 5.5]
    chart = xmr_chart(values, polarity="lower")
    assert chart.mean == pytest.approx(0.875)
    flagged = [(p.index, p.rule, p.type) for p in chart.points if p.special_cause]
    assert flagged == [(14, "two_in_three", "concern"), (15, "two_in_three", "concern")]
    assert chart.variation_icon == "concern_high"


def test_two_in_three_takes_priority_over_a_shift():
    # mean 8.2 / 27 = 0.3037; mean moving range 22.7 / 26: 2-sigma line 1.852, upper limit 2.626
    values = [0.5, -0.5] * 10 + [0.6, 0.8, 0.6, 0.8, 0.6, 2.4, 2.4]
    chart = xmr_chart(values)
    assert (chart.upper_2sigma, chart.upl) == pytest.approx((1.8519601139601138, 2.6260883190883195), rel=1e-12)
    assert [p.rule for p in chart.points[20:]] == ["shift"] * 5 + ["two_in_three"] * 2


def test_two_near_the_limit_with_the_third_point_across_the_mean_are_common_cause():
    values = [1, -1] * 8
    values[13:16] = [-1, 5.5, 5.5]
    assert not any(p.special_cause for p in xmr_chart(values).points)


def test_two_near_opposite_limits_are_common_cause_as_in_nhsrplotthedots():
    values = [1, -1] * 8
    values[14], values[15] = 5.5, -5.5
    chart = xmr_chart(values)
    assert [p.type for p in chart.points[-2:]] == ["common_cause", "common_cause"]


def test_a_point_outside_the_limits_does_not_count_towards_two_in_three():
    values = [1, -1] * 8
    values[13:16] = [2, 5.5, 9]
    chart = xmr_chart(values)
    assert chart.points[14].special_cause is False  # near the limit, but its partner is outside
    assert chart.points[15].rule == "outside_limits"


def test_assurance_icon_uses_the_current_limits():
    chart = xmr_chart(RNORM_20, polarity="higher", target=4.0)
    assert chart.assurance_icon == "consistent_fail"
    assert xmr_chart(RNORM_20, polarity="lower", target=4.0).assurance_icon == "consistent_pass"
    assert xmr_chart(RNORM_20, polarity="higher", target=0.0).assurance_icon == "hit_and_miss"
    assert xmr_chart(RNORM_20, polarity="higher").assurance_icon is None


def test_a_rebaseline_at_the_last_point_leaves_it_without_limits():
    chart = xmr_chart(RNORM_20, polarity="higher", target=0.0, rebase_at=[19])
    last = chart.points[-1]
    assert (last.lpl, last.upl, last.special_cause, last.type) == (None, None, False, "common_cause")
    assert chart.trial_limits is True and chart.assurance_icon is None


@pytest.mark.parametrize(
    ("values", "options"),
    [
        ([], {}),
        ([1.0, float("nan"), 2.0], {}),
        ([1.0, 2.0, 3.0], {"rebase_at": [3]}),
        ([1.0, 2.0, 3.0], {"rebase_at": [-1]}),
        ([1.0, 2.0, 3.0], {"baseline_points": 1}),
        ([1.0, 2.0, 3.0], {"polarity": "up"}),
    ],
    ids=["empty", "missing value", "rebase past the end", "negative rebase", "one-point baseline", "bad polarity"],
)
def test_invalid_charts_are_refused(values, options):
    with pytest.raises(ValueError):
        xmr_chart(values, **options)
