"""Figure to inline SVG: one place for matplotlib's settings and the accessible wrapper.

Charts are drawn on a bare ``matplotlib.figure.Figure`` (no pyplot, so no
global figure manager) and saved with the SVG backend. Two of the settings
they need - text kept as text (``svg.fonttype: none``) and a fixed hash salt
so ids and bytes do not change between runs - are read by matplotlib from
the process-wide ``rcParams`` at draw time; ``render`` therefore applies the
style inside ``rc_context`` under a lock, so two web requests drawing at once
cannot see each other's half-applied settings.

The result is meant to be pasted into HTML (Flask pages, WeasyPrint packs):
the XML prolog and DOCTYPE are dropped, the fixed size gives way to
``width="100%"`` and the viewBox, and the root carries ``role="img"`` with a
<title> and <desc> that name what the chart shows. Marks that tests and
pages need to find get matplotlib ``gid``s, which become element ids;
``tooltips`` gives such groups a <title> that browsers show on hover.
"""

import hashlib
import io
import re
import textwrap
import threading
from collections.abc import Callable
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from charts.medium import as_pdf, printed
from charts.palette import FONT, GRID, MUTED, TEXT

STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "community-registry-charts",
    "font.family": "sans-serif",
    "font.sans-serif": [FONT],
    "font.size": 9,
    "text.color": TEXT,
    "axes.edgecolor": MUTED,
    "axes.labelcolor": TEXT,
    "axes.titlesize": 10,
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "legend.frameon": False,
    "legend.fontsize": 8,
}
SIZE = (7.2, 4.2)
LABEL_BOX = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.6}
_LOCK = threading.Lock()
_ROOT = re.compile(r"<svg\b[^>]*>")


def render(draw: Callable[[Figure], None], title: str, description: str,
           size: tuple[float, float] = SIZE, tooltips: dict[str, str] | None = None) -> str:
    """Run ``draw`` on a fresh figure and return it as accessible inline SVG."""
    with _LOCK, matplotlib.rc_context(STYLE):
        figure = Figure(figsize=size, layout="constrained")
        draw(figure)
        if printed():
            return as_pdf(figure)  # for print (``charts.medium``): a PDF, no wrapper
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return accessible(buffer.getvalue(), title, description, tooltips or {})


def accessible(svg: str, title: str, description: str, tooltips: dict[str, str]) -> str:
    """Inline-ready SVG: no prolog, fluid width, role, title, description, tooltips."""
    svg = svg[svg.index("<svg"):]
    root = _ROOT.search(svg).group(0)
    key = hashlib.sha1(f"{title}\n{description}".encode(), usedforsecurity=False).hexdigest()[:10]
    opened = (re.sub(r'\s(width|height)="[^"]*"', "", root)[:-1]
              + f' width="100%" role="img" aria-labelledby="chart-{key}-title chart-{key}-desc">'
              + f'<title id="chart-{key}-title">{escape(title)}</title>'
              + f'<desc id="chart-{key}-desc">{escape(description)}</desc>')
    svg = svg.replace(root, opened, 1)
    for gid, text in tooltips.items():
        svg = svg.replace(f'<g id="{gid}">', f'<g id="{gid}"><title>{escape(text)}</title>', 1)
    return svg


def headings(figure: Figure, ax, heading: str, subheading: str) -> None:
    """A bold heading over the figure and a quieter line of context over the plot."""
    figure.suptitle(heading, x=0.01, ha="left", fontsize=10.5, fontweight="bold")
    ax.set_title(subheading, fontsize=8, color=MUTED)


def value_label(indicator: str, unit: str | None) -> str:
    return f"{indicator} ({unit})" if unit else indicator


def legend(figure: Figure, ax, styles: list[tuple[str, str, str]], **placement) -> None:
    """The axes' labelled lines, then one entry per point style (label, marker, colour)."""
    handles, labels = ax.get_legend_handles_labels()
    for label, marker, colour in styles:
        stroke = marker in ("_", "|")  # an interval bar, drawn as a bar
        handles.append(Line2D([], [], ls="", marker=marker, color=colour,
                              markersize=14 if stroke else 6,
                              markeredgecolor=colour if stroke else TEXT,
                              markeredgewidth=1.2 if stroke else 0.5))
        labels.append(label)
    figure.legend(handles, labels, **placement)


def label_point(ax, x: float, y: float, text: str) -> None:
    """Label one point, leaning away from the nearest edges so the text stays inside."""
    across, up = ax.transAxes.inverted().transform(ax.transData.transform((x, y)))
    right, high = across > 0.6, up > 0.6
    ax.annotate(text, (x, y), xytext=(-14 if right else 14, -18 if high else 16),
                textcoords="offset points", ha="right" if right else "left",
                va="top" if high else "bottom", fontweight="bold", gid="highlight-label",
                bbox=LABEL_BOX, zorder=5, arrowprops={"arrowstyle": "-", "color": TEXT, "lw": 0.8})


def notice(title: str, message: str) -> str:
    """A small SVG that says why there is no chart, in place of the chart.

    Pages and PDF packs keep their layout, and a reader learns the reason
    (no denominator, nobody reported) instead of meeting a blank space.
    """
    lines = textwrap.wrap(message, 62) or [""]
    height = 24 + 18 * len(lines)
    spans = "".join(f'<tspan x="16" dy="{0 if i == 0 else 18}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 {height}" width="100%" '
            f'style="max-width: 480px" '
            f'role="img" aria-label={quoteattr(f"{title}: {message}")}>'
            f"<title>{escape(title)}</title><desc>{escape(message)}</desc>"
            f'<rect x="0.5" y="0.5" width="479" height="{height - 1}" rx="4" fill="#F0F4F5" '
            f'stroke="{GRID}"/>'
            f'<text y="30" font-family="{FONT}" font-size="13" fill="{TEXT}">{spans}</text>'
            "</svg>")


def number(value: float | None) -> str:
    """A figure as readers expect it: 4 significant digits, thousands separated."""
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def with_unit(value: float | None, unit: str | None) -> str:
    text = number(value)
    if value is None or not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def short_name(provider: dict, limit: int = 40) -> str:
    """A provider's name fit for a label; "NHS Foundation Trust" is the usual culprit."""
    name = (provider.get("name") or provider["code"]).replace("NHS Foundation Trust", "NHS FT")
    return name if len(name) <= limit else name[:limit - 1].rstrip() + "…"


def words(code: str) -> str:
    """A stored code read aloud: ``walk_in_centres`` -> ``walk in centres``."""
    return code.replace("_", " ")


def peer_group_words(peer_group: str) -> str:
    """``kind:nhs_trust`` -> ``NHS trust providers``; ``all`` -> ``all providers``."""
    if peer_group == "all":
        return "all providers"
    kind, _, value = peer_group.partition(":")
    if kind == "region":
        return f"providers in region {value}"
    return words(value).replace("nhs", "NHS") + " providers"
