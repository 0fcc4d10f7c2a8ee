"""Charts for pages, memoised: a chart is a pure function of its document.

The same document (same figures, same as-of) always draws the same SVG, so the
drawing is cached by the document's canonical JSON; a restatement changes the
document and so draws afresh. Bounded, per process.
"""

import json
from functools import lru_cache

import charts

DRAWERS = {"funnel": charts.funnel_plot, "caterpillar": charts.caterpillar_chart,
           "spc": charts.spc_chart_svg}


def chart(kind: str, document: dict | None, **options) -> str:
    if document is None:
        return ""
    return _draw(kind, json.dumps(document, sort_keys=True, default=str),
                 tuple(sorted(options.items())))


@lru_cache(maxsize=512)
def _draw(kind: str, document_json: str, options: tuple) -> str:
    return DRAWERS[kind](json.loads(document_json), **dict(options))
