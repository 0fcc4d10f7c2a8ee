"""Rendering a pack document to archival PDF, and reading the document back out of one.

HTML from the pack's template (Jinja, the web pages' filters), then WeasyPrint to
PDF/A-3b: title, author, subject, keywords and dates in the document information and
XMP metadata, running headers and "Page N of M" from the stylesheet, and the pack
document attached as ``pack.json`` (AFRelationship Data), so the PDF carries what it
shows.
"""

import io
import json
import warnings
from importlib import resources

import weasyprint
from jinja2 import Environment, PackageLoader, select_autoescape
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from charts.cache import draw_ahead
from packs.document import ATTACHMENT, dumps
from packs.views import audit_view, chart_requests, common, ft_view, renewal_view
from registry.errors import InvalidInput
from web.formatting import comparison_tag, number, svg, when

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
CSS = resources.files("packs").joinpath("templates/pack.css").read_text("utf-8")


def render_html(document: dict) -> str:
    template, view = TEMPLATES[document["kind"]]
    draw_ahead(chart_requests(document))
    return ENVIRONMENT.get_template(template).render(
        doc=document, css=CSS, attachment=ATTACHMENT, **common(document), **view(document))


def render_pdf(document: dict) -> bytes:
    attachment = weasyprint.Attachment(
        string=dumps(document), name=ATTACHMENT, relationship="Data",
        description=f"{document['title']}: figures and events with ledger proofs "
                    f"({document['format']})")
    html = weasyprint.HTML(string=render_html(document))
    with warnings.catch_warnings():
        # WeasyPrint opens its sRGB profile for PDF/A without closing it (ResourceWarning)
        warnings.filterwarnings("ignore", category=ResourceWarning, message=".*sRGB2014")
        return html.write_pdf(pdf_variant=PDF_VARIANT, attachments=[attachment])


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
