"""Charts placed in a pack's PDF as vector forms, instead of being drawn by WeasyPrint.

WeasyPrint draws SVG in Python, element by element: the funnel and SPC charts of a pack
were most of its render time even when already drawn. Matplotlib can write the same
chart as PDF, and a PDF page can be reused as a *form XObject* (ISO 32000-1 §8.10) - a
picture the reader draws wherever the page says ``Do``. So the pack's HTML holds, for
each chart, an empty picture of the chart's size (``placeholder``); WeasyPrint lays the
pages out around it; ``placements`` reads where each one landed; and ``finisher`` - given
to WeasyPrint's ``write_pdf``, which calls it with the PDF objects just before writing
them - copies each chart's page into the PDF as a form and draws it in its box. Text in
the charts stays text (matplotlib's embedded Type 3 fonts), lines stay vector.

The copy walks the chart PDF's resources (fonts, graphics states, patterns) with pypdf
and rebuilds them as pydyf objects. Streams keep their encoded bytes and filters, and a
stream met before - the same glyph of the same font in another chart - is written once.
"""

import base64
import io
from dataclasses import dataclass

import pydyf
from markupsafe import Markup
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    StreamObject,
    TextStringObject,
)
from weasyprint.formatting_structure.boxes import ReplacedBox

ATTRIBUTE = "data-chart"
PX = 0.75  # WeasyPrint lays out in CSS px; PDF user space is in points


def placeholder(number: int, size: tuple[float, float], alternative: str) -> Markup:
    """An empty picture with the chart's proportions, for WeasyPrint to lay out."""
    width, height = (round(72 * side, 2) for side in size)
    empty = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}"/>')
    source = base64.b64encode(empty.encode("ascii")).decode("ascii")
    return Markup('<img class="chart" {}="{}" alt="{}" src="data:image/svg+xml;base64,{}">'
                  ).format(Markup(ATTRIBUTE), number, alternative, source)


@dataclass(frozen=True)
class Placement:
    page: int  # index in the document
    chart: int  # the placeholder's number
    x: float  # left edge, points from the page's left
    y: float  # bottom edge, points from the page's bottom
    width: float  # points
    height: float


def placements(document) -> list[Placement]:
    """Where WeasyPrint put each placeholder in a rendered ``weasyprint.Document``."""
    found = []
    for index, page in enumerate(document.pages):
        page_height = page.height
        for box in page._page_box.descendants():
            if not isinstance(box, ReplacedBox) or box.element is None:
                continue
            number = box.element.get(ATTRIBUTE)
            if number is None:
                continue
            left, top = box.content_box_x(), box.content_box_y()
            found.append(Placement(index, int(number), left * PX,
                                   (page_height - top - box.height) * PX, box.width * PX,
                                   box.height * PX))
    return found


def finisher(charts: dict[int, bytes], where: list[Placement]):
    """A ``write_pdf`` finisher drawing ``charts`` (number -> chart PDF) at ``where``."""

    def finish(_document, pdf: pydyf.PDF) -> None:
        page_numbers = pdf.pages["Kids"][0::3]
        names, streams = {}, {}
        by_page: dict[int, list[Placement]] = {}
        for placement in where:
            by_page.setdefault(placement.page, []).append(placement)
        for index, placed in sorted(by_page.items()):
            page = pdf.objects[page_numbers[index]]
            resources = _resolve(pdf, page["Resources"])
            xobjects = _resolve(pdf, resources["XObject"])
            drawing = [b"Q"]
            for p in placed:
                if p.chart not in names:
                    names[p.chart] = f"Chart{p.chart}"
                    xobjects[names[p.chart]], box = _form(pdf, charts[p.chart], streams)
                    names[p.chart, "box"] = box
                width, height = names[p.chart, "box"]
                drawing.append(
                    f"q {_n(p.width / width)} 0 0 {_n(p.height / height)} {_n(p.x)} {_n(p.y)} "
                    f"cm /{names[p.chart]} Do Q".encode("ascii"))
            stream = _resolve(pdf, page["Contents"])
            stream.stream.insert(0, b"q")  # the page's own drawing, its transforms undone
            stream.stream.extend(drawing)

    return finish


def _n(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _resolve(pdf: pydyf.PDF, value):
    """A pydyf reference (b"12 0 R") to the object it names; other values unchanged."""
    if isinstance(value, bytes) and value.endswith(b" R"):
        return pdf.objects[int(value.split()[0])]
    return value


def _form(pdf: pydyf.PDF, chart: bytes, streams: dict) -> tuple[bytes, tuple[float, float]]:
    """Add ``chart``'s first page to ``pdf`` as a form XObject: its reference and size.
    ``streams`` (encoded bytes -> reference) is shared by the charts of one PDF."""
    page = PdfReader(io.BytesIO(chart)).pages[0]
    left, bottom, right, top = (float(v) for v in page.mediabox)
    copied: dict = {"streams": streams}
    form = pydyf.Stream([page.get_contents().get_data()], pydyf.Dictionary({
        "Type": "/XObject", "Subtype": "/Form",
        "BBox": pydyf.Array([left, bottom, right, top]),
        "Resources": _copy(pdf, page["/Resources"], copied),
    }), compress=True)
    pdf.add_object(form)
    return form.reference, (right - left, top - bottom)


def _copy(pdf: pydyf.PDF, value, copied: dict):
    """A pypdf object as the pydyf value writing the same PDF; streams become objects."""
    if isinstance(value, IndirectObject):
        key = value.idnum
        if key not in copied:
            target = value.get_object()
            if isinstance(target, StreamObject):
                copied[key] = _stream(pdf, target, copied)
            else:
                copied[key] = _copy(pdf, target, copied)
        return copied[key]
    if isinstance(value, StreamObject):
        return _stream(pdf, value, copied)
    if isinstance(value, DictionaryObject):
        return pydyf.Dictionary({name[1:]: _copy(pdf, item, copied)
                                 for name, item in value.items()})
    if isinstance(value, ArrayObject):
        return pydyf.Array([_copy(pdf, item, copied) for item in value])
    if isinstance(value, NameObject):
        return pydyf.name(value[1:])
    if isinstance(value, BooleanObject):
        return b"true" if value else b"false"
    if isinstance(value, NullObject):
        return b"null"
    if isinstance(value, TextStringObject | ByteStringObject):
        raw = value.original_bytes if isinstance(value, TextStringObject) else bytes(value)
        return b"<" + raw.hex().encode("ascii") + b">"
    if isinstance(value, int | float):
        return value
    raise TypeError(f"cannot copy a {type(value).__name__} from a chart PDF")


def _stream(pdf: pydyf.PDF, stream: StreamObject, copied: dict) -> bytes:
    extra = pydyf.Dictionary({name[1:]: _copy(pdf, item, copied) for name, item in stream.items()
                              if name != "/Length"})
    encoded = stream._data  # as stored in the chart PDF: still compressed, filters in extra
    key = (extra.data, encoded)
    if key not in copied["streams"]:
        copy = pydyf.Stream([encoded], extra)
        pdf.add_object(copy)
        copied["streams"][key] = copy.reference
    return copied["streams"][key]
