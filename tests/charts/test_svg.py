import re
import threading

import numpy
import pytest
from PIL import ImageChops

import charts.svg
from charts import caterpillar_chart, funnel_plot, milestone_timeline, spc_chart_svg
from charts.svg import (
    notice,
    number,
    peer_group_words,
    presentation,
    render,
    short_name,
    with_unit,
)
from tests.charts.documents import benchmark_document
from tests.charts.svgdom import SVG, description, group, parse, texts, title


def draw_words(words):
    def draw(figure):
        ax = figure.add_subplot()
        ax.plot([1, 2], [3, 4], gid="the-line")
        ax.set_title(words)
    return draw


def test_a_chart_is_inline_svg_that_scales_to_its_container():
    svg = render(draw_words("Hello"), "A title", "A description")
    root = parse(svg)
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg
    assert root.get("width") == "100%" and root.get("height") is None
    assert root.get("viewBox").startswith("0 0 ")


def test_a_chart_names_itself_for_screen_readers():
    root = parse(render(draw_words("Hello"), "Funnel of X & Y", "Shows <everything>"))
    assert root.get("role") == "img"
    assert title(root) == "Funnel of X & Y" and description(root) == "Shows <everything>"
    labelled_by = root.get("aria-labelledby").split()
    ids = {e.get("id"): e.tag for e in root.iter() if e.get("id") in labelled_by}
    assert sorted(ids.values()) == [f"{SVG}desc", f"{SVG}title"]


def test_text_stays_text_in_dejavu_sans():
    svg = render(draw_words("Leeds Community Healthcare"), "t", "d")
    assert "Leeds Community Healthcare" in texts(parse(svg))
    assert "DejaVu Sans" in svg and "<path id=\"DejaVuSans" not in svg


def test_tooltips_become_titles_of_the_marked_group():
    svg = render(draw_words("x"), "t", "d", tooltips={"the-line": "RY6: 90% & rising"})
    line = group(parse(svg), "the-line")
    assert line.find(f"{SVG}title").text == "RY6: 90% & rising"


def test_the_same_chart_gives_the_same_bytes():
    assert render(draw_words("x"), "t", "d") == render(draw_words("x"), "t", "d")


def test_charts_drawn_in_parallel_threads_match_those_drawn_one_at_a_time():
    words = [f"Chart {i}" for i in range(6)]
    alone = [render(draw_words(w), w, w) for w in words]
    together = [None] * len(words)

    def work(i):
        together[i] = render(draw_words(words[i]), words[i], words[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(words))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert together == alone


def test_a_notice_is_a_small_accessible_svg_that_wraps_long_messages():
    message = "No funnel plot: a median has no denominator & so " + "nothing to plot " * 8
    root = parse(notice("Funnel <plot>", message))
    assert root.get("role") == "img" and title(root) == "Funnel <plot>"
    assert description(root) == message
    lines = [t.text for t in root.iter(f"{SVG}tspan")]
    assert len(lines) > 1 and " ".join(lines) == " ".join(message.split())


def test_numbers_read_as_people_write_them():
    assert number(99.35111) == "99.35"
    assert number(1.951125) == "1.951"
    assert number(737568) == "737,568"
    assert number(None) == "n/a"
    assert with_unit(99.351, "%") == "99.35%"
    assert with_unit(78.0, "days") == "78 days"
    assert with_unit(None, "%") == "n/a"


def test_names_and_peer_groups_read_as_words():
    long = {"code": "RY2", "name": "Bridgewater Community Healthcare NHS Foundation Trust"}
    assert short_name(long) == "Bridgewater Community Healthcare NHS FT"
    assert short_name({"code": "AAH", "name": None}) == "AAH"
    assert short_name({"code": "X", "name": "A" * 60}, 20).endswith("…")
    assert len(short_name({"code": "X", "name": "A" * 60}, 20)) == 20
    assert peer_group_words("all") == "all providers"
    assert peer_group_words("kind:nhs_trust") == "NHS trust providers"
    assert peer_group_words("region:Y54") == "providers in region Y54"


# -- no style attribute, no style element: a page's CSP need not allow inline styles ----

APPLICATION = {"provider": "RY6", "milestones": [
    {"code": "tfa", "first_target": "2013-03-31", "target": "2014-03-31", "achieved": None,
     "overdue": True},
    {"code": "board", "first_target": "2012-03-31", "target": "2012-03-31",
     "achieved": "2012-02-01"}]}
ROWS = [("RY6", "Leeds", 930, 1000), ("RYX", "Central London", 850, 1000),
        ("RY2", "Bridgewater", 960, 1000), ("RY3", "Norfolk", 700, 800)]


def every_chart() -> dict:
    from tests.charts.test_cache import DOCUMENT
    from tests.packs.test_svg import FUNNEL
    return {"spc": lambda: spc_chart_svg(DOCUMENT),
            "funnel": lambda: funnel_plot(FUNNEL, highlight="RY6"),
            "caterpillar": lambda: caterpillar_chart(benchmark_document(ROWS), highlight="RY6"),
            "timeline": lambda: milestone_timeline(APPLICATION, "2013-06-01")}


@pytest.mark.parametrize("kind", ["spc", "funnel", "caterpillar", "timeline"])
def test_charts_carry_presentation_attributes_and_draw_what_matplotlib_drew(
        kind, monkeypatch, tmp_path):
    from tests.packs.test_svg import raster
    svg = every_chart()[kind]()
    assert not re.search(r"\sstyle=", svg) and "<style" not in svg
    tree = parse(svg)
    assert tree.get("stroke-linejoin") == "round" and tree.get("stroke-linecap") == "butt"
    assert any(e.get("fill") for e in tree.iter()) and any(e.get("stroke") for e in tree.iter())
    monkeypatch.setattr(charts.svg, "presentation", lambda text: text)
    styled = every_chart()[kind]()  # as matplotlib wrote it
    assert 'style="' in styled and "<style" in styled
    assert styled.count("<path") == svg.count("<path") and \
        styled.count("<text") == svg.count("<text")
    before, after = raster(styled, tmp_path, "styled"), raster(svg, tmp_path, "attributes")
    assert before.size == after.size
    difference = numpy.asarray(ImageChops.difference(before, after)).sum(axis=2)
    assert (difference > 0).sum() == 0  # the same drawing, pixel for pixel
    assert numpy.asarray(before).min() < 100  # the chart was drawn at all


def test_presentation_rewrites_each_declaration_in_place_and_lets_the_style_win():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" version="1.1">\n <defs>\n  '
           '<style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>\n'
           ' </defs>\n <g id="a"><path d="M 0 0" fill="red" style="fill: #ffffff; '
           'stroke-width: 0.8"/><text style="font-size: 9px; font-family: \'DejaVu Sans\', '
           'sans-serif" x="1">a style="fill: red" &lt;b&gt;</text>'
           '<use style="" x="2"/></g></svg>')
    assert presentation(svg) == (
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" stroke-linejoin="round" '
        'stroke-linecap="butt">\n <g id="a"><path d="M 0 0" fill="#ffffff" '
        'stroke-width="0.8"/><text font-size="9px" font-family="\'DejaVu Sans\', sans-serif" '
        'x="1">a style="fill: red" &lt;b&gt;</text><use x="2"/></g></svg>')


def test_a_style_that_is_no_presentation_attribute_is_left_for_the_pages_test_to_find():
    svg = '<svg><rect style="fill: red; max-width: 4px"/></svg>'
    assert presentation(svg) == svg


def test_a_notice_has_no_style_attribute_but_a_class_for_its_width():
    root = parse(notice("t", "m"))
    assert root.get("style") is None and root.get("class") == "chart-notice"
