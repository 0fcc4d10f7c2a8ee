"""Point types and icons against NHSRplotthedots.

Source: nhs-r-community/NHSRplotthedots tests/testthat/test-ptd_calculate_assurance_type.R
(lpl/upl of 1/3, 5/7 and 1/5 against a target of 4) and R/ptd_calculate_point_type.R,
R/geom_ptd_icon.R for the point-type and icon mapping. Its "inconsistent" is our
"hit_and_miss".
"""

import pytest

from projections.stats.spc_icons import assurance_icon, point_type, variation_icon

PROCESSES = [(1, 3), (5, 7), (1, 5)]


def test_assurance_when_higher_is_better_matches_nhsrplotthedots():
    got = [assurance_icon(4, lpl, upl, "higher") for lpl, upl in PROCESSES]
    assert got == ["consistent_fail", "consistent_pass", "hit_and_miss"]


def test_assurance_when_lower_is_better_matches_nhsrplotthedots():
    got = [assurance_icon(4, lpl, upl, "lower") for lpl, upl in PROCESSES]
    assert got == ["consistent_pass", "consistent_fail", "hit_and_miss"]


def test_no_assurance_without_polarity_target_or_limits():
    assert [assurance_icon(4, lpl, upl, "none") for lpl, upl in PROCESSES] == [None] * 3
    assert assurance_icon(None, 1, 3, "higher") is None
    assert assurance_icon(4, None, None, "higher") is None


def test_a_target_exactly_on_a_limit_is_hit_and_miss():
    assert assurance_icon(3, 1, 3, "higher") == "hit_and_miss"


@pytest.mark.parametrize(
    ("direction", "polarity", "kind"),
    [
        ("high", "higher", "improvement"),
        ("low", "higher", "concern"),
        ("high", "lower", "concern"),
        ("low", "lower", "improvement"),
        ("high", "none", "neutral"),
        ("low", "none", "neutral"),
        (None, "higher", "common_cause"),
    ],
)
def test_point_type_follows_polarity(direction, polarity, kind):
    assert point_type(direction, polarity) == kind


@pytest.mark.parametrize(
    ("kind", "direction", "icon"),
    [
        ("common_cause", None, "common_cause"),
        ("improvement", "high", "improvement_high"),
        ("improvement", "low", "improvement_low"),
        ("concern", "low", "concern_low"),
        ("concern", "high", "concern_high"),
        ("neutral", "high", "neutral_high"),
        ("neutral", "low", "neutral_low"),
    ],
)
def test_variation_icon_names_match_nhsrplotthedots_icon_files(kind, direction, icon):
    assert variation_icon(kind, direction) == icon


def test_an_unknown_polarity_is_refused():
    with pytest.raises(ValueError, match="polarity"):
        point_type("high", "increase")
