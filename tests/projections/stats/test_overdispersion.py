"""Over-dispersion (Spiegelhalter 2005, QSHC) against FunnelPlotR and worked examples.

Published reference: FunnelPlotR tests/testthat/test-classes_methods.R
(nhs-r-community/FunnelPlotR): observed (100, 150, 180, 80, 120, 225) against
expected (108, 112, 165, 95, 100, 220), log-transformed standardised ratios
(its default "SHMI" method) give phi = 2.948033. FunnelPlotR trims by rank
groups for that method, which with six units removes none, so it matches
trim = 0 here.

The other expectations are worked by hand from the formulas (shown in each
test), with inputs chosen so the arithmetic is exact.
"""

import math

import pytest

from projections.stats.overdispersion import (
    adjusted_proportion_limits,
    adjusted_rate_limits,
    between_provider_variance,
    proportion_overdispersion,
    rate_overdispersion,
    winsorise,
)

Z95, Z998 = 1.959963984540054, 3.090232306167813


def test_phi_for_log_standardised_ratios_matches_funnelplotr():
    observed = [100, 150, 180, 80, 120, 225]
    expected = [108, 112, 165, 95, 100, 220]
    spread = rate_overdispersion(observed, expected, target=1.0, transform="log", trim=0)
    assert spread.phi == pytest.approx(2.948033, abs=5e-7)
    assert spread.units == 6
    assert spread.transform == "log"


def test_square_root_z_scores_give_phi_and_tau_squared_by_hand():
    # z = 2(sqrt O - sqrt E): (36, 25) -> 2, (16, 25) -> -2, (121, 100) -> 2, (81, 100) -> -2.
    # phi = 4; w = 4E = 100, 100, 400, 400: sum w = 1000, sum w^2 / sum w = 340;
    # tau^2 = (4 * 4 - 3) / (1000 - 340) = 13 / 660.
    spread = rate_overdispersion([36, 16, 121, 81], [25, 25, 100, 100], target=1.0)
    assert spread.phi == pytest.approx(4.0, rel=1e-12)
    assert spread.tau2 == pytest.approx(13 / 660, rel=1e-12)


def test_winsorising_pulls_in_the_outer_ten_percent():
    # PERCENTILE.INC of (-3, -1, 0, 1, 5): 10% -> -3 + 0.4 * 2 = -2.2, 90% -> 1 + 0.6 * 4 = 3.4
    assert winsorise([-3, -1, 0, 1, 5], 0.1) == pytest.approx([-2.2, -1, 0, 1, 3.4], abs=1e-12)


def test_phi_is_taken_from_winsorised_z_scores():
    # E = 25 (sqrt 5) and sqrt O = 5 + z/2 give z = -3, -1, 0, 1, 5; winsorised as above,
    # phi = (4.84 + 1 + 0 + 1 + 11.56) / 5 = 3.68; w = 100 each:
    # tau^2 = (5 * 3.68 - 4) / (500 - 100) = 0.036.
    spread = rate_overdispersion([12.25, 20.25, 25, 30.25, 56.25], [25] * 5, target=1.0)
    assert spread.phi == pytest.approx(3.68, rel=1e-12)
    assert spread.tau2 == pytest.approx(0.036, rel=1e-12)


def test_arcsine_z_scores_give_phi_and_tau_squared_by_hand():
    # sin^2(pi/4 +/- 0.1) = (1 +/- sin 0.2) / 2 around p0 = 1/2, s = 1/(2 sqrt 100) = 0.05:
    # z = +/-2, phi = 4; w = 400 each: tau^2 = (2 * 4 - 1) / (800 - 400) = 7/400.
    numerators = [50 * (1 + math.sin(0.2)), 50 * (1 - math.sin(0.2))]
    spread = proportion_overdispersion(numerators, [100, 100], trim=0)
    assert spread.phi == pytest.approx(4.0, rel=1e-9)
    assert spread.tau2 == pytest.approx(7 / 400, rel=1e-9)
    assert spread.transform == "arcsine"


def test_adjusted_proportion_limits_widen_by_tau_squared():
    # sin^2(pi/4 +/- a) = (1 +/- sin 2a) / 2 with a = z sqrt(1/400 + 0.0175) = z sqrt(0.02)
    limits = adjusted_proportion_limits(100, 0.5, 0.0175)
    a95, a998 = Z95 * math.sqrt(0.02), Z998 * math.sqrt(0.02)
    assert (limits.lower_95, limits.upper_95) == pytest.approx(
        ((1 - math.sin(2 * a95)) / 2, (1 + math.sin(2 * a95)) / 2), rel=1e-12
    )
    assert (limits.lower_998, limits.upper_998) == pytest.approx(
        ((1 - math.sin(2 * a998)) / 2, (1 + math.sin(2 * a998)) / 2), rel=1e-12
    )


def test_adjusted_proportion_limit_stays_at_zero_instead_of_folding_back():
    limits = adjusted_proportion_limits(10, 0.01, 0.1)
    assert limits.lower_95 == 0.0 and limits.lower_998 == 0.0
    assert 0 < limits.upper_95 < limits.upper_998 < 1


def test_adjusted_square_root_rate_limits_by_hand():
    # E = 0.01 * 2500 = 25, s^2 = 1/(4 * 25) = 0.01; with tau^2 = 0.03 the spread is 0.2:
    # limits = target * (1 -/+ 0.2 z)^2, per 1,000.
    limits = adjusted_rate_limits(2500, 0.01, 0.03, "sqrt", 1000)
    expected = [10 * (1 + sign * 0.2 * z) ** 2 for z in (Z95, Z998) for sign in (-1, 1)]
    got = [limits.lower_95, limits.upper_95, limits.lower_998, limits.upper_998]
    assert got == pytest.approx(expected, rel=1e-12)
    assert limits.target == 10


def test_adjusted_square_root_lower_limit_is_floored_at_zero():
    limits = adjusted_rate_limits(2500, 0.01, 0.3, "sqrt")
    assert limits.lower_998 == 0.0


def test_adjusted_log_rate_limits_by_hand():
    # E = 25, s^2 = 1/25 = 0.04; tau^2 = 0.05 -> spread 0.3: limits = target * exp(-/+ 0.3 z)
    limits = adjusted_rate_limits(2500, 0.01, 0.05, "log")
    expected = [0.01 * math.exp(sign * 0.3 * z) for z in (Z95, Z998) for sign in (-1, 1)]
    got = [limits.lower_95, limits.upper_95, limits.lower_998, limits.upper_998]
    assert got == pytest.approx(expected, rel=1e-12)


def test_no_between_provider_variance_when_providers_sit_on_target():
    spread = rate_overdispersion([10, 20, 30], [1000, 2000, 3000])
    assert spread.phi == pytest.approx(0.0, abs=1e-20)
    assert spread.tau2 == 0.0


def test_tau_squared_is_zero_when_phi_does_not_exceed_n_minus_one_over_n():
    assert between_provider_variance(0.75, [0.1, 0.1, 0.1, 0.1]) == 0.0
    assert between_provider_variance(0.76, [0.1, 0.1, 0.1, 0.1]) > 0.0


def test_a_single_provider_has_no_between_provider_variance():
    assert between_provider_variance(9.0, [0.1]) == 0.0


def test_log_transform_refuses_a_provider_with_no_events():
    with pytest.raises(ValueError, match="sqrt"):
        rate_overdispersion([0, 5], [10, 10], transform="log")


def test_square_root_transform_copes_with_a_provider_with_no_events():
    assert rate_overdispersion([0, 5], [10, 10]).phi > 0


def test_an_unknown_transform_is_refused():
    with pytest.raises(ValueError, match="transform"):
        rate_overdispersion([1, 5], [10, 10], transform="logit")


def test_denominators_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        proportion_overdispersion([1, 0], [10, 0], target=0.1)
