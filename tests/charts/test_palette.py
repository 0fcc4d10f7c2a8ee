from charts.palette import COMPARISONS, comparison_colour, comparison_label
from projections.stats.comparison import compare_with_benchmark


def test_every_comparison_the_statistics_can_give_has_a_colour_and_words():
    codes = {compare_with_benchmark(value, 50, (value - 1, value + 1), (value - 2, value + 2),
                                    polarity)
             for value in (40, 48.5, 50, 51.5, 60) for polarity in ("higher", "lower", "none")}
    codes.add(compare_with_benchmark(None, 50, None))
    assert codes == set(COMPARISONS)


def test_missing_or_unknown_comparisons_read_as_not_compared():
    assert comparison_colour(None) == comparison_colour("not_compared")
    assert comparison_label("something_new") == "Not compared"
    assert comparison_label("better_998") == "Better (99.8%)"


def test_better_and_worse_stay_apart_in_colour():
    better = {comparison_colour(c) for c in ("better_95", "better_998")}
    worse = {comparison_colour(c) for c in ("worse_95", "worse_998")}
    assert len(better | worse | {comparison_colour("similar")}) == 5
