"""Charts drawn as PDF by matplotlib and placed as vector forms where WeasyPrint laid out
their placeholders: in the right place, at the right size, drawing what the chart draws."""

import io
import re
import subprocess

import numpy
import pytest
import weasyprint
from PIL import Image, ImageFilter
from pypdf import PdfReader

from charts import cache as chart_cache
from charts import funnel_plot, spc_chart_svg
from charts.cache import is_pdf
from charts.medium import printing
from charts.svg import SIZE
from packs import forms
from packs.forms import finisher, placeholder, placements
from tests.charts.test_cache import DOCUMENT
from tests.packs.test_svg import FUNNEL

DPI = 100


@pytest.fixture(scope="module")
def drawn():
    with printing():
        return {0: funnel_plot(FUNNEL, highlight="RY6"), 1: spc_chart_svg(DOCUMENT)}


def page_html(*charts: str) -> str:
    return ("<html><head><style>@page { size: A4; margin: 15mm } "
            "img { display: block; width: 12cm; margin: 8mm 0 }</style></head><body>"
            "<h1>Before the charts</h1>" + "".join(charts) + "<p>After the charts</p>"
            "</body></html>")


def raster(pdf: bytes, tmp_path, name: str, *options: str) -> Image.Image:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", *options, str(path),
                    str(tmp_path / name)], check=True)
    with Image.open(tmp_path / f"{name}.png") as image:
        return image.convert("L")


def test_charts_for_print_are_pdf_and_notices_stay_svg(drawn):
    assert all(is_pdf(chart) for chart in drawn.values())
    with printing():
        notice = funnel_plot({**FUNNEL, "measure": "mean"})
    assert isinstance(notice, str) and notice.startswith("<svg")


def test_placeholders_are_found_where_the_layout_put_them(drawn):
    html = page_html(placeholder(0, SIZE, "funnel"), placeholder(1, SIZE, "spc"))
    laid_out = weasyprint.HTML(string=html).render()
    found = placements(laid_out)
    assert [p.chart for p in found] == [0, 1] and {p.page for p in found} == {0}
    width = 12 / 2.54 * 72  # 12 cm in points
    for p in found:
        assert p.width == pytest.approx(width, abs=0.01)
        assert p.height == pytest.approx(width * SIZE[1] / SIZE[0], abs=0.01)
    first, second = found
    assert second.y < first.y - first.height  # the second below the first, 8 mm apart
    assert first.y + first.height < 842 - 15 / 25.4 * 72  # inside the top margin


def test_each_chart_is_drawn_once_as_a_form_in_its_box(drawn, tmp_path):
    html = page_html(placeholder(0, SIZE, "funnel"), placeholder(1, SIZE, "spc"),
                     placeholder(0, SIZE, "the funnel again"))
    laid_out = weasyprint.HTML(string=html).render()
    found = placements(laid_out)
    pdf = laid_out.write_pdf(finisher=finisher(drawn, found))
    reader = PdfReader(io.BytesIO(pdf))
    xobjects = {name: ref.get_object() for page in reader.pages
                for name, ref in page["/Resources"]["/XObject"].items()}
    charts = {name: form for name, form in xobjects.items() if name.startswith("/Chart")}
    assert sorted(charts) == ["/Chart0", "/Chart1"]  # a chart used twice is stored once
    assert all(form["/Subtype"] == "/Form" for form in charts.values())
    content = b"".join(page.get_contents().get_data() for page in reader.pages)
    assert len(re.findall(rb"/Chart0 Do", content)) == 2
    assert len(re.findall(rb"/Chart1 Do", content)) == 1
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "funnel plot" in text and "XmR chart" in text  # chart text stays text
    assert "Before the charts" in text and "After the charts" in text


def test_a_placed_chart_draws_the_same_pixels_as_the_chart_itself(drawn, tmp_path):
    laid_out = weasyprint.HTML(string=page_html(placeholder(1, SIZE, "spc"))).render()
    (where,) = placements(laid_out)
    page = raster(laid_out.write_pdf(finisher=finisher(drawn, [where])), tmp_path, "page")
    blank = raster(laid_out.write_pdf(), tmp_path, "blank")
    scale = DPI / 72
    box = (round(where.x * scale), round(page.height - (where.y + where.height) * scale),
           round((where.x + where.width) * scale), round(page.height - where.y * scale))
    placed = page.crop(box)
    alone = raster(drawn[1], tmp_path, "alone", "-scale-to-x", str(box[2] - box[0]),
                   "-scale-to-y", str(box[3] - box[1]))
    assert placed.size == alone.size
    assert (numpy.asarray(placed) < 128).sum() > 500  # the chart was drawn, lines and text
    # the same picture: compared softened, as thin lines differ by a pixel's anti-aliasing;
    # the chart put 1 pt off (1.4 px here) already differs by 2.4 on this measure
    difference = numpy.abs(softened(placed) - softened(alone)).mean()
    assert difference < 2.0
    assert numpy.asarray(blank.crop(box)).min() == 255  # without the finisher: nothing there


def softened(image: Image.Image):
    return numpy.asarray(image.filter(ImageFilter.GaussianBlur(1.5)), dtype=float)


def test_a_chart_s_form_is_kept_and_placed_later_without_reading_the_pdf(drawn, tmp_path,
                                                                       monkeypatch):
    chart_cache.use_directory(tmp_path)
    forms._prepared.cache_clear()
    try:
        first = forms.prepared(drawn[1])
        assert forms.loads(forms.dumps(first)) == first
        (kept,) = (tmp_path / "forms").iterdir()
        forms._prepared.cache_clear()  # as a new process starts

        def no_parsing(chart):
            raise AssertionError("the kept form should have been used")

        monkeypatch.setattr(forms, "prepare", no_parsing)
        assert forms.prepared(drawn[1]) == first
        for damaged in (b"REGISTRY-FORM 1\ndamaged",
                        forms.dumps(forms.Form(first.size, ((b"<< /R @9@ >>", b"", False),)))):
            with pytest.raises(ValueError):
                forms.loads(damaged)
        kept.write_bytes(b"REGISTRY-FORM 1\ndamaged")
        forms._prepared.cache_clear()
        monkeypatch.undo()
        assert forms.prepared(drawn[1]) == first  # a damaged file is made again
        assert forms.loads(kept.read_bytes()) == first
    finally:
        chart_cache.use_directory(None)
        forms._prepared.cache_clear()
