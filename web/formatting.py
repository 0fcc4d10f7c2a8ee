"""Jinja filters and globals: numbers, dates, and links that keep the "as known at" time."""

from datetime import date, datetime

from flask import g, request, url_for
from markupsafe import Markup

from charts.palette import COMPARISONS, NOT_COMPARED, comparison_colour, comparison_label
from web.context import parse_as_of


def number(value, places: int = 1) -> str:
    if value is None or value == "":
        return "–"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if value.is_integer() and abs(value) >= 1000:
        return f"{int(value):,}"
    if value.is_integer() and places == 1:
        return f"{int(value):,}"
    return f"{value:,.{places}f}"


def when(value) -> str:
    """A recorded time as people read it: 2024-03-01 14:05 UTC."""
    if value is None:
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def link(endpoint: str, **values) -> str:
    """url_for that carries the page's "as known at" time to the next page."""
    as_of = request.args.get("as_of") if request else None
    if as_of and "as_of" not in values:
        values["as_of"] = as_of
    return url_for(endpoint, **values)


def here(**changes) -> str:
    """The current page's address with some query arguments changed (None removes one)."""
    args = request.args.to_dict()
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return url_for(request.endpoint, **(request.view_args or {}), **args)


DARK_BACKGROUNDS = {"better_998", "worse_998", "higher_998", "lower_998"}


def comparison_tag(code: str | None) -> Markup:
    """The Fingertips comparison as a badge in the same colours as the charts: a class per
    comparison, coloured by static/style.css (no style attribute: the Content-Security-Policy
    allows none; ``comparison_css`` writes those rules, and a test keeps them equal)."""
    known = code if code in COMPARISONS else NOT_COMPARED
    return Markup('<span class="tag comparison comparison-{}" data-comparison="{}">{}'
                  '</span>').format(known, code or NOT_COMPARED, comparison_label(code))


def comparison_css() -> str:
    """The stylesheet's rules for the comparison badges, from the charts' palette."""
    rules = []
    for code in COMPARISONS:
        ink = "#fff" if code in DARK_BACKGROUNDS else "#212b32"
        border = " border: 1px solid #aeb7bd;" if code == NOT_COMPARED else ""
        rules.append(f".tag.comparison-{code} {{ background: {comparison_colour(code)}; "
                     f"color: {ink};{border} }}")
    return "\n".join(rules) + "\n"


def svg(markup: str | None) -> Markup:
    """Charts are SVG we rendered ourselves from numbers; mark them safe to inline."""
    return Markup(markup or "")


def _as_of():
    """The page's "as known at" time, parsed once per request (bad text is a 422)."""
    if "as_of" not in g:
        g.as_of = parse_as_of(request.args.get("as_of"))
    return g.as_of


def register(app) -> None:
    app.add_template_filter(number)
    app.add_template_filter(when)
    app.add_template_filter(svg)
    app.add_template_global(link)
    app.add_template_global(here)
    app.add_template_global(comparison_tag)

    @app.before_request
    def read_as_of():
        _as_of()  # a bad "as known at" time is refused before any view runs
