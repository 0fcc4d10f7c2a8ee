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

Copying a chart is done in two steps. ``prepare`` reads the chart PDF once (pypdf) and
writes the form and every stream it needs (fonts' glyphs, graphics states) as PDF syntax
with numbered stand-ins for references; the result is kept beside the chart on disk
(``forms/<SHA-256 of the chart>.form`` in the chart cache) and in memory, so rendering a
pack whose charts are kept parses no PDF at all. ``finisher`` then only numbers the
objects and fills in the references. Streams keep their encoded bytes and filters, and a
stream met before - the same glyph of the same font in another chart - is written once.
"""

import base64
import hashlib
import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache

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

from charts import cache as chart_cache
from packs.written import Written

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
        names, shared = {}, {}
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
                    form = prepared(charts[p.chart])
                    names[p.chart] = (f"Chart{p.chart}", form.size)
                    xobjects[names[p.chart][0]] = _place(pdf, form, shared)
                name, (width, height) = names[p.chart]
                drawing.append(
                    f"q {_n(p.width / width)} 0 0 {_n(p.height / height)} {_n(p.x)} {_n(p.y)} "
                    f"cm /{name} Do Q".encode("ascii"))
            stream = _resolve(pdf, page["Contents"])
            stream.stream.insert(0, b"q")  # the page's own drawing, its transforms undone
            stream.stream.extend(drawing)

    return finish


def _n(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _resolve(pdf: pydyf.PDF, value):
    """A pydyf reference (b"12 0 R") to the object it names; other values unchanged."""
    if isinstance(value, bytes) and value.endswith(b" R"):
        return pdf.objects[int(value.split()[0])]
    return value


# -- a chart's page as a form, ready to place ---------------------------------------------

MAGIC = b"REGISTRY-FORM 1\n"
TOKEN = re.compile(rb"@(\d+)@")  # a reference to object N of the form (names escape "@")


@dataclass(frozen=True)
class Form:
    size: tuple[float, float]  # the chart's page, in points
    # each object: its dictionary as PDF syntax (references as @N@), its stream's encoded
    # bytes (None: not a stream), and whether an identical copy may stand in for it
    objects: tuple[tuple[bytes, bytes | None, bool], ...]  # [0] is the form itself


def prepared(chart: bytes) -> Form:
    """The form of a chart PDF: from memory, from the chart cache's directory, or made."""
    return _prepared(hashlib.sha256(chart).hexdigest(), chart)


@lru_cache(maxsize=512)
def _prepared(digest: str, chart: bytes) -> Form:
    directory = chart_cache.directory()
    path = directory / "forms" / f"{digest}.form" if directory else None
    if path is not None:
        try:
            return loads(path.read_bytes())
        except (OSError, ValueError, KeyError, TypeError):
            pass  # not made yet, or unreadable: make it
    form = prepare(chart)
    if path is not None:
        chart_cache.keep(path, dumps(form))
    return form


def prepare(chart: bytes) -> Form:
    """Read a one-page chart PDF into a ``Form`` (pypdf)."""
    page = PdfReader(io.BytesIO(chart)).pages[0]
    left, bottom, right, top = (float(v) for v in page.mediabox)
    objects: list = [None]
    streams: dict[int, int] = {}

    def write(value) -> bytes:
        if isinstance(value, IndirectObject):
            target = value.get_object()
            if not isinstance(target, StreamObject):
                return write(target)
            if value.idnum not in streams:
                streams[value.idnum] = len(objects)
                objects.append(None)
                objects[streams[value.idnum]] = stream(target)
            return b"@%d@" % streams[value.idnum]
        if isinstance(value, StreamObject):
            objects.append(stream(value))
            return b"@%d@" % (len(objects) - 1)
        if isinstance(value, DictionaryObject):
            return b"<<" + b"".join(name(key) + b" " + write(item) + b" "
                                    for key, item in value.items()) + b">>"
        if isinstance(value, ArrayObject):
            return b"[" + b" ".join(write(item) for item in value) + b"]"
        if isinstance(value, NameObject):
            return name(value)
        if isinstance(value, BooleanObject):
            return b"true" if value else b"false"
        if isinstance(value, NullObject):
            return b"null"
        if isinstance(value, TextStringObject | ByteStringObject):
            raw = value.original_bytes if isinstance(value, TextStringObject) else bytes(value)
            return b"<" + raw.hex().encode("ascii") + b">"
        if isinstance(value, int):
            return b"%d" % value
        if isinstance(value, float):
            return _n(value).encode("ascii")
        raise TypeError(f"cannot copy a {type(value).__name__} from a chart PDF")

    def stream(value: StreamObject) -> tuple[bytes, bytes, bool]:
        extra = write(DictionaryObject({k: v for k, v in value.items() if k != "/Length"}))
        encoded = value._data  # as stored in the chart PDF: still compressed, filters in extra
        return extra, encoded, TOKEN.search(extra) is None

    contents = page["/Contents"]
    single = contents.get_object() if isinstance(contents, IndirectObject) else contents
    if isinstance(single, StreamObject):
        content, content_filter = single._data, single.get("/Filter")
    else:
        content, content_filter = page.get_contents().get_data(), None
    resources = write(page["/Resources"])
    box = b"[" + b" ".join(_n(v).encode("ascii") for v in (left, bottom, right, top)) + b"]"
    form = b"<</Type /XObject /Subtype /Form /BBox " + box + b" /Resources " + resources
    if content_filter is not None:
        form += b" /Filter " + write(content_filter)
    objects[0] = (form + b">>", content, False)
    return Form((right - left, top - bottom), tuple(objects))


def name(value: str) -> bytes:
    return pydyf.name(value[1:]).replace(b"@", b"#40")


def dumps(form: Form) -> bytes:
    header = {"size": list(form.size),
              "objects": [[text.decode("latin-1"), -1 if data is None else len(data), shareable]
                          for text, data, shareable in form.objects]}
    return MAGIC + json.dumps(header).encode("ascii") + b"\n" + b"".join(
        data for _, data, _ in form.objects if data is not None)


def loads(raw: bytes) -> Form:
    if not raw.startswith(MAGIC):
        raise ValueError("not a prepared form")
    end = raw.index(b"\n", len(MAGIC))
    header = json.loads(raw[len(MAGIC):end])
    at, objects = end + 1, []
    for text, length, shareable in header["objects"]:
        data = None if length < 0 else raw[at:at + length]
        at += max(length, 0)
        objects.append((text.encode("latin-1"), data, bool(shareable)))
    if at != len(raw):
        raise ValueError("a prepared form of the wrong length")
    if not objects or objects[0][1] is None or any(
            int(n) >= len(objects) for text, _, _ in objects for n in TOKEN.findall(text)):
        raise ValueError("a prepared form whose references do not add up")
    return Form(tuple(header["size"]), tuple(objects))


def _place(pdf: pydyf.PDF, form: Form, shared: dict) -> bytes:
    """Add ``form``'s objects to ``pdf`` (sharing identical streams): the form's reference."""
    numbers, new = [], []
    for text, data, shareable in form.objects:
        if shareable and (text, data) in shared:
            numbers.append(shared[text, data])
            continue
        raw = Written(data is not None)
        pdf.add_object(raw)
        numbers.append(raw.number)
        new.append((raw, text, data))
        if shareable:
            shared[text, data] = raw.number
    for raw, text, data in new:
        text = TOKEN.sub(lambda m: b"%d 0 R" % numbers[int(m.group(1))], text)
        if data is None:
            raw.written = text
        else:
            raw.written = (text[:-2] + b" /Length %d>>\nstream\n" % len(data) + data
                           + b"\nendstream")
    return b"%d 0 R" % numbers[0]
