"""XmR chart of an SPC document, drawn the way "Making Data Count" draws it.

Points over periods joined by a line; the mean solid and the process limits
dashed, segment by segment, so a rebaseline (a merger, a definition
revision) visibly restarts them; the target as a red dashed line. Each point
keeps the type the projection gave it (``projections.stats.spc_icons``):
orange for concern, blue for improvement, purple for a change with no
polarity, grey for common cause - the chart never re-judges a point.

The document names codes only; a page that knows more may add ``name`` (the
provider's) and ``unit`` to it, and the chart uses them when present.
"""

import math

from charts.icons import meaning
from charts.palette import COMMON, MUTED, POINT_TYPES, TARGET, TEXT
from charts.svg import (
    LABEL_BOX,
    headings,
    legend,
    notice,
    render,
    value_label,
    with_unit,
    words,
)

MAX_TICKS = 10
TYPE_WORDS = {"improvement": "Special cause: improvement", "concern": "Special cause: concern",
              "neutral": "Special cause: neither better nor worse",
              "common_cause": "Common cause"}


def spc_chart_svg(document: dict) -> str:
    """SVG XmR chart of one provider's series for one indicator."""
    who = _who(document)
    title = f"SPC chart of {document['indicator']} for {who}"
    points = document.get("points") or []
    if not points:
        return notice(title, f"No figures from {who} for {document['indicator']} yet.")
    unit = document.get("unit")

    def draw(figure):
        ax = figure.add_subplot()
        ax.plot(range(len(points)), [p["value"] for p in points], color=COMMON, lw=1.2,
                zorder=2, gid="series")
        for i, p in enumerate(points):
            special = p["type"] != "common_cause"
            ax.plot([i], [p["value"]], "o", color=POINT_TYPES[p["type"]],
                    markeredgecolor=TEXT if special else COMMON, markeredgewidth=0.5,
                    markersize=6.5 if special else 4.5, zorder=3, gid=f"point-{i}")
        _segments(ax, points)
        if document.get("target") is not None:
            ax.axhline(document["target"], color=TARGET, lw=1.2, ls=(0, (5, 3)), zorder=2,
                       gid="target", label=f"Target ({with_unit(document['target'], unit)})")
        _frame(figure, ax, document, points)

    tips = {f"point-{i}": _tip(p, unit) for i, p in enumerate(points)}
    return render(draw, title, _describe(document, points, who), tooltips=tips)


def segments(points: list[dict]) -> list[tuple[int, int]]:
    """(start, stop) of each run of points sharing limits, in order."""
    starts = [i for i, p in enumerate(points) if i == 0 or p["segment"] != points[i - 1]["segment"]]
    return list(zip(starts, [*starts[1:], len(points)]))


def _segments(ax, points):
    for k, (start, stop) in enumerate(segments(points)):
        first, span = points[start], [start - 0.45, stop - 0.55]
        ax.plot(span, [first["mean"]] * 2, color=TEXT, lw=1.1, zorder=2, gid=f"mean-{k}",
                label=None if k else "Mean")
        if first["upl"] is not None:
            for name, label in (("upl", "Process limits"), ("lpl", None)):
                ax.plot(span, [first[name]] * 2, color=MUTED, lw=1, ls="--", zorder=2,
                        gid=f"{name}-{k}", label=None if k else label)
        if k:
            ax.axvline(start - 0.5, color=MUTED, lw=0.9, ls=":", gid=f"rebaseline-{k}")
            ax.text(start - 0.4, 0.98, f"Rebaselined {first['period']}", color=MUTED,
                    fontsize=7.5, va="top", bbox=LABEL_BOX, transform=ax.get_xaxis_transform())


def _frame(figure, ax, document, points):
    step = max(1, math.ceil(len(points) / MAX_TICKS))
    ax.set_xticks(range(0, len(points), step), [p["period"] for p in points][::step])
    ax.set_xlim(-0.7, len(points) - 0.3)
    ax.set_ylabel(value_label(document["indicator"], document.get("unit")))
    limits = "trial limits (fewer than 13 points)" if document.get("trial_limits") else \
        "process limits = mean ± 2.66 × mean moving range"
    headings(figure, ax, f"{document['indicator']}, {_who(document)}: XmR chart",
             f"{words(document['service_line'])}; {limits}")
    legend(figure, ax, [(TYPE_WORDS[code], "o", colour) for code, colour in POINT_TYPES.items()
                        if any(p["type"] == code for p in points)],
           loc="outside lower center", ncol=4)


def _who(document) -> str:
    name = document.get("name")
    return f"{name} ({document['provider']})" if name else document["provider"]


def _tip(point, unit) -> str:
    verdict = TYPE_WORDS[point["type"]].lower()
    rule = f" ({words(point['rule'])})" if point.get("rule") else ""
    pooled = f"; pools {', '.join(point['pooled_from'])}" if point.get("pooled_from") else ""
    return f"{point['period']}: {with_unit(point['value'], unit)}; {verdict}{rule}{pooled}"


def _describe(document, points, who) -> str:
    unit = document.get("unit")
    kinds = {t: sum(p["type"] == t for p in points) for t in ("improvement", "concern", "neutral")}
    special = ", ".join(f"{n} {t}" for t, n in kinds.items() if n) or "none"
    opening = (f"XmR (SPC) chart of {document['indicator']} "
               f"({words(document['service_line'])}) for {who}: {len(points)} "
               f"points from {points[0]['period']} to {points[-1]['period']}.")
    sentences = [opening, f"Current mean {with_unit(document['mean'], unit)}; {_limit_words(document)}.",
             f"Special-cause points: {special}."]
    if document.get("target") is not None:
        sentences.append(f"Target {with_unit(document['target'], unit)}.")
    restarts = [points[start]["period"] for start, _ in segments(points)[1:]]
    if restarts:
        sentences.append(f"Limits restart (rebaselined) at {', '.join(restarts)}.")
    pooled = sorted({code for p in points for code in p.get("pooled_from") or []})
    if pooled:
        sentences.append(f"Some points pool the figures of predecessors {', '.join(pooled)}.")
    for icon in ("variation_icon", "assurance_icon"):
        if document.get(icon):
            sentences.append(meaning(document[icon]) + ".")
    return " ".join(sentences)


def _limit_words(document) -> str:
    if document.get("upl") is None:
        return "no process limits (a single point)"
    unit = document.get("unit")
    trial = ", trial limits (fewer than 13 points)" if document.get("trial_limits") else ""
    return (f"process limits {with_unit(document['lpl'], unit)} to "
            f"{with_unit(document['upl'], unit)}{trial}")
