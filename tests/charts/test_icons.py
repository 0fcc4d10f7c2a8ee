import re

import pytest

from charts.icons import ASSURANCE, VARIATION, assurance_icon, meaning, variation_icon
from charts.palette import COMMON, CONCERN, IMPROVEMENT, NEUTRAL
from projections.stats import spc_icons
from tests.charts.svgdom import SVG, parse, texts, title

RING = re.compile(r'<circle cx="20" cy="20" r="17.5" fill="[^"]+" stroke="([^"]+)"')


def ring(svg: str) -> str:
    return RING.search(svg).group(1)


@pytest.mark.parametrize("code, colour, letter, words", [
    ("common_cause", COMMON, None, "Common cause"),
    ("improvement_high", IMPROVEMENT, "H", "improving nature: significantly higher"),
    ("improvement_low", IMPROVEMENT, "L", "improving nature: significantly lower"),
    ("concern_high", CONCERN, "H", "concerning nature: significantly higher"),
    ("concern_low", CONCERN, "L", "concerning nature: significantly lower"),
    ("neutral_high", NEUTRAL, "H", "no judgement"),
    ("neutral_low", NEUTRAL, "L", "no judgement"),
])
def test_variation_badges_carry_colour_letter_and_words(code, colour, letter, words):
    svg = variation_icon(code)
    tree = parse(svg)
    assert words in title(tree) and tree.get("aria-label") == title(tree)
    assert tree.get("role") == "img"
    assert ring(svg) == colour
    assert texts(tree) == ([letter] if letter else [])


def test_common_cause_is_drawn_as_a_squiggle_not_a_letter():
    tree = parse(variation_icon("common_cause"))
    assert tree.find(f"{SVG}polyline") is not None


@pytest.mark.parametrize("code, colour, letter, words", [
    ("consistent_pass", IMPROVEMENT, "P", "consistently pass the target"),
    ("consistent_fail", CONCERN, "F", "consistently fail the target"),
    ("hit_and_miss", COMMON, "?", "hit and miss the target"),
])
def test_assurance_badges_carry_colour_letter_and_words(code, colour, letter, words):
    svg = assurance_icon(code)
    tree = parse(svg)
    assert words in title(tree) and tree.get("aria-label") == title(tree)
    assert ring(svg) == colour and texts(tree) == [letter]


def test_no_target_means_no_assurance_badge():
    assert assurance_icon(None) == ""
    assert meaning(None) == ""


def test_the_size_is_chosen_by_the_page():
    tree = parse(variation_icon("concern_low", size=24))
    assert (tree.get("width"), tree.get("height"), tree.get("viewBox")) == ("24", "24",
                                                                            "0 0 40 40")


def test_unknown_codes_fail_loudly():
    with pytest.raises(ValueError, match="unknown variation icon code 'improving_high'"):
        variation_icon("improving_high")
    with pytest.raises(ValueError, match="unknown assurance icon code"):
        assurance_icon("pass")


def test_every_code_the_statistics_can_give_has_a_badge():
    types = ("improvement", "concern", "neutral")
    codes = {spc_icons.variation_icon(t, d) for t in types for d in ("high", "low")}
    codes.add(spc_icons.variation_icon(spc_icons.COMMON_CAUSE, None))
    assert codes == set(VARIATION)
    assurances = {spc_icons.assurance_icon(t, 40, 60, "higher") for t in (30, 50, 70)}
    assert assurances == set(ASSURANCE)
    assert meaning("consistent_pass") == title(parse(assurance_icon("consistent_pass")))
