"""Funnel plot of a benchmark document: each provider's value against its denominator.

A ranked chart invites reading ranks as merit; a funnel shows that small
providers scatter more by chance (Spiegelhalter 2005). The limit curves come
from ``projections.stats`` - the very functions the benchmark projection used
to place each provider - so a point drawn beyond a line is one the document
calls flagged, and the colours (the document's own ``funnel`` positions) can
never disagree with the lines.

Only proportions and rates have a denominator; for means, medians and counts,
or when the projection found no funnel target (fewer than two providers, no
events), a notice explains why there is no funnel instead.
"""

import numpy as np

from charts.palette import COMPARISONS, MUTED, NOT_COMPARED, TEXT, comparison_colour
from charts.svg import (
    headings,
    label_point,
    legend,
    notice,
    number,
    peer_group_words,
    render,
    short_name,
    value_label,
    with_unit,
    words,
)
from projections.stats import funnel, overdispersion
from projections.stats.polarity import improvement_sign

CURVE_POINTS = 120
MARKERS = {"above": "^", "below": "v"}
WORDS = {1: ("better", "worse"), -1: ("worse", "better"), 0: ("higher", "lower")}
PLACES = {"inside": "inside the limits", "above_95": "above the 95% limit",
          "above_998": "above the 99.8% limit", "below_95": "below the 95% limit",
          "below_998": "below the 99.8% limit", None: "not placed"}


def funnel_plot(document: dict, highlight: str | None = None, adjusted: bool = False) -> str:
    """SVG funnel plot; ``adjusted`` draws and colours by the over-dispersion limits."""
    title = f"Funnel plot of {document['indicator']} for {document['period']}"
    reason = why_not(document)
    if reason:
        return notice(title, reason)
    providers = [p for p in document["providers"] if p.get("denominator")]
    which = "adjusted" if adjusted else "unadjusted"
    marked = next((p for p in providers if p["code"] == highlight), None)

    def draw(figure):
        ax = figure.add_subplot()
        _limits(ax, document, providers, adjusted)
        for p in providers:
            _mark(ax, p, p["funnel"][which], document["polarity"], p is marked)
        if marked:
            label_point(ax, marked["denominator"], marked["value"], short_name(marked))
        _frame(figure, ax, document, adjusted)

    tips = {f"provider-{p['code']}": _tip(p, document["unit"], which) for p in providers}
    return render(draw, title, _describe(document, providers, marked, highlight, which),
                  tooltips=tips)


def why_not(document: dict) -> str | None:
    measure = document["measure"]
    if measure not in ("proportion", "rate"):
        return (f"No funnel plot: a {measure} has no denominator to plot against. "
                "The ranked chart compares these providers.")
    if not document["providers"]:
        return f"No provider reported {document['indicator']} for {document['period']}."
    if document["summary"].get("funnel_target") is None:
        return ("No funnel plot: funnel limits need at least two providers and some events "
                "(and, for a percentage, some that fall short of 100%).")
    return None


def limit_curves(document: dict, denominators, adjusted: bool = False) -> dict[str, list]:
    """The four limit lines at each denominator, on the document's value scale.

    As in ``funnel_assessment``, with no over-dispersion (tau^2 = 0) the
    adjusted limits are the plain ones.
    """
    summary = document["summary"]
    tau2 = summary.get("tau2") or 0
    wide = adjusted and tau2 > 0
    if document["measure"] == "proportion":
        p0, scale = summary["funnel_target"] / 100, 100.0

        def limits(n):
            if wide:
                return overdispersion.adjusted_proportion_limits(n, p0, tau2)
            return funnel.proportion_funnel_limits(n, p0)
    else:
        multiplier = _multiplier(document["national"])
        rate, scale = summary["funnel_target"] / multiplier, 1.0

        def limits(n):
            if wide:
                return overdispersion.adjusted_rate_limits(n, rate, tau2, "sqrt", multiplier)
            return funnel.rate_funnel_limits(n, rate, multiplier)
    found = [limits(float(n)) for n in denominators]
    return {name: [getattr(f, name) * scale for f in found]
            for name in ("lower_95", "upper_95", "lower_998", "upper_998")}


def _multiplier(national: dict) -> float:
    """The rate's "per N": not in the document, but value = numerator / denominator * N."""
    return national["value"] * national["denominator"] / national["numerator"]


def _limits(ax, document, providers, adjusted):
    sizes = [p["denominator"] for p in providers]
    xs = np.geomspace(max(1.0, min(sizes) * 0.5), max(sizes) * 1.08, CURVE_POINTS)
    curves = limit_curves(document, xs, adjusted)
    target = document["summary"]["funnel_target"]
    ax.axhline(target, color=TEXT, linewidth=1.2, gid="target", label="Target (pooled value)")
    for name, level, style in (("95", "95%", "--"), ("998", "99.8%", "-")):
        ax.plot(xs, curves[f"upper_{name}"], style, color=MUTED, lw=1, gid=f"upper-{name}",
                label=f"{level} limits")
        ax.plot(xs, curves[f"lower_{name}"], style, color=MUTED, lw=1, gid=f"lower-{name}")
    values = [p["value"] for p in providers] + [target]
    span = max(max(values) - min(values), abs(target) * 0.02, 1e-9)
    ax.set_ylim(min(values) - span * 0.12, max(values) + span * 0.12)
    ax.set_xlim(0, xs[-1])


def judgement(position: str | None, polarity: str) -> str:
    """A funnel position in the words of a comparison: ``above_998`` -> ``better_998``."""
    if position is None:
        return NOT_COMPARED
    if position == "inside":
        return "similar"
    side, level = position.split("_")
    return f"{WORDS[improvement_sign(polarity)][side != 'above']}_{level}"


def _marker(position: str | None) -> str:
    """Triangles point the way a provider lies off the funnel, so colour is not needed."""
    return MARKERS.get((position or "").split("_")[0], "o")


def _mark(ax, provider, position, polarity, emphasised):
    ax.plot([provider["denominator"]], [provider["value"]], _marker(position),
            color=comparison_colour(judgement(position, polarity)), markeredgecolor=TEXT,
            markeredgewidth=1.6 if emphasised else 0.4, markersize=10 if emphasised else 6,
            zorder=4 if emphasised else 3, gid=f"provider-{provider['code']}")


def _frame(figure, ax, document, adjusted):
    ax.set_xlabel("Denominator" if document["measure"] == "proportion"
                  else "Denominator (population)")
    ax.set_ylabel(value_label(document["indicator"], document["unit"]))
    headings(figure, ax, f"{document['indicator']}, {document['period']}: funnel plot",
             f"{words(document['service_line'])}; {peer_group_words(document['peer_group'])};"
             f" limits {'adjusted' if adjusted else 'not adjusted'} for over-dispersion")
    shown = {}
    for p in document["providers"]:
        position = p["funnel"]["adjusted" if adjusted else "unadjusted"]
        shown[judgement(position, document["polarity"])] = _marker(position)
    legend(figure, ax, [("Within the 95% limits" if code == "similar" else label,
                         shown[code], colour)
                        for code, (colour, label) in COMPARISONS.items() if code in shown],
           loc="outside right upper")


def _tip(provider, unit, which):
    return (f"{provider['name'] or provider['code']} ({provider['code']}): "
            f"{with_unit(provider['value'], unit)}, {number(provider['numerator'])} of "
            f"{number(provider['denominator'])}; {PLACES.get(provider['funnel'][which])}")


def _describe(document, providers, marked, highlight, which):
    places = [p["funnel"][which] or "" for p in providers]
    outside = sum(place not in ("inside", "") for place in places)
    beyond = sum(place.endswith("998") for place in places)
    target = with_unit(document["summary"]["funnel_target"], document["unit"])
    method = " adjusted for over-dispersion" if which == "adjusted" else ""
    opening = (f"Funnel plot of {document['indicator']} for {document['period']} "
               f"({words(document['service_line'])}): {len(providers)} providers, "
               f"{peer_group_words(document['peer_group'])}, value against denominator.")
    sentences = [
        opening,
        f"Target (pooled value) {target} with 95% and 99.8% control limits{method}.",
        f"{outside} providers lie outside the 95% limits, {beyond} of them beyond 99.8%.",
    ]
    if (document["summary"].get("tau2") or 0) > 0 and which == "unadjusted":
        sentences.append(f"The providers are over-dispersed (phi "
                         f"{number(document['summary']['phi'])}); these limits are not adjusted "
                         "for it, so they flag more providers than chance alone would.")
    if marked:
        sentences.append(f"Highlighted: {_tip(marked, document['unit'], which)}.")
    elif highlight:
        sentences.append(f"{highlight} is not among the providers plotted.")
    return " ".join(sentences)
