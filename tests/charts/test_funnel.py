import pytest

from charts.funnel import funnel_plot, judgement, limit_curves
from charts.palette import comparison_colour
from projections.benchmarks import benchmark
from projections.stats.funnel import FunnelLimits, funnel_position
from tests.builders import ADMIN, seed, wic
from tests.charts.documents import benchmark_document
from tests.charts.svgdom import (
    description,
    fill,
    group,
    groups,
    parse,
    path_points,
    position,
    texts,
    title,
    y_at,
)

PROPORTIONS = [
    ("RY6", "Leeds Community Healthcare NHS Trust", 950, 1000),
    ("RYX", "Central London Community Healthcare NHS Trust", 880, 1000),
    ("RY2", "Bridgewater Community Healthcare NHS Foundation Trust", 780, 1000),
    ("NXA01", "Northfield Community Health CIC", 40, 50),
    ("RYY", "Kent Community Health NHS Foundation Trust", 1700, 2000),
    ("R1J", "Gloucestershire Care Services NHS Trust", 430, 500),
    ("RDR", "Sussex Community NHS Foundation Trust", 1780, 2000),
    ("RJ8", "Cornwall Partnership NHS Foundation Trust", 825, 1000),
]
RATES = [("RY6", "Leeds", 30, 10000), ("RYX", "Central London", 12, 10000),
         ("RY2", "Bridgewater", 3, 8000), ("NXA01", "Northfield", 9, 2000),
         ("RYY", "Kent", 20, 12000), ("R1J", "Gloucestershire", 14, 9000)]


@pytest.fixture
def proportions():
    return benchmark_document(PROPORTIONS)


@pytest.fixture
def rates():
    return benchmark_document(RATES, measure="rate", polarity="lower", unit="per 1,000",
                              multiplier=1000, indicator="PU1000",
                              service_line="district_nursing")


def test_every_provider_is_one_mark_with_a_tooltip(proportions):
    tree = parse(funnel_plot(proportions))
    marks = groups(tree, "provider-")
    assert sorted(g.get("id") for g in marks) == sorted(f"provider-{r[0]}" for r in PROPORTIONS)
    assert "Leeds Community Healthcare NHS Trust (RY6): 95%" in marks[0].find(
        "{http://www.w3.org/2000/svg}title").text


def test_the_title_and_description_say_what_is_plotted(proportions):
    tree = parse(funnel_plot(proportions))
    assert title(tree) == "Funnel plot of WIC4H for 2018-06"
    words = description(tree)
    assert "8 providers" in words and "Target (pooled value) 86.37%" in words
    assert "4 providers lie outside the 95% limits, 4 of them beyond 99.8%" in words
    assert "over-dispersed" in words


def test_the_target_and_both_pairs_of_limits_are_drawn(proportions):
    tree = parse(funnel_plot(proportions))
    for gid in ("target", "upper-95", "lower-95", "upper-998", "lower-998"):
        group(tree, gid)
    assert {"95% limits", "99.8% limits", "Target (pooled value)"} <= set(texts(tree))


def test_each_provider_sits_on_the_side_of_the_drawn_limits_its_position_says(proportions):
    tree = parse(funnel_plot(proportions))
    lines = {gid: path_points(group(tree, gid))
             for gid in ("upper-95", "lower-95", "upper-998", "lower-998")}
    sides = {"above": ("upper-95", "upper-998"), "below": ("lower-95", "lower-998")}
    checked = 0
    for p in proportions["providers"]:
        x, y = position(group(tree, f"provider-{p['code']}"))
        place = p["funnel"]["unadjusted"]
        for gid, points in lines.items():
            line_y = y_at(points, x)
            if line_y is None:
                continue  # this limit runs off the plot at this denominator
            checked += 1
            # SVG y grows downwards: beyond the upper line means a smaller y.
            beyond = y < line_y if gid.startswith("upper") else y > line_y
            crossed = place != "inside" and gid in sides[place.split("_")[0]][
                :2 if place.endswith("998") else 1]
            assert beyond == crossed, (p["code"], gid)
    assert checked >= 4 * (len(PROPORTIONS) - 1)


@pytest.mark.parametrize("adjusted", [False, True])
def test_the_limit_curves_place_providers_where_the_projection_did(proportions, rates, adjusted):
    which = "adjusted" if adjusted else "unadjusted"
    for document in (proportions, rates):
        providers = document["providers"]
        curves = limit_curves(document, [p["denominator"] for p in providers], adjusted)
        for i, p in enumerate(providers):
            limits = FunnelLimits(p["denominator"], 0, curves["lower_95"][i],
                                  curves["upper_95"][i], curves["lower_998"][i],
                                  curves["upper_998"][i])
            assert funnel_position(p["value"], limits) == p["funnel"][which], p["code"]


def test_points_are_coloured_by_position_and_polarity(proportions, rates):
    for document in (proportions, rates):
        tree = parse(funnel_plot(document))
        for p in document["providers"]:
            code = judgement(p["funnel"]["unadjusted"], document["polarity"])
            assert fill(group(tree, f"provider-{p['code']}")) == comparison_colour(code).lower()
    assert judgement("below_998", "lower") == "better_998"
    assert judgement("above_95", "lower") == "worse_95"
    assert judgement("above_95", "none") == "higher_95"
    assert judgement("inside", "higher") == "similar"


def test_adjusted_limits_colour_by_the_adjusted_positions(proportions):
    tree = parse(funnel_plot(proportions, adjusted=True))
    rdr = next(p for p in proportions["providers"] if p["code"] == "RDR")
    assert rdr["funnel"] == {"unadjusted": "above_998", "adjusted": "inside",
                             "flagged_by": "unadjusted"}
    assert fill(group(tree, "provider-RDR")) == comparison_colour("similar").lower()
    assert "adjusted for over-dispersion" in description(tree)
    assert "over-dispersed" not in description(tree)


def test_the_highlighted_provider_is_labelled_and_described(proportions):
    tree = parse(funnel_plot(proportions, highlight="RY2"))
    label = group(tree, "highlight-label")
    assert "".join(label.itertext()).strip() == "Bridgewater Community Healthcare NHS FT"
    assert "Highlighted: Bridgewater Community Healthcare NHS Foundation Trust (RY2): 78%" \
        in description(tree)


def test_a_highlight_that_did_not_report_is_said_not_drawn(proportions):
    tree = parse(funnel_plot(proportions, highlight="ZZZ"))
    assert groups(tree, "highlight-label") == []
    assert "ZZZ is not among the providers plotted" in description(tree)


def test_a_rate_funnel_uses_the_indicator_multiplier(rates):
    tree = parse(funnel_plot(rates, highlight="NXA01"))
    assert len(groups(tree, "provider-")) == len(RATES)
    assert "Target (pooled value) 1.725 per 1,000" in description(tree)
    assert "Denominator (population)" in texts(tree)


@pytest.mark.parametrize("measure, rows", [
    ("median", [("RY6", "Leeds", 41.0), ("RYX", "CLCH", 78.0)]),
    ("mean", [("RY6", "Leeds", 41.0, 9.0, 30), ("RYX", "CLCH", 78.0, 12.0, 25)]),
    ("count", [("RY6", "Leeds", 4), ("RYX", "CLCH", 7)]),
])
def test_measures_without_a_denominator_get_a_notice_instead(measure, rows):
    tree = parse(funnel_plot(benchmark_document(rows, measure=measure, unit="days")))
    assert f"a {measure} has no denominator" in description(tree)
    assert groups(tree, "provider-") == []


def test_too_few_providers_for_limits_get_a_notice():
    lone = benchmark_document([("RY6", "Leeds", 90, 100)])
    assert "at least two providers" in description(parse(funnel_plot(lone)))
    nobody = benchmark_document([])
    assert "No provider reported WIC4H" in description(parse(funnel_plot(nobody)))


def test_the_projection_document_is_drawn_as_it_comes(app):
    seed(app)
    for code, (num, den) in {"RY6": (90, 100), "RYX": (160, 200), "RY2": (300, 310),
                             "NXA01": (43, 50)}.items():
        app.submit(wic(provider=code, numerator=num, denominator=den), ADMIN)
    app.read_side.catch_up()
    document = benchmark(app.read_side.store, "WIC4H", "2018-12")
    tree = parse(funnel_plot(document, highlight="RYX"))
    assert len(groups(tree, "provider-")) == 4
    assert "".join(group(tree, "highlight-label").itertext()).strip().startswith(
        "Central London Community Healthcare")


def test_without_over_dispersion_the_adjusted_limits_are_the_plain_ones():
    even = benchmark_document([("RY6", "Leeds", 20, 10000), ("RYX", "CLCH", 21, 10000),
                               ("RY2", "Bridgewater", 19, 10000), ("RYY", "Kent", 10, 5000)],
                              measure="rate", polarity="lower", unit="per 1,000",
                              multiplier=1000)
    assert even["summary"]["tau2"] == 0
    sizes = [500, 5000, 50000]
    assert limit_curves(even, sizes, adjusted=True) == limit_curves(even, sizes)
