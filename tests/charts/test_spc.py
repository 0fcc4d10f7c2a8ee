import pytest

from charts.icons import meaning
from charts.palette import COMMON, CONCERN, IMPROVEMENT, NEUTRAL, POINT_TYPES
from charts.spc import segments, spc_chart_svg
from projections.spc_charts import spc_chart
from tests.builders import ADMIN, seed, wic
from tests.charts.documents import spc_document
from tests.charts.svgdom import (
    SVG,
    description,
    fill,
    group,
    groups,
    parse,
    path_points,
    texts,
    title,
)

SPIKE = [50, 52, 49, 51, 50, 53, 48, 51, 50, 52, 49, 51, 50, 51, 80]
STEP_DOWN = [50, 52, 49, 51, 50, 53, 48, 51, 20, 22, 21, 23, 20, 22]


def level(tree, gid):
    """The SVG y of a horizontal line (smaller is higher up)."""
    return path_points(group(tree, gid))[0][1]


def test_every_period_is_one_point_joined_by_a_line():
    tree = parse(spc_chart_svg(spc_document(SPIKE)))
    assert len(groups(tree, "point-")) == len(SPIKE)
    assert len(path_points(group(tree, "series"))) == len(SPIKE)
    assert "2016-01" in texts(tree)


def test_the_mean_lies_between_the_process_limits_and_the_target_is_drawn():
    tree = parse(spc_chart_svg(spc_document(SPIKE, target=55)))
    assert level(tree, "upl-0") < level(tree, "mean-0") < level(tree, "lpl-0")
    assert level(tree, "target") < level(tree, "mean-0")
    assert {"Mean", "Process limits", "Target (55)"} <= set(texts(tree))


def test_no_target_no_target_line():
    tree = parse(spc_chart_svg(spc_document(SPIKE)))
    assert groups(tree, "target") == []


@pytest.mark.parametrize("polarity, spike_colour", [
    ("higher", IMPROVEMENT), ("lower", CONCERN), ("none", NEUTRAL)])
def test_special_causes_take_the_making_data_count_colours(polarity, spike_colour):
    document = spc_document(SPIKE, polarity=polarity)
    tree = parse(spc_chart_svg(document))
    assert fill(group(tree, f"point-{len(SPIKE) - 1}")) == spike_colour.lower()
    assert fill(group(tree, "point-0")) == COMMON.lower()
    for i, point in enumerate(document["points"]):
        assert fill(group(tree, f"point-{i}")) == POINT_TYPES[point["type"]].lower()


def test_special_cause_points_say_their_rule_on_hover():
    tree = parse(spc_chart_svg(spc_document(SPIKE)))
    tip = group(tree, f"point-{len(SPIKE) - 1}").find(f"{SVG}title").text
    assert tip == "2017-03: 80; special cause: improvement (outside limits)"


def test_the_description_counts_special_causes_and_says_the_icons():
    document = spc_document(SPIKE, target=55)
    tree = parse(spc_chart_svg(document))
    assert title(tree) == "SPC chart of WIC4H for RY6"
    words = description(tree)
    assert "15 points from 2016-01 to 2017-03" in words
    assert "Special-cause points: 1 improvement, 8 concern." in words
    assert meaning("improvement_high") in words and meaning("hit_and_miss") in words


def test_a_rebaseline_restarts_the_lines_and_is_marked():
    document = spc_document(STEP_DOWN, rebase_at=(8,))
    tree = parse(spc_chart_svg(document))
    assert segments(document["points"]) == [(0, 8), (8, 14)]
    assert level(tree, "mean-0") < level(tree, "mean-1")
    group(tree, "rebaseline-1")
    assert "Rebaselined 2016-09" in texts(tree)
    assert "Limits restart (rebaselined) at 2016-09." in description(tree)


def test_fewer_than_13_points_say_the_limits_are_trial():
    tree = parse(spc_chart_svg(spc_document(SPIKE[:10])))
    assert any("trial limits" in t for t in texts(tree))
    assert "trial limits (fewer than 13 points)" in description(tree)


def test_a_single_point_has_a_mean_but_no_limits():
    tree = parse(spc_chart_svg(spc_document([42.0])))
    assert len(groups(tree, "point-")) == 1
    group(tree, "mean-0")
    assert groups(tree, "upl-") == [] and groups(tree, "lpl-") == []
    assert "no process limits" in description(tree)


def test_a_name_and_unit_added_by_the_page_are_used():
    document = {**spc_document(SPIKE), "name": "Leeds Community Healthcare", "unit": "%"}
    tree = parse(spc_chart_svg(document))
    assert title(tree) == "SPC chart of WIC4H for Leeds Community Healthcare (RY6)"
    assert "WIC4H (%)" in texts(tree)


def test_no_points_give_a_notice():
    document = {**spc_document(SPIKE), "points": []}
    assert "No figures from RY6 for WIC4H" in description(parse(spc_chart_svg(document)))


def test_the_projection_document_is_drawn_as_it_comes(app):
    seed(app)
    periods = [f"{2016 + i // 12}-{i % 12 + 1:02d}" for i in range(15)]
    for i, period in enumerate(periods):
        app.submit(wic(period=period, numerator=80 + 15 * (i == 14) + i % 3,
                       denominator=100), ADMIN)
    app.read_side.catch_up()
    document = spc_chart(app.read_side.store, "RY6", "WIC4H")
    tree = parse(spc_chart_svg(document))
    assert len(groups(tree, "point-")) == 15
    assert fill(group(tree, "point-14")) == IMPROVEMENT.lower()
