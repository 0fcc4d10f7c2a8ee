"""Placing a peer group on its funnel, with and without the over-dispersion adjustment.

The unadjusted positions reuse PHEindicatormethods' crude-rate significance
(tests/testthat/testdata_funnel_rate_dsr_inputs.csv, per 100,000, including
the area with 0 events). The over-dispersed proportions example is worked by
hand: for p = 1/2 + d the arcsine-scale z-score at n = 10,000 is
100 asin(2d), roughly 200 d.
"""

import pytest

from projections.stats.funnel import FunnelLimits
from projections.stats.funnel_assessment import assess_proportions, assess_rates, position_against
from tests.projections.stats.phe_funnel_data import CRUDE_RATES, PHE_LABELS

SHARES = [0.50, 0.52, 0.48, 0.55, 0.45, 0.51, 0.49, 0.53, 0.47, 0.50]


@pytest.fixture
def over_dispersed():
    return assess_proportions([10000 * p for p in SHARES], [10000] * len(SHARES))


def test_over_dispersed_proportions_have_phi_well_above_one(over_dispersed):
    # z ~ (0, 4, -4, 10, -10, 2, -2, 6, -6, 0), winsorised to +/-6.4: phi ~ 193.92 / 10
    assert over_dispersed.overdispersion.phi == pytest.approx(19.392, rel=2e-3)
    assert over_dispersed.overdispersion.tau2 == pytest.approx(184.92 / 360000, rel=3e-3)
    assert over_dispersed.target == pytest.approx(0.5)


def test_a_provider_flagged_only_by_plain_limits_says_so(over_dispersed):
    position = over_dispersed.providers[1]  # 52%: z ~ 4 unadjusted, inside adjusted limits
    assert (position.unadjusted, position.adjusted, position.flagged_by) == ("above_998", "inside", "unadjusted")


def test_a_provider_flagged_by_both_limits_says_so(over_dispersed):
    position = over_dispersed.providers[3]  # 55%: beyond the adjusted 95% band (~ +/-4.55 points)
    assert (position.unadjusted, position.adjusted, position.flagged_by) == ("above_998", "above_95", "both")
    assert over_dispersed.providers[4].adjusted == "below_95"


def test_a_provider_on_target_is_flagged_by_neither(over_dispersed):
    position = over_dispersed.providers[0]
    assert (position.unadjusted, position.adjusted, position.flagged_by) == ("inside", "inside", "none")


def test_adjusted_limits_are_wider_than_plain_ones(over_dispersed):
    plain, wide = over_dispersed.providers[0].unadjusted_limits, over_dispersed.providers[0].adjusted_limits
    assert wide.lower_998 < wide.lower_95 < plain.lower_95 < plain.upper_95 < wide.upper_95 < wide.upper_998


def test_a_provider_flagged_only_by_adjusted_limits_says_so():
    plain = FunnelLimits(100, 0.5, 0.40, 0.60, 0.35, 0.65)
    adjusted = FunnelLimits(100, 0.5, 0.42, 0.58, 0.36, 0.64)
    assert position_against(0.59, plain, adjusted).flagged_by == "adjusted"


def test_rate_assessment_reproduces_phe_positions_on_the_unadjusted_limits():
    counts, populations = [r[0] for r in CRUDE_RATES], [r[1] for r in CRUDE_RATES]
    result = assess_rates(counts, populations, multiplier=1e5)
    assert [p.unadjusted for p in result.providers] == [PHE_LABELS[r[2]] for r in CRUDE_RATES]
    assert result.target == pytest.approx(1e5 * sum(counts) / sum(populations))


def test_rate_assessment_flags_fewer_providers_once_over_dispersion_is_allowed_for():
    counts, populations = [r[0] for r in CRUDE_RATES], [r[1] for r in CRUDE_RATES]
    result = assess_rates(counts, populations, multiplier=1e5)
    plain = sum(p.unadjusted != "inside" for p in result.providers)
    adjusted = sum(p.adjusted != "inside" for p in result.providers)
    assert result.overdispersion.phi > 1 and result.overdispersion.tau2 > 0
    assert adjusted < plain
    assert result.providers[-1].flagged_by == "both"  # the area with no events at all


def test_without_over_dispersion_the_adjusted_limits_are_the_plain_ones():
    result = assess_rates([10, 20, 30], [1000, 2000, 3000], multiplier=1000)
    assert result.overdispersion.tau2 == 0.0
    assert all(p.adjusted_limits == p.unadjusted_limits for p in result.providers)
    assert all(p.flagged_by == "none" for p in result.providers)
