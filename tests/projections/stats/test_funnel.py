"""Funnel-plot limits and positions against PHEindicatormethods' published test data.

Source: ukhsa-collaboration/PHEindicatormethods tests/testthat:
- testdata_funnel_prop_outputs.csv and ..._with_axis_variation.csv: limits (in %)
  by population around the pooled baseline of testdata_funnel_prop_inputs.csv;
- testdata_funnel_prop_inputs.csv: each area's significance;
- testdata_funnel_rate_outputs.csv: DSR funnel, 3 years of data, baseline
  116.1720835 per 100,000; for E events the population P = U(E)/baseline at
  which E events sit exactly on a limit, and the limit E/P;
- testdata_funnel_rate_dsr_inputs.csv: crude rates per 100,000 and their
  significance, with and without the area that had 0 events.
"""

import pytest

from projections.stats.funnel import (
    FunnelLimits,
    funnel_position,
    pooled_target,
    proportion_funnel_limits,
    rate_funnel_limits,
)
from tests.projections.stats.phe_funnel_data import CRUDE_RATES, PHE_LABELS


def as_percent(limits: FunnelLimits) -> tuple[float, float, float, float]:
    return tuple(100 * v for v in (limits.lower_95, limits.upper_95, limits.lower_998, limits.upper_998))


# --- proportions -------------------------------------------------------------

AXIS_VARIATION_BASELINE = 0.8218033788  # published 82.18033788 %


@pytest.mark.parametrize(
    ("population", "lower_95", "upper_95", "lower_998", "upper_998"),
    [
        (10000, 81.43030244, 82.93037332, 80.99777342, 83.36290233),
        (10121, 81.43479938, 82.92587637, 81.00486365, 83.3558121),
        (14016, 81.54680415, 82.8138716, 81.18145912, 83.17921663),
        (20125, 81.65163236, 82.70904339, 81.34673947, 83.01393629),
        (33000, 81.76745696, 82.5932188, 81.52935757, 82.83131819),
    ],
)
def test_proportion_limits_match_phe_to_eight_decimals_of_a_percent(
    population, lower_95, upper_95, lower_998, upper_998
):
    limits = proportion_funnel_limits(population, AXIS_VARIATION_BASELINE)
    assert as_percent(limits) == pytest.approx((lower_95, upper_95, lower_998, upper_998), abs=1.5e-8)


FULL_BASELINE = 0.80642448  # published 80.642448 %


@pytest.mark.parametrize(
    ("population", "lower_95", "upper_95", "lower_998", "upper_998"),
    [
        (1, 3.204264, 100, 0, 100),
        (2, 25.885383, 100, 0, 100),
        (3, 35.933491, 100, 10.150815, 100),
        (18, 62.390093, 98.894803, 51.864359, 100),
        (45, 69.098645, 92.186251, 62.441586, 98.843309),
        (110000, 80.408963, 80.875933, 80.274317, 81.010578),
    ],
)
def test_proportion_limits_are_clipped_to_zero_and_one_hundred_percent_as_phe_does(
    population, lower_95, upper_95, lower_998, upper_998
):
    limits = proportion_funnel_limits(population, FULL_BASELINE)
    assert as_percent(limits) == pytest.approx((lower_95, upper_95, lower_998, upper_998), abs=1.1e-6)


@pytest.mark.parametrize(
    ("area", "numerator", "denominator", "phe_label"),
    [
        ("New Forest PCT", 35078.4880, 41980, "High (0.001)"),
        ("Mansfield District PCT", 18986.0, 22000, "High (0.001)"),
        ("West Norfolk PCT", 26789.2380, 33012, "High (0.025)"),
        ("North Tees PCT", 36850.0492, 45449, "High (0.025)"),
        ("South Gloucestershire PCT", 50050.7443, 61921, "Not significant"),
        ("Central Derby PCT", 24648.7596, 30521, "Not significant"),
        ("North Devon PCT", 30277.5312, 37828, "Low (0.025)"),
        ("Norwich PCT", 24803.6256, 31824, "Low (0.001)"),
    ],
)
def test_proportion_positions_match_phe_significance(area, numerator, denominator, phe_label):
    limits = proportion_funnel_limits(denominator, FULL_BASELINE)
    assert funnel_position(numerator / denominator, limits) == PHE_LABELS[phe_label], area


def test_a_value_exactly_on_a_limit_is_inside():
    limits = FunnelLimits(100, 0.5, 0.4, 0.6, 0.3, 0.7)
    assert funnel_position(0.6, limits) == "inside"
    assert funnel_position(0.7, limits) == "above_95"
    assert funnel_position(0.3, limits) == "below_95"
    assert funnel_position(0.2999, limits) == "below_998"


def test_pooled_target_is_total_numerator_over_total_denominator():
    assert pooled_target([1, 3], [10, 30]) == 0.1
    assert pooled_target([0, 6], [50, 50]) == 0.06


def test_pooled_target_needs_a_positive_total_denominator():
    with pytest.raises(ValueError):
        pooled_target([0], [0])


def test_proportion_limits_refuse_a_target_outside_zero_to_one():
    with pytest.raises(ValueError):
        proportion_funnel_limits(100, 1.2)


# --- rates ---------------------------------------------------------------

DSR_BASELINE = 116.1720835e-5  # published baseline 116.1720835 per 100,000
YEARS = 3  # PHE divides populations by years_of_data


@pytest.mark.parametrize(
    ("events", "lower_95_population", "lower_95", "upper_95_population", "upper_95"),
    [
        (10, 5276.757672, 63.17010446, 1375.943768, 242.2579623),
        (99, 34583.45945, 95.42133877, 23087.10848, 142.9369123),
        (1360, 411529.9259, 110.158048, 369759.5622, 122.6021934),
    ],
)
def test_rate_95_limits_match_phe_where_events_sit_on_the_limit(
    events, lower_95_population, lower_95, upper_95_population, upper_95
):
    # PHE finds each point by bisection to 1e-7, so agreement is to about 3e-7 relative.
    lower = rate_funnel_limits(lower_95_population * YEARS, DSR_BASELINE, 100000)
    upper = rate_funnel_limits(upper_95_population * YEARS, DSR_BASELINE, 100000)
    assert lower.lower_95 == pytest.approx(lower_95, rel=1e-6)
    assert upper.upper_95 == pytest.approx(upper_95, rel=1e-6)


@pytest.mark.parametrize(
    ("events", "lower_998_population", "lower_998", "upper_998_population", "upper_998"),
    [
        (10, 6924.776769, 48.13632908, 849.4639547, 392.4043292),
        (99, 38382.78582, 85.97604186, 20393.92315, 161.8129075),
        (1360, 424043.2424, 106.9073359, 358342.3275, 126.5084525),
    ],
)
def test_rate_998_limits_match_phe_where_events_sit_on_the_limit(
    events, lower_998_population, lower_998, upper_998_population, upper_998
):
    lower = rate_funnel_limits(lower_998_population * YEARS, DSR_BASELINE, 100000)
    upper = rate_funnel_limits(upper_998_population * YEARS, DSR_BASELINE, 100000)
    assert lower.lower_998 == pytest.approx(lower_998, rel=1e-6)
    assert upper.upper_998 == pytest.approx(upper_998, rel=1e-6)


def test_rate_limits_for_a_single_event_match_phe_within_its_bisection_tolerance():
    # E = 1: populations of 7.26 and 0.287 person-years, so PHE's 1e-7 stopping rule shows.
    assert rate_funnel_limits(1598.675694 * YEARS, DSR_BASELINE, 100000).lower_95 == pytest.approx(
        20.85059119, rel=1e-5
    )
    assert rate_funnel_limits(7.264481402 * YEARS, DSR_BASELINE, 100000).upper_95 == pytest.approx(
        4588.535848, rel=1e-5
    )
    assert rate_funnel_limits(0.287087625 * YEARS, DSR_BASELINE, 100000).upper_998 == pytest.approx(
        116108.569, rel=1e-5
    )


def test_rate_limits_carry_the_target_on_the_multiplied_scale():
    assert rate_funnel_limits(1000, DSR_BASELINE, 100000).target == pytest.approx(116.1720835)


def test_no_count_is_significantly_low_when_even_zero_events_is_plausible():
    # Expected 3 events: P(X = 0) = e^-3 = 0.0498 > 0.025, so the lower 95% limit is 0.
    assert rate_funnel_limits(1000, 0.003).lower_95 == 0.0


def rate_positions(rows):
    counts, populations = [r[0] for r in rows], [r[1] for r in rows]
    target = pooled_target(counts, populations)
    return [funnel_position(x / n * 1e5, rate_funnel_limits(n, target, 1e5)) for x, n in zip(counts, populations)]


def test_crude_rate_positions_match_phe_with_the_zero_event_area():
    assert rate_positions(CRUDE_RATES) == [PHE_LABELS[r[2]] for r in CRUDE_RATES]


def test_crude_rate_positions_match_phe_without_the_zero_event_area():
    rows = [r for r in CRUDE_RATES if r[0] > 0]
    assert rate_positions(rows) == [PHE_LABELS[r[3]] for r in rows]


def test_rate_limits_need_a_positive_denominator_and_target():
    with pytest.raises(ValueError):
        rate_funnel_limits(0, 0.1)
    with pytest.raises(ValueError):
        rate_funnel_limits(100, 0)
