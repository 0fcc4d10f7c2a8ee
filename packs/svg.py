"""The web pages' SVG charts, made cheaper for WeasyPrint to draw in print.

Matplotlib wraps each mark in a named group and the charts give hover tooltips their own
``<title>``. WeasyPrint cascades through every group, and would parse each style
attribute with a full CSS tokenizer: with both, charts were most of a pack's render time.
The charts carry presentation attributes instead of styles already
(``charts.svg.presentation``, applied again here to any SVG that still has them); for
print, the id-only groups and tooltips carry nothing either, and the chart's own title and
description stay. The drawing is unchanged; a pack renders about a third faster.
"""

import xml.etree.ElementTree as ET
from functools import lru_cache

from charts.svg import presentation

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
TOOLTIPS = {"title", "desc", "metadata"}


@lru_cache(maxsize=256)
def for_print(svg: str) -> str:
    root = ET.fromstring(presentation(svg))
    _simplify(root, top=True)
    return ET.tostring(root, encoding="unicode")


def _simplify(element, top: bool = False) -> None:
    kept = []
    for child in list(element):
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in TOOLTIPS and not top:
            continue
        _simplify(child)
        if tag == "g" and set(child.attrib) <= {"id"}:
            kept.extend(child)  # a named group with nothing to say: its marks stand alone
        else:
            kept.append(child)
    element[:] = kept

