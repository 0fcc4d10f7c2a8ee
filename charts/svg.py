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

Matplotlib writes every style as a ``style="..."`` attribute and adds one little style
sheet (``*{stroke-linejoin: round; stroke-linecap: butt}``). A page's
Content-Security-Policy without ``'unsafe-inline'`` styles would refuse both, so
``presentation`` rewrites them as SVG presentation attributes, which say the same (SVG
1.1 §6.4: each of these properties is also an attribute) and which no policy governs:
the style sheet's two defaults go on the root, which every element inherits from.
Every chart, on pages and in packs, is drawn so; ``notice`` and the badges are written
with attributes in the first place.
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
# SVG 1.1's presentation attributes (§6.4 and the property index): properties that may be
# given as attributes of the same name.
PRESENTATION = frozenset({
    "alignment-baseline", "baseline-shift", "clip", "clip-path", "clip-rule", "color",
    "color-interpolation", "color-interpolation-filters", "color-profile", "color-rendering",
    "cursor", "direction", "display", "dominant-baseline", "enable-background", "fill",
    "fill-opacity", "fill-rule", "filter", "flood-color", "flood-opacity", "font-family",
    "font-size", "font-size-adjust", "font-stretch", "font-style", "font-variant",
    "font-weight", "glyph-orientation-horizontal", "glyph-orientation-vertical",
    "image-rendering", "kerning", "letter-spacing", "lighting-color", "marker-end",
    "marker-mid", "marker-start", "mask", "opacity", "overflow", "pointer-events",
    "shape-rendering", "stop-color", "stop-opacity", "stroke", "stroke-dasharray",
    "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
    "stroke-opacity", "stroke-width", "text-anchor", "text-decoration", "text-rendering",
    "unicode-bidi", "visibility", "word-spacing", "writing-mode"})
_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_STYLE_ATTRIBUTE = re.compile(r'\sstyle="([^"]*)"')
# matplotlib's one style sheet: defaults for every element
_DEFAULT_STYLE = re.compile(r'\s*<defs>\s*<style type="text/css">\*\{([^{}<]*)\}</style>\s*'
                            r'</defs>')


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
    return accessible(presentation(buffer.getvalue()), title, description, tooltips or {})


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


def presentation(svg: str) -> str:
    """Matplotlib's SVG with no style attribute and no style element: each style declaration
    becomes the presentation attribute of the same name, in the same place, and the default
    style sheet's declarations become attributes of the root. A declaration that is not a
    presentation attribute would leave its style attribute as it is (matplotlib writes
    none; the pages' test would find it). Text needs no care: matplotlib escapes ``<`` and
    ``>`` in text, so every ``<...>`` is a tag."""
    sheet = _DEFAULT_STYLE.search(svg)
    if sheet:
        defaults = _declarations(sheet.group(1))
        svg = svg[:sheet.start()] + svg[sheet.end():]
        if defaults:
            root = _ROOT.search(svg)
            svg = (svg[:root.end() - 1] + _attributes(defaults) + svg[root.end() - 1:])
    return _TAG.sub(_tag_without_style, svg)


def _declarations(style: str) -> dict[str, str] | None:
    """``fill: #fff; stroke: none`` -> {"fill": "#fff", "stroke": "none"}; None if any is
    not a presentation attribute."""
    declarations = {}
    for part in style.split(";"):
        if not part.strip():
            continue
        name, colon, value = part.partition(":")
        if not colon or name.strip() not in PRESENTATION:
            return None
        declarations[name.strip()] = value.strip()
    return declarations


def _attributes(declarations: dict[str, str]) -> str:
    return "".join(f' {name}="{value}"' for name, value in declarations.items())


def _tag_without_style(match: re.Match) -> str:
    tag = match.group(0)
    found = _STYLE_ATTRIBUTE.search(tag)
    declarations = _declarations(found.group(1)) if found else None
    if declarations is None:
        return tag
    before, after = tag[:found.start()], tag[found.end():]
    for name in list(declarations):  # an attribute already there: the style's value wins
        pattern = re.compile(rf'(\s{re.escape(name)}=)"[^"]*"')
        if pattern.search(before + after):
            value = declarations.pop(name)
            before, after = (pattern.sub(lambda m: f'{m.group(1)}"{value}"', part)
                             for part in (before, after))
    return before + _attributes(declarations) + after


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
            'class="chart-notice" '
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
