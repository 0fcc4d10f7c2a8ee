import pytest

from charts.caterpillar import NAMED_UP_TO, caterpillar_chart
from charts.palette import comparison_colour
from tests.charts.documents import benchmark_document
from tests.charts.svgdom import (
    SVG,
    description,
    fill,
    group,
    groups,
    parse,
    position,
    texts,
)

ROWS = [
    ("RY6", "Leeds Community Healthcare NHS Trust", 950, 1000),
    ("RYX", "Central London Community Healthcare NHS Trust", 880, 1000),
    ("RY2", "Bridgewater Community Healthcare NHS Foundation Trust", 780, 1000),
    ("NXA01", "Northfield Community Health CIC", 40, 50),
    ("RYY", "Kent Community Health NHS Foundation Trust", 1700, 2000),
]


def ranked_codes(tree, named=True):
    """Codes in the order drawn: top to bottom when named, left to right otherwise."""
    marks = {g.get("id")[len("provider-"):]: position(g) for g in groups(tree, "provider-")}
    return sorted(marks, key=lambda code: marks[code][1 if named else 0])


def test_every_provider_has_a_point_and_its_interval():
    tree = parse(caterpillar_chart(benchmark_document(ROWS)))
    assert len(groups(tree, "provider-")) == len(ROWS)
    assert len(groups(tree, "interval-")) == len(ROWS)


@pytest.mark.parametrize("polarity, order", [
    ("higher", ["RY6", "RYX", "RYY", "NXA01", "RY2"]),
    ("lower", ["RY2", "NXA01", "RYY", "RYX", "RY6"]),
    ("none", ["RY6", "RYX", "RYY", "NXA01", "RY2"]),
])
def test_providers_run_best_first_by_polarity(polarity, order):
    tree = parse(caterpillar_chart(benchmark_document(ROWS, polarity=polarity)))
    assert ranked_codes(tree) == order
    names = [t for t in texts(tree) if t.startswith(("Leeds", "Central", "Bridge", "North",
                                                      "Kent"))]
    assert [n.split()[0] for n in names] == [
        {"RY6": "Leeds", "RYX": "Central", "RY2": "Bridgewater", "NXA01": "Northfield",
         "RYY": "Kent"}[code] for code in order]


def test_points_take_the_colour_of_their_comparison():
    document = benchmark_document(ROWS)
    tree = parse(caterpillar_chart(document))
    comparisons = {p["code"]: p["comparison"] for p in document["providers"]}
    assert {"better_998", "similar", "worse_998"} <= set(comparisons.values())
    for code, comparison in comparisons.items():
        assert fill(group(tree, f"provider-{code}")) == comparison_colour(comparison).lower()


def test_the_group_value_is_a_line_named_in_the_legend_and_description():
    tree = parse(caterpillar_chart(benchmark_document(ROWS)))
    group(tree, "group-value")
    assert "Value for all providers (86.14%)" in texts(tree)
    assert "Group value 86.14%." in description(tree)
    assert "1 better (99.8%), 3 similar, 1 worse (99.8%)" in description(tree)


def test_the_highlighted_provider_is_emphasised_and_described():
    tree = parse(caterpillar_chart(benchmark_document(ROWS), highlight="RYY"))
    label = group(tree, "highlight-label")
    assert "".join(label.itertext()).strip() == "Kent Community Health NHS FT"
    assert label.find(f"{SVG}text").get("font-weight") == "700"
    assert "Highlighted: Kent Community Health NHS Foundation Trust (RYY): ranked 3, 85% " \
        "(95% CI 83.37% to 86.5%); similar" in description(tree)


def test_a_long_league_runs_along_the_axis_naming_only_the_highlight():
    rows = [(f"P{i:03d}", f"Provider number {i}", 500 + i * 7, 1000)
            for i in range(NAMED_UP_TO + 5)]
    tree = parse(caterpillar_chart(benchmark_document(rows), highlight="P007"))
    assert len(groups(tree, "provider-")) == len(rows)
    assert ranked_codes(tree, named=False) == [r[0] for r in reversed(rows)]
    assert "".join(group(tree, "highlight-label").itertext()).strip() == "Provider number 7"
    assert "Provider number 8" not in texts(tree)


def test_medians_have_no_intervals_and_are_not_compared():
    rows = [("RY6", "Leeds", 41.0), ("RYX", "CLCH", 78.0), ("RY2", "Bridgewater", 60.0)]
    document = benchmark_document(rows, measure="median", polarity="lower", unit="days")
    tree = parse(caterpillar_chart(document))
    assert len(groups(tree, "provider-")) == 3 and groups(tree, "interval-") == []
    assert ranked_codes(tree) == ["RY6", "RY2", "RYX"]
    assert "A median has no confidence interval here" in description(tree)
    assert {fill(g) for g in groups(tree, "provider-")} == {comparison_colour(None).lower()}


def test_means_have_t_intervals():
    rows = [("RY6", "Leeds", 41.0, 9.0, 30), ("RYX", "CLCH", 78.0, 12.0, 25)]
    tree = parse(caterpillar_chart(benchmark_document(rows, measure="mean", unit="days")))
    assert len(groups(tree, "interval-")) == 2


def test_nobody_reporting_gives_a_notice():
    tree = parse(caterpillar_chart(benchmark_document([])))
    assert "No provider reported WIC4H for 2018-06" in description(tree)
