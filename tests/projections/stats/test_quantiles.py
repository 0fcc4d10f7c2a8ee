"""Quartiles and quintiles against Excel's and Fingertips' published values.

Sources:
- Microsoft's documentation of PERCENTILE.INC (example: {1, 3, 2, 4} at 0.3 -> 1.9)
  and QUARTILE.INC (example: {1, 2, 4, 7, 8, 9, 10, 12}, first quartile -> 3.5);
- fingertips-open PholioVisualisationWS/AnalysisTest: QuartilesCalculatorTest,
  QuintilesCalculatorTest, QuartilesComparerTest, QuintilesComparerTest
  (repository ukhsa-collaboration/fingertips-open).
"""

import pytest

from projections.stats.quantiles import (
    group_of,
    percentile_inc,
    quartile_of,
    quartiles,
    quintile_of,
    quintiles,
)

ONE_TO_FIFTY = list(range(1, 51))
ONE_TO_TEN = list(range(1, 11))


def test_percentile_inc_matches_excels_documented_example():
    assert percentile_inc([1, 3, 2, 4], 0.3) == pytest.approx(1.9, abs=1e-12)


def test_first_quartile_matches_excels_quartile_inc_example():
    assert quartiles([1, 2, 4, 7, 8, 9, 10, 12])[1] == pytest.approx(3.5, abs=1e-12)


def test_percentile_inc_at_the_ends_is_the_minimum_and_maximum():
    assert percentile_inc([5, 1, 9], 0) == 1
    assert percentile_inc([5, 1, 9], 1) == 9


def test_quartile_bounds_of_one_to_fifty_match_fingertips():
    assert quartiles(ONE_TO_FIFTY) == pytest.approx([1, 13.25, 25.5, 37.75, 50], abs=1e-12)


def test_quintile_bounds_of_one_to_fifty_match_fingertips():
    assert quintiles(ONE_TO_FIFTY) == pytest.approx([1, 10.8, 20.6, 30.4, 40.2, 50], abs=1e-12)


def test_quintile_bound_is_rounded_free_of_floating_point_artefacts():
    # Fingertips asserts 30.4.Equals(bounds[3]): exact equality after rounding to 10 places
    assert quintiles(ONE_TO_FIFTY)[3] == 30.4


def test_quartiles_need_at_least_four_values():
    assert quartiles([1, 2, 3]) is None
    assert quartiles([1, 2, 3, 4]) is not None


def test_quintiles_need_at_least_five_values():
    assert quintiles([1, 2, 3, 4]) is None
    assert quintiles([1, 2, 3, 4, 5]) is not None


def test_no_quartile_is_assigned_when_there_are_too_few_peers():
    assert quartile_of(1, [1, 2, 3]) is None
    assert quintile_of(1, [1, 2, 3, 4]) is None


def test_lowest_and_highest_peers_fall_in_first_and_last_quartile():
    assert quartile_of(1, ONE_TO_TEN) == 1
    assert quartile_of(10, ONE_TO_TEN) == 4


def test_lowest_and_highest_peers_fall_in_first_and_last_quintile():
    assert quintile_of(1, ONE_TO_TEN) == 1
    assert quintile_of(10, ONE_TO_TEN) == 5


@pytest.mark.parametrize(("value", "quintile"), [(1, 5), (3, 4), (5, 3), (7, 2), (9, 1)])
def test_when_higher_is_better_quintile_one_holds_the_highest_values(value, quintile):
    assert quintile_of(value, ONE_TO_TEN, polarity="higher") == quintile


@pytest.mark.parametrize(("value", "quintile"), [(1, 1), (3, 2), (5, 3), (7, 4), (9, 5)])
def test_when_lower_is_better_quintile_one_holds_the_lowest_values(value, quintile):
    assert quintile_of(value, ONE_TO_TEN, polarity="lower") == quintile


def test_a_value_equal_to_a_quartile_bound_falls_in_the_lower_quartile():
    # bounds of 1..10: [1, 3.25, 5.5, 7.75, 10]
    assert quartile_of(5.5, ONE_TO_TEN) == 2
    assert quartile_of(5.5000001, ONE_TO_TEN) == 3


def test_tied_values_at_a_bound_all_fall_in_the_same_lower_quartile():
    peers = [1, 2, 2, 2, 3]
    assert quartiles(peers) == [1, 2, 2, 2, 3]
    assert [quartile_of(v, peers) for v in peers] == [1, 1, 1, 1, 4]


def test_a_value_outside_the_peer_range_has_no_group():
    assert group_of(11, quartiles(ONE_TO_TEN)) is None


def test_an_unknown_polarity_is_refused():
    with pytest.raises(ValueError, match="polarity"):
        quartile_of(1, ONE_TO_TEN, polarity="high")
