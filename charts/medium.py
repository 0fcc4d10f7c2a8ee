"""Which medium charts are drawn for: SVG text for web pages, or PDF for printed packs.

The drawing functions (``funnel_plot``, ``spc_chart_svg``, ...) describe a chart once and
hand the figure to ``charts.svg.render``; inside ``printing()`` render saves it as a
one-page PDF (bytes) instead of inline SVG, so a pack can place it as a vector form
(``packs.forms``) rather than have WeasyPrint draw SVG element by element. Notices (no
chart to draw) stay SVG in both media.
"""

import contextvars
import io
from contextlib import contextmanager

_MEDIUM = contextvars.ContextVar("chart_medium", default="svg")
# No creation date or producer: the same chart gives the same bytes
PDF_METADATA = {"Creator": None, "Producer": None, "CreationDate": None}


@contextmanager
def printing():
    """Charts drawn inside come back as PDF bytes."""
    token = _MEDIUM.set("pdf")
    try:
        yield
    finally:
        _MEDIUM.reset(token)


def printed() -> bool:
    return _MEDIUM.get() == "pdf"


def as_pdf(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="pdf", metadata=PDF_METADATA)
    return buffer.getvalue()
