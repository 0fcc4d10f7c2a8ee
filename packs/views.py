"""From a pack document to what its template shows: charts drawn, events sorted into tables.

Everything here reads the document only, so the PDF shows exactly what its attachment
holds. Charts are the web pages' charts (``charts.cache``), drawn from the figures: the
funnel and SPC charts as PDF forms placed after layout (``Printed``, ``packs.forms``), the
few others (time line, notices) as SVG pictures.
"""

import base64
import re
from collections import defaultdict
from functools import lru_cache

from markupsafe import Markup

import charts
from charts.funnel import why_not
from charts.icons import meaning
from charts.svg import SIZE, notice
from packs.forms import placeholder
from packs.svg import for_print

KIND_LABELS = {"ft": "FT application evidence pack", "renewal": "Contract renewal pack",
               "audit": "Regulator audit extract"}
DOMAINS = ("performance", "quality", "social_value")
FIGURE_CHANGES = {"Restated", "Withdrawn"}
QUERIES = {"Queried", "QueryAnswered"}
PIPELINE_NOTES = {"MilestoneSlipped", "Authorised", "Deferred", "Rejected", "Withdrawn"}


class Printed:
    """The charts a pack prints as forms: placeholder number -> (kind, document, options),
    for ``charts.cache.draw_ahead`` and ``printed_chart``."""

    def __init__(self):
        self.requests: list[tuple[str, dict, dict]] = []

    def place(self, kind: str, document: dict, alternative: str, **options) -> Markup:
        self.requests.append((kind, document, options))
        return placeholder(len(self.requests) - 1, SIZE, alternative)


def common(doc: dict) -> dict:
    return {"checkpoint": doc["ledger"]["checkpoint"], "kind_label": KIND_LABELS[doc["kind"]],
            "event_counts": event_counts(doc["events"])}


def ft_view(doc: dict, printed: Printed) -> dict:
    code = doc["subject"]["provider"]
    cards = [indicator_card(row, code, printed) for row in doc["figures"]["indicators"]]
    domains = [(d, [c for c in cards if c["row"]["domain"] == d]) for d in DOMAINS]
    domains = [(d, cs) for d, cs in domains if cs]
    comparisons = [c["row"]["comparison"] or "" for c in cards]
    events = doc["events"]
    cells = _cells(events)
    view = {
        "indicators": cards, "domains": domains,
        "better": sum(c.startswith("better") for c in comparisons),
        "worse": sum(c.startswith("worse") for c in comparisons),
        "similar": sum(c == "similar" for c in comparisons),
        "top_quartile": sum(c["row"]["quartile"] == 1 for c in cards),
        "restatements": [figure_change(e, cells) for e in events
                         if e["aggregate"] == "Submission" and e["event"] in FIGURE_CHANGES],
        "queries": [query(e, cells) for e in events
                    if e["aggregate"] == "Submission" and e["event"] in QUERIES],
        "pipeline_events": [pipeline_event(e) for e in events
                            if e["aggregate"] == "FTApplication"
                            and e["event"] in PIPELINE_NOTES],
        "submission_events": submission_events(events),
        "timeline": image(charts.milestone_timeline(doc["figures"]["application"],
                                                    doc["figures"]["today"]))
        if doc["figures"]["application"] else "",
    }
    contents = [("summary", "Executive summary", [])]
    contents += [(f"domain-{d}", d.replace("_", " ").capitalize(),
                  [(c["anchor"], f"{c['row']['indicator']} · "
                    f"{c['row']['service_line'].replace('_', ' ')}") for c in cs])
                 for d, cs in domains]
    contents += [("changes", "Restatements and data queries", []),
                 ("contracts", "Contracts and renewals", []),
                 ("application", "FT application and milestones", []),
                 ("provenance", "Provenance appendix", [])]
    return {"view": view, "contents": contents, "contracts": doc["figures"]["contracts"],
            "keywords": f"FT application, evidence pack, {code}",
            "description": f"FT application evidence for {code} as known at {doc['as_of']}"}


def indicator_card(row: dict, highlight: str, printed: Printed) -> dict:
    spc = row.get("spc")
    where = f"{row['indicator']} ({row['service_line'].replace('_', ' ')})"
    return {
        "row": row, "anchor": f"indicator-{row['indicator']}-{row['service_line']}",
        "funnel": funnel(row.get("funnel"), where, highlight, printed),
        "spc": printed.place("spc", spc, f"SPC chart of {where} for {highlight}")
        if spc and spc.get("points") else "",
        "variation": icon(charts.variation_icon(spc["variation_icon"], size=24))
        if spc else "",
        "assurance": icon(charts.assurance_icon(spc["assurance_icon"], size=24))
        if spc else "",
        "variation_words": meaning(spc["variation_icon"]) if spc else "",
        "assurance_words": meaning(spc["assurance_icon"]) if spc else "",
    }


def funnel(document: dict | None, where: str, highlight: str, printed: Printed) -> Markup:
    """The funnel chart's placeholder, or the notice saying why there is none."""
    if document is None:
        return Markup("")
    title = f"Funnel plot of {where} for {document['period']}"
    reason = why_not(document)
    if reason:
        return image(notice(title, reason))
    return printed.place("funnel", document, title, highlight=highlight)


def image(svg: str, kind: str = "chart") -> Markup:
    """A chart (or another picture: ``kind`` is its class) as an <img> of its SVG:
    WeasyPrint then draws it as one picture instead of styling each of its thousand
    elements as HTML (several times faster), and the SVG's title becomes the image's
    alternative text."""
    if not svg:
        return Markup("")
    title = re.search(r"<title[^>]*>(.*?)</title>", svg, re.S)
    source = base64.b64encode(for_print(svg).encode("utf-8")).decode("ascii")
    return Markup('<img class="{}" alt="{}" src="data:image/svg+xml;base64,{}">').format(
        kind, Markup(title.group(1)) if title else kind, source)


@lru_cache(maxsize=64)
def icon(svg: str) -> Markup:
    """An SPC icon as a picture whose alternative text is its meaning (the badge's
    title). A pack repeats a handful of icons down its summary table: as pictures,
    WeasyPrint parses each distinct icon once, where inline SVG was parsed, styled and
    laid out as HTML elements at every use (measured: about 4% of a pack's warm render)."""
    return image(svg, "icon")


def event_counts(events: list[dict]) -> list[dict]:
    counts: dict[str, dict] = {}
    for e in events:
        key = f"{e['aggregate']}.{e['event']}"
        row = counts.setdefault(key, {"type": key, "count": 0, "first": e["recorded_at"]})
        row["count"] += 1
        row["last"] = e["recorded_at"]
    return sorted(counts.values(), key=lambda r: r["type"])


def submission_events(events: list[dict]) -> list[dict]:
    """Per indicator and service line: how many events of its submissions the pack rests on."""
    cells_of = _cells(events)
    cells: dict[tuple, list[dict]] = defaultdict(list)
    for e in events:
        if e["aggregate_id"] in cells_of:
            cells[cells_of[e["aggregate_id"]][:2]].append(e)
    rows = []
    for (indicator, line), found in sorted(cells.items()):
        periods = sorted({cells_of[e["aggregate_id"]][2] for e in found})
        rows.append({"indicator": indicator, "service_line": line, "count": len(found),
                     "first_period": periods[0], "last_period": periods[-1],
                     "first_position": found[0]["position"],
                     "last_position": found[-1]["position"]})
    return rows


def _cells(events: list[dict]) -> dict[str, tuple[str, str, str]]:
    """Each submission aggregate's (indicator, service line, period), from its Submitted event."""
    return {e["aggregate_id"]: (e["data"]["indicator"], e["data"]["service_line"],
                                e["data"]["period"])
            for e in events if e["aggregate"] == "Submission" and e["event"] == "Submitted"}


def actor(e: dict) -> str:
    who = e["provenance"].get("actor") or {}
    return f"{who.get('user_id')} ({who.get('organisation')}, {who.get('role')})"


def figure_change(e: dict, cells: dict) -> dict:
    data = e["data"]
    return {**base(e), "figure": figure_label(e, cells),
            "before": values_text(data.get("previous_values")),
            "after": values_text(data.get("values")) if e["event"] == "Restated"
            else "withdrawn"}


def query(e: dict, cells: dict) -> dict:
    data = e["data"]
    return {**base(e), "figure": figure_label(e, cells),
            "text": data.get("question") or data.get("answer") or data.get("text") or "–"}


def pipeline_event(e: dict) -> dict:
    data = e["data"]
    detail = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(data.items())
                       if k not in ("provider", "reason") and v not in (None, ""))
    return {**base(e), "detail": detail}


def base(e: dict) -> dict:
    return {"position": e["position"], "recorded_at": e["recorded_at"],
            "event": e["event"], "actor": actor(e), "reason": e["provenance"].get("reason")}


def figure_label(e: dict, cells: dict) -> str:
    cell = cells.get(e["aggregate_id"])
    return " ".join(cell).replace("_", " ") if cell else e["aggregate_id"][:8]


def values_text(values: dict | None) -> str:
    if not values:
        return "–"
    return ", ".join(f"{k} {v}" for k, v in values.items() if v not in (None, ""))


def renewal_view(doc: dict, printed: Printed) -> dict:
    contract = doc["figures"]["contract"]
    cards = [indicator_card(row, contract["provider"], printed)
             for row in doc["figures"]["indicators"]]
    events = [{**base(e), "detail": detail(e), "channel": e["provenance"].get("channel")}
              for e in doc["events"]]
    view = {"indicators": cards, "history": events,
            "review": [e for e in events if e["event"] in REVIEW_EVENTS]}
    contents = [("contract", "The contract and its history", []),
                ("performance", "Performance over the term",
                 [(c["anchor"], f"{c['row']['indicator']} · "
                   f"{c['row']['service_line'].replace('_', ' ')}") for c in cards]),
                ("review", "Review and decision record", []),
                ("provenance", "Provenance appendix", [])]
    return {"view": view, "contents": contents, "c": contract, "contracts": [contract],
            "keywords": f"contract renewal, {contract['reference']}, {contract['provider']}",
            "description": f"Renewal evidence for contract {contract['reference']} as known "
                           f"at {doc['as_of']}"}


def audit_view(doc: dict, _printed: Printed) -> dict:
    figures = doc["figures"]
    events = [{**base(e), "detail": detail(e), "how": how(e),
               "leaf_hash": (e.get("ledger") or {}).get("leaf_hash") or "–"}
              for e in doc["events"]]
    contents = [("summary", "Summary", []), ("events", "Every event", []),
                ("provenance", "Provenance appendix", [])]
    return {"view": {"events": events}, "contents": contents, "f": figures,
            "keywords": f"audit extract, {figures['organisation']['code']}",
            "description": f"Every event concerning {figures['organisation']['code']} recorded "
                           f"from {figures['recorded_from']} to {figures['recorded_to']}"}


REVIEW_EVENTS = {"RenewalReviewOpened", "RenewalDecided", "Extended", "Terminated"}


def detail(e: dict) -> str:
    """An event's payload in one line (the provider and previous values left out)."""
    return ", ".join(f"{k.replace('_', ' ')} {values_text(v) if isinstance(v, dict) else v}"
                     for k, v in sorted(e["data"].items())
                     if k not in ("previous_values",) and v not in (None, "", [], {}))


def how(e: dict) -> str:
    p = e["provenance"]
    source = p.get("source")
    if source:
        return f"{p.get('channel')}: {source.get('file')} row {source.get('row')} " \
               f"(SHA-256 {str(source.get('sha256'))[:12]}…)"
    return p.get("channel") or "–"
