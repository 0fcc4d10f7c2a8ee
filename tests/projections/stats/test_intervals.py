"""Confidence intervals against published reference values.

Sources:
- DOMAIN.md "Statistical methods" (z values, Wilson and Byar references);
- PHEindicatormethods tests/testthat/testdata_Byars_Wilson.xlsx (sheet testdata_B_W),
  testdata_Proportion.xlsx (testdata_Prop), testdata_Rate.xlsx (testdata_Rate,
  testdata_Rate_g) and testdata_Mean.xlsx (testdata_Mean_results), repository
  ukhsa-collaboration/PHEindicatormethods;
- FunnelPlotR R/calculate_limits.R, which hard-codes z = 1.959964 and 3.090232.
"""

import math

import pytest

from projections.stats.intervals import (
    byar_interval,
    count_interval,
    exact_poisson_interval,
    mean_interval,
    poisson_method,
    rate_interval,
    wilson_interval,
    z_for_level,
)

TIGHT = 1e-9


@pytest.mark.parametrize(("level", "z"), [(0.95, 1.959964), (0.998, 3.090232)])
def test_z_for_a_two_sided_level_matches_the_published_constants(level, z):
    assert z_for_level(level) == pytest.approx(z, abs=5e-7)


# --- Wilson score interval -------------------------------------------------

WILSON_REFERENCES = [
    # x, n, level, lower, upper  (PHE testdata_B_W and testdata_Prop)
    (65, 100, 0.95, 0.55254443296887967, 0.73635751756902468),
    (65, 100, 0.998, 0.49549465740704313, 0.77835406140896968),
    (1045, 5000, 0.95, 0.19795549880013297, 0.22049130373189027),
    (1045, 5000, 0.998, 0.19179381799015244, 0.22731562902525818),
    (0.445, 1, 0.95, 4.3817447720588223e-2, 0.93346212769791559),
    (0.445, 1, 0.998, 1.9347006132900975e-2, 0.97022599470195414),
    (1, 100, 0.95, 1.7674320641406511e-3, 5.4486196178705294e-2),
    (1, 100, 0.998, 8.73065697299977e-4, 0.10455445283705821),
    (5, 100, 0.95, 2.154367915436798e-2, 0.11175046923191911),
    (20, 100, 0.998, 0.10519162066711432, 0.3471109417008601),
    (9856, 12345, 0.95, 0.79121017529090687, 0.80536400736149094),
    (7776456, 7564336677, 0.95, 1.0273201001641094e-3, 1.0287644578977231e-3),
    (7776456, 7564336677, 0.998, 1.0269040118442213e-3, 1.0291812992698397e-3),
    (222, 3215, 0.95, 6.0791690363636595e-2, 7.8339566813836331e-2),
    (999, 3456, 0.998, 0.26583995768074953, 0.31344754492799848),
]


@pytest.mark.parametrize(("x", "n", "level", "lower", "upper"), WILSON_REFERENCES)
def test_wilson_interval_matches_phe_reference_values(x, n, level, lower, upper):
    got = wilson_interval(x, n, level)
    assert got == pytest.approx((lower, upper), rel=TIGHT)


def test_wilson_interval_with_no_events_starts_at_zero():
    # Closed form for x = 0: upper = z^2 / (n + z^2) = 3.8414588206941254 / 103.8414588206941254
    assert wilson_interval(0, 100) == pytest.approx((0.0, 0.03699349820698568), rel=TIGHT)
    assert wilson_interval(0, 100)[0] == 0.0


def test_wilson_interval_with_every_case_an_event_ends_at_one():
    # Closed form for x = n: lower = n / (n + z^2) = 100 / 103.8414588206941254
    lower, upper = wilson_interval(100, 100)
    assert upper == 1.0
    assert lower == pytest.approx(0.9630065017930143, rel=TIGHT)


@pytest.mark.parametrize(
    ("x", "n"), [(1, 0), (-1, 10), (11, 10)], ids=["zero denominator", "negative", "x above n"]
)
def test_wilson_interval_refuses_undefined_proportions(x, n):
    with pytest.raises(ValueError):
        wilson_interval(x, n)


@pytest.mark.parametrize("level", [0.0, 1.0, 95, -0.5])
def test_levels_must_be_fractions_strictly_between_zero_and_one(level):
    with pytest.raises(ValueError, match="confidence level"):
        wilson_interval(5, 10, level)


# --- Byar, exact Poisson and rates --------------------------------------

BYAR_REFERENCES = [
    # x, level, lower, upper  (PHE testdata_B_W; DOMAIN.md for x = 65 at 95%)
    (65, 0.95, 50.163187710459454, 82.849138545939837),
    (1045, 0.95, 982.59320180733255, 1110.3312129856499),
    (1, 0.95, 1.3072132901504351e-2, 5.5637555824752605),
    (65, 0.998, 42.880261471480203, 94.000290844318016),
    (1045, 0.998, 947.94070356103737, 1148.8061609880331),
    (10, 0.998, 2.916318374695686, 24.193724927880535),
]


@pytest.mark.parametrize(("x", "level", "lower", "upper"), BYAR_REFERENCES)
def test_byar_interval_matches_phe_reference_values(x, level, lower, upper):
    assert byar_interval(x, level) == pytest.approx((lower, upper), rel=TIGHT)


def test_byar_lower_limit_is_floored_at_zero_where_the_formula_goes_negative():
    # PHE testdata_B_W row 14: x = 1 at 99.8% has no lower limit (NA) and upper 9.362180217908362
    assert byar_interval(1, 0.998) == pytest.approx((0.0, 9.362180217908362), rel=TIGHT)


def test_byar_interval_needs_a_positive_count():
    with pytest.raises(ValueError, match="exact_poisson_interval"):
        byar_interval(0)


def test_exact_poisson_interval_for_no_events_is_zero_to_minus_log_half_alpha():
    # chi2_{0.975}(2) / 2 = -ln(0.025)
    assert exact_poisson_interval(0) == pytest.approx((0.0, 3.6888794541139363), rel=TIGHT)


@pytest.mark.parametrize(("x", "method"), [(0, "exact"), (9, "exact"), (9.99, "exact"), (10, "byar")])
def test_byar_is_used_from_ten_events(x, method):
    assert poisson_method(x) == method


def test_count_interval_switches_method_at_ten():
    assert count_interval(65) == byar_interval(65)
    assert count_interval(5) == exact_poisson_interval(5)


RATE_REFERENCES = [
    # x, population, multiplier, level, lower, upper  (PHE testdata_Rate, testdata_Rate_g)
    (1, 100, 100, 0.95, 2.5317807984289897e-2, 5.571643390938898),
    (1, 100, 100, 0.998, 1.0005003335835344e-3, 9.2334134764515845),
    (5, 100, 100, 0.95, 1.62348639011842, 11.668332079322669),
    (5, 100, 100, 0.998, 0.739371731917839, 16.454745203680105),
    (20, 100, 100, 0.95, 12.211428834875937, 30.889880369197066),
    (65, 100, 100, 0.998, 42.880261471480203, 94.000290844318016),
    (9856, 12345, 100, 0.95, 78.269490589767571, 81.430016542721404),
    (7776456, 7564336677, 100, 0.998, 0.102690317308454, 0.10291817639509068),
    (222, 3215, 100000, 0.95, 6026.5748776526743, 7875.7293708718507),
    (999, 3456, 100000, 0.998, 26162.147596445768, 31845.604819822653),
    (250, 220, 100000, 0.95, 99984.947385328764, 128631.14487455782),
    (250, 220, 100000, 0.998, 92710.005544389525, 137651.23772147458),
    (2, 200, 100000, 0.95, 121.10463927198258, 3612.3438338619794),
    (10, 200, 100000, 0.95, 2393.7249569837822, 9195.7293028782369),
]


@pytest.mark.parametrize(("x", "population", "multiplier", "level", "lower", "upper"), RATE_REFERENCES)
def test_rate_interval_matches_phe_reference_values(x, population, multiplier, level, lower, upper):
    got = rate_interval(x, population, multiplier, level)
    assert got == pytest.approx((lower, upper), rel=TIGHT)


def test_rate_interval_needs_a_positive_population():
    with pytest.raises(ValueError, match="population"):
        rate_interval(3, 0)


# --- Means -------------------------------------------------------------

MEAN_REFERENCES = [
    # mean, sd, n, level, lower, upper  (PHE testdata_Mean_results)
    (53.704345000000011, 20.975575257709309, 8, 0.95, 36.168325241336504, 71.240364758663517),
    (53.704345000000011, 20.975575257709309, 8, 0.998, 18.216705294788838, 89.191984705211183),
    (5678.9629577777778, 2117.8317161590671, 18, 0.95, 4625.7900224529722, 6732.1358931025834),
    (5678.9629577777778, 2117.8317161590671, 18, 0.998, 3859.0770997295967, 7498.8488158259588),
    (3948.1141538461534, 3171.8018122194453, 26, 0.95, 2666.9956767458489, 5229.2326309464579),
    (3948.1141538461534, 3171.8018122194453, 26, 0.998, 1801.9535385474737, 6094.274769144833),
]


@pytest.mark.parametrize(("mean", "sd", "n", "level", "lower", "upper"), MEAN_REFERENCES)
def test_mean_interval_matches_phe_reference_values(mean, sd, n, level, lower, upper):
    assert mean_interval(mean, sd, n, level) == pytest.approx((lower, upper), rel=TIGHT)


def test_mean_interval_needs_two_observations():
    with pytest.raises(ValueError, match="at least 2"):
        mean_interval(4.0, 0.0, 1)


def test_mean_interval_without_spread_is_the_mean_itself():
    assert mean_interval(4.0, 0.0, 5) == (4.0, 4.0)


def test_interval_bounds_are_plain_floats():
    assert all(isinstance(v, float) and math.isfinite(v) for v in rate_interval(3, 50, 1000))
