import threading

from charts.svg import (
    notice,
    number,
    peer_group_words,
    render,
    short_name,
    with_unit,
)
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
