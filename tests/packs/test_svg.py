"""Charts simplified for print draw exactly as the web pages' charts do."""

import base64
import subprocess

import numpy
import pytest
import weasyprint
from PIL import Image, ImageChops

from charts import funnel_plot, spc_chart_svg
from packs.svg import for_print
from tests.charts.test_cache import DOCUMENT

FUNNEL = {"indicator": "WIC4H", "period": "2018-12", "service_line": "walk_in_centres",
          "peer_group": "all", "measure": "proportion", "unit": "%", "polarity": "higher",
          "national": {"value": 90.0, "numerator": 2700, "denominator": 3000},
          "summary": {"providers": 3, "funnel_target": 90.0, "phi": 1.0, "tau2": 0.0},
          "providers": [{"code": c, "name": c, "value": v, "numerator": n, "denominator": d,
                         "ci95": [v - 2, v + 2], "ci998": [v - 3, v + 3], "quartile": None,
                         "rank": r, "comparison": "similar",
                         "funnel": {"unadjusted": "inside", "adjusted": "inside",
                                    "flagged_by": None}}
                        for r, (c, v, n, d) in enumerate([("RY6", 93.0, 930, 1000),
                                                          ("RYX", 89.0, 890, 1000),
                                                          ("RY2", 88.0, 880, 1000)], 1)]}


def raster(svg: str, tmp_path, name: str) -> Image.Image:
    source = base64.b64encode(svg.encode()).decode()
    pdf = tmp_path / f"{name}.pdf"
    pdf.write_bytes(weasyprint.HTML(string=f'<img style="width: 18cm" '
                                           f'src="data:image/svg+xml;base64,{source}">')
                    .write_pdf())
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", str(pdf),
                    str(tmp_path / name)], check=True)
    with Image.open(tmp_path / f"{name}.png") as image:
        return image.convert("RGB")


@pytest.mark.parametrize("svg", [spc_chart_svg(DOCUMENT), funnel_plot(FUNNEL, highlight="RY6")],
                         ids=["spc", "funnel"])
def test_a_chart_for_print_draws_the_same_pixels(svg, tmp_path):
    printed = for_print(svg)
    assert 'style="fill' not in printed and "<title" in printed
    assert printed.count("<title") == 1  # the chart's own; the tooltips are gone
    assert printed.count("<path") == svg.count("<path")
    assert printed.count("<text") == svg.count("<text")
    before, after = raster(svg, tmp_path, "before"), raster(printed, tmp_path, "after")
    assert before.size == after.size
    difference = numpy.asarray(ImageChops.difference(before, after)).sum(axis=2)
    # the same drawing: at most a few anti-aliased pixels at line ends differ
    assert (difference > 0).sum() < 100 and (difference > 0).sum() < before.width
    assert numpy.asarray(before).min() < 100  # the chart was drawn at all
