from decimal import Decimal

from registry.measures import check_values, reported_value


def test_a_proportion_needs_a_numerator_no_larger_than_its_denominator():
    assert check_values("proportion", {"numerator": 101, "denominator": 100}) == {
        "numerator": ["must not exceed the denominator (101 > 100)"]}
    assert check_values("proportion", {"numerator": 100, "denominator": 100}) == {}


def test_a_zero_denominator_is_refused_for_proportions_and_rates():
    for measure in ("proportion", "rate"):
        assert "denominator" in check_values(measure, {"numerator": 0, "denominator": 0})


def test_every_missing_and_every_inapplicable_field_is_named():
    errors = check_values("mean", {"value": Decimal("3.2"), "numerator": 4})
    assert set(errors) == {"sd", "n", "numerator"}


def test_a_count_must_be_whole():
    assert "value" in check_values("count", {"value": Decimal("2.5")})
    assert check_values("count", {"value": Decimal("25")}) == {}


def test_reported_values_are_percentages_and_rates_per_multiplier():
    assert reported_value("proportion", {"numerator": 1, "denominator": 8}, None) == \
        Decimal("12.5")
    assert reported_value("rate", {"numerator": 3, "denominator": 1500}, 1000) == Decimal("2")
    assert reported_value("median", {"value": Decimal("7.5")}, None) == Decimal("7.5")
