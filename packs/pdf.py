"""Rendering a pack document to archival PDF, and reading the document back out of one.

HTML from the pack's template (Jinja, the web pages' filters), then WeasyPrint to
PDF/A-3b: title, author, subject, keywords and dates in the document information and
XMP metadata, running headers and "Page N of M" from the stylesheet, and the pack
document attached as ``pack.json`` (AFRelationship Data), so the PDF carries what it
shows.

The funnel and SPC charts are drawn as PDF by matplotlib - in worker processes while
WeasyPrint lays the pages out around their placeholders - and placed as vector forms
when the PDF is written (``packs.forms``). The attachment is compressed while the pages
are laid out, and each stream is written once (``packs.written``).
"""

import io
import json
import warnings
from concurrent.futures import ThreadPoolExecutor
from importlib import resources

import weasyprint
from jinja2 import Environment, PackageLoader, select_autoescape
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from charts.cache import draw_ahead, is_pdf, printed_chart
from packs import forms
from packs.document import ATTACHMENT, dumps
from packs.views import Printed, audit_view, common, ft_view, renewal_view
from packs.written import compress, write_streams_once
from registry.errors import InvalidInput
from web.formatting import comparison_css, comparison_tag, number, svg, when

TEMPLATES = {"ft": ("ft.html", ft_view), "renewal": ("renewal.html", renewal_view),
             "audit": ("audit.html", audit_view)}
PDF_VARIANT = "pdf/a-3b"


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("packs", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters.update(number=number, when=when, svg=svg)
    env.globals.update(comparison_tag=comparison_tag)
    return env


ENVIRONMENT = _environment()
# the pack's own rules, and the comparison badges coloured as on the pages and in the charts
CSS = (resources.files("packs").joinpath("templates/pack.css").read_text("utf-8")
       + comparison_css())


def render_html(document: dict, printed: Printed | None = None) -> str:
    """The pack's HTML, its funnel and SPC charts as placeholders listed in ``printed``."""
    template, view = TEMPLATES[document["kind"]]
    return ENVIRONMENT.get_template(template).render(
        doc=document, css=CSS, attachment=ATTACHMENT, **common(document),
        **view(document, printed if printed is not None else Printed()))


def render_pdf(document: dict) -> bytes:
    content = dumps(document)
    attachment = weasyprint.Attachment(
        string=content, name=ATTACHMENT, relationship="Data",
        description=f"{document['title']}: figures and events with ledger proofs "
                    f"({document['format']})")
    printed = Printed()
    html = render_html(document, printed)
    with ThreadPoolExecutor(max_workers=2) as background:
        drawing = background.submit(draw_ahead, printed.requests, "pdf")
        compressing = background.submit(compress, content)
        laid_out = weasyprint.HTML(string=html).render()
        drawing.result()
        compressed = compressing.result()
    drawn = {number: printed_chart(kind, figure, **options)
             for number, (kind, figure, options) in enumerate(printed.requests)}
    unexpected = [number for number, chart in drawn.items() if not is_pdf(chart)]
    if unexpected:
        raise RuntimeError(f"charts {unexpected} drew a notice where a chart was laid out")
    place_charts = forms.finisher(drawn, forms.placements(laid_out))

    def finish(written, pdf) -> None:
        place_charts(written, pdf)
        write_streams_once(pdf, (content, compressed))  # last (see packs.written)

    with warnings.catch_warnings():
        # WeasyPrint opens its sRGB profile for PDF/A without closing it (ResourceWarning)
        warnings.filterwarnings("ignore", category=ResourceWarning, message=".*sRGB2014")
        return laid_out.write_pdf(pdf_variant=PDF_VARIANT, attachments=[attachment],
                                  finisher=finish)


def read_document(pdf: bytes) -> dict:
    """The pack document attached to a pack PDF; InvalidInput naming what is wrong."""
    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachments
        found = attachments.get(ATTACHMENT)
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise InvalidInput({"file": [f"is not a readable PDF ({error})"]}) from None
    if not found:
        raise InvalidInput({"file": [f"has no {ATTACHMENT} attachment: it is not an evidence "
                                     "pack from this registry"]})
    try:
        document = json.loads(found[0])
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInput({"file": [f"its {ATTACHMENT} is not JSON ({error})"]}) from None
    if not isinstance(document, dict):
        raise InvalidInput({"file": [f"its {ATTACHMENT} is not a JSON object"]})
    return document
