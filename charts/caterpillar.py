"""Ranked intervals ("caterpillar") of a benchmark document.

Providers are ordered best first by the indicator's polarity (highest first
when it has none) and each is drawn with its 95% confidence interval, so a
reader sees at once which ranks are distinguishable: a rank whose interval
holds the group value means little. Points take the colour of the document's
own Fingertips comparison (``projections.stats.comparison``), never one
recomputed here, so the chart and the table beside it cannot disagree.

Up to ``NAMED_UP_TO`` providers are listed by name down the side; beyond that
the chart turns to run along the x axis unnamed and labels only the
highlighted provider. Medians and counts have no intervals: they are drawn as
points, all "not compared", and the description says why.
"""

from charts.palette import (
    COMPARISONS,
    MUTED,
    NOT_COMPARED,
    TEXT,
    comparison_colour,
    comparison_label,
)
from charts.svg import (
    SIZE,
    headings,
    label_point,
    legend,
    notice,
    peer_group_words,
    render,
    short_name,
    value_label,
    with_unit,
    words,
)

NAMED_UP_TO = 40
ORDER = {"higher": "best first (higher is better)", "lower": "best first (lower is better)",
         "none": "highest first (no judgement of better or worse)"}


def caterpillar_chart(document: dict, highlight: str | None = None) -> str:
    """SVG ranked interval chart of every provider in a benchmark document."""
    title = f"Ranked values of {document['indicator']} for {document['period']}"
    ranked = best_first(document["providers"], document["polarity"])
    if not ranked:
        return notice(title, f"No provider reported {document['indicator']} for "
                             f"{document['period']}.")
    named = len(ranked) <= NAMED_UP_TO

    def draw(figure):
        ax = figure.add_subplot()
        for i, p in enumerate(ranked):
            _provider(ax, i, p, p["code"] == highlight, named)
        _group_line(ax, document, named)
        _axes(ax, ranked, highlight, named)
        _frame(figure, ax, document, ranked)

    size = (SIZE[0], max(3.2, 1.6 + 0.2 * len(ranked))) if named else SIZE
    tips = {f"provider-{p['code']}": _tip(p, document["unit"]) for p in ranked}
    return render(draw, title, _describe(document, ranked, highlight), size, tips)


def best_first(providers: list[dict], polarity: str) -> list[dict]:
    """Providers with a value, best first (highest first unless lower is better).

    Ties fall back on the code, so equal values keep one order on every page.
    """
    sign = 1 if polarity == "lower" else -1
    return sorted((p for p in providers if p.get("value") is not None),
                  key=lambda p: (sign * p["value"], p["code"]))


def _xy(named: bool, position, value):
    """Named charts run down the page (value across); unnamed ones along it."""
    return (value, position) if named else (position, value)


def _provider(ax, i, p, emphasised, named):
    if p.get("ci95"):
        ax.plot(*_xy(named, [i, i], p["ci95"]), color=TEXT if emphasised else MUTED,
                lw=2.2 if emphasised else 1.2, solid_capstyle="butt", gid=f"interval-{p['code']}")
    ax.plot(*_xy(named, [i], [p["value"]]), "o", color=comparison_colour(p.get("comparison")),
            markeredgecolor=TEXT, markeredgewidth=1.6 if emphasised else 0.5,
            markersize=9 if emphasised else 6, zorder=4 if emphasised else 3,
            gid=f"provider-{p['code']}")


def _group_line(ax, document, named):
    value = document["national"].get("value")
    if value is None:
        return
    line = ax.axvline if named else ax.axhline
    line(value, color=TEXT, lw=1.1, zorder=2, gid="group-value",
         label=f"Value for {peer_group_words(document['peer_group'])} "
               f"({with_unit(value, document['unit'])})")


def _axes(ax, ranked, highlight, named):
    names = [short_name(p) for p in ranked]
    if named:
        ax.set_yticks(range(len(ranked)), names)
        ax.set_ylim(len(ranked) - 0.5, -0.5)
        ax.grid(False, axis="y")
        for label, p in zip(ax.get_yticklabels(), ranked):
            if p["code"] == highlight:
                label.set(fontweight="bold", color=TEXT, gid="highlight-label")
        return
    ax.set_xlim(-1, len(ranked))
    ax.set_xticks([])
    ax.set_xlabel("Providers, ranked")
    for i, p in enumerate(ranked):
        if p["code"] == highlight:
            label_point(ax, i, p["value"], names[i])


def _frame(figure, ax, document, ranked):
    named = len(ranked) <= NAMED_UP_TO
    (ax.set_xlabel if named else ax.set_ylabel)(
        value_label(document["indicator"], document["unit"]))
    headings(figure, ax, f"{document['indicator']}, {document['period']}: providers ranked",
             f"{words(document['service_line'])}; {peer_group_words(document['peer_group'])};"
             f" {ORDER[document['polarity']]}")
    shown = {p.get("comparison") or NOT_COMPARED for p in ranked}
    styles = [(label, "o", colour) for code, (colour, label) in COMPARISONS.items()
              if code in shown]
    if any(p.get("ci95") for p in ranked):
        styles.insert(0, ("95% confidence interval", "_" if named else "|", MUTED))
    # Two rows, filled column by column, keep better and worse entries side by side.
    legend(figure, ax, styles, loc="outside lower center", ncol=(len(styles) + 2) // 2)


def _interval_words(p, unit) -> str:
    if not p.get("ci95"):
        return with_unit(p["value"], unit)
    low, high = p["ci95"]
    return f"{with_unit(p['value'], unit)} (95% CI {with_unit(low, unit)} to {with_unit(high, unit)})"


def _tip(p, unit) -> str:
    return (f"{p['name'] or p['code']} ({p['code']}): ranked {p.get('rank')}, "
            f"{_interval_words(p, unit)}; {comparison_label(p.get('comparison')).lower()}")


def _describe(document, ranked, highlight) -> str:
    counts: dict[str, int] = {}
    for p in ranked:
        label = comparison_label(p.get("comparison")).lower()
        counts[label] = counts.get(label, 0) + 1
    group = document["national"].get("value")
    opening = (f"Ranked chart of {document['indicator']} for {document['period']} "
               f"({words(document['service_line'])}): {len(ranked)} providers, "
               f"{peer_group_words(document['peer_group'])}, {ORDER[document['polarity']]}, "
               "each with its 95% confidence interval where it has one.")
    sentences = [
        opening,
        f"Group value {with_unit(group, document['unit'])}." if group is not None else "",
        "Compared with it: " + ", ".join(f"{n} {label}" for label, n in counts.items()) + ".",
    ]
    if not any(p.get("ci95") for p in ranked):
        sentences.append(f"A {document['measure']} has no confidence interval here, so providers "
                     "are ranked but not compared.")
    marked = next((p for p in ranked if p["code"] == highlight), None)
    if marked:
        sentences.append(f"Highlighted: {_tip(marked, document['unit'])}.")
    elif highlight:
        sentences.append(f"{highlight} is not among the providers ranked.")
    return " ".join(w for w in sentences if w)
