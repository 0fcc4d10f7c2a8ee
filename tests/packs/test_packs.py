"""Evidence packs read as their readers would: the PDF's text, metadata and attachment,
their figures against the API's, their proofs against an independent verifier, and a
pack reproduced as known at an earlier moment."""

import base64
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

import packs
from charts.icons import meaning
from packs.document import FORMAT
from packs.pdf import read_document, render_html, render_pdf
from packs.verify import verify_pack
from packs.views import Printed
from registry.errors import InvalidInput, NotFound
from tests.builders import ADMIN, provider_of
from tests.ledger import independent_verifier as independent
from tests.packs.conftest import CELL, attachment
from web import create_app

AUDIT_RANGE = {"from": "2000-01-01T00:00:00+00:00", "to": "2100-01-01T00:00:00+00:00"}


def build(app, kind, subject, as_of=None):
    return packs.build(app, kind, subject, as_of, requested_by="tester", channel="cli")


def text_of(pdf: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() for page in reader.pages]


def words_of(pdf: bytes) -> str:
    """All the text of a PDF with its line breaks as spaces (table cells wrap, also after
    a hyphen, as in a contract reference)."""
    return " ".join(" ".join(text_of(pdf)[1]).split()).replace("- ", "-")


def api(app, settings, path):
    """GET an API path as an admin with a bearer token, as a reader of the API would."""
    if app.get_user("api.reader") is None:
        app.add_user({"username": "api.reader", "name": "Reader", "role": "admin",
                      "organisation": None, "password": "a long enough password"}, ADMIN)
    token = app.issue_token({"username": "api.reader"}, ADMIN)["token"]
    web = create_app(settings, registry=app, config={"TESTING": True})
    response = web.test_client().get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_the_ft_pack_is_an_archival_pdf_carrying_its_data(world):
    document = build(world, "ft", {"provider": "RY6"})
    pdf = render_pdf(document)
    reader, pages = text_of(pdf)
    assert reader.metadata.title == "FT application evidence pack: Leeds Community " \
                                    "Healthcare NHS Trust (RY6)"
    assert reader.metadata.author == "Community services performance registry"
    assert "RY6" in reader.metadata["/Keywords"]
    assert reader.metadata["/CreationDate"].startswith("D:" + document["generated_at"][:4])
    xmp = reader.xmp_metadata
    pdfa = "http://www.aiim.org/pdfa/ns/id/"
    assert [a.value for a in xmp.get_element("", pdfa, "part")] == ["3"]
    assert [a.value for a in xmp.get_element("", pdfa, "conformance")] == ["B"]
    assert xmp.dc_title == {"x-default": reader.metadata.title}
    assert json.loads(attachment(pdf)) == document
    total = len(pages)
    for number, text in enumerate(pages[2:], start=3):  # the cover and contents carry none
        assert f"Page {number} of {total}" in text
        assert "FT application evidence pack: Leeds Community" in text  # running header
    whole = "\n".join(pages)
    for heading in ("Executive summary", "Performance", "Restatements and data queries",
                    "Contracts and renewals", "FT application and milestones",
                    "Provenance appendix", "How to verify this pack"):
        assert heading in whole
    assert document["ledger"]["checkpoint"]["root_hash"] in whole.replace("\n", "")


def test_the_ft_pack_draws_every_funnel_and_spc_chart_as_a_vector_form(world):
    document = build(world, "ft", {"provider": "RY6"})
    printed = Printed()
    render_html(document, printed)
    kinds = sorted(kind for kind, _, _ in printed.requests)
    assert kinds == ["funnel"] * len(document["figures"]["indicators"]) + \
        ["spc"] * len(document["figures"]["indicators"])
    reader, pages = text_of(render_pdf(document))
    content = b"".join(page.get_contents().get_data() for page in reader.pages)
    placed = set(re.findall(rb"/Chart(\d+) Do", content))
    assert placed == {str(n).encode() for n in range(len(printed.requests))}
    forms = {name: ref.get_object() for page in reader.pages
             for name, ref in page["/Resources"]["/XObject"].items() if name.startswith("/Chart")}
    assert len(forms) == len(printed.requests)
    assert all(form["/Subtype"] == "/Form" for form in forms.values())
    whole = "\n".join(pages)
    assert "WIC4H, 2018-12: funnel plot" in whole and "XmR chart" in whole


def test_every_comparison_badge_in_a_pack_is_coloured_by_its_stylesheet(world):
    html = render_html(build(world, "ft", {"provider": "RY6"}))
    used = set(re.findall(r'class="tag comparison (comparison-[a-z_0-9]+)"', html))
    assert used  # the summary compares every indicator
    for badge in used:
        assert re.search(rf"\.tag\.{badge} {{ background: #[0-9A-Fa-f]{{6}}", html), badge


def test_the_summary_shows_each_spc_icon_as_a_picture_saying_what_it_means(world):
    document = build(world, "ft", {"provider": "RY6"})
    html = render_html(document)
    summary = html[html.index('id="summary"'):html.index('id="domain-')]
    assert "<svg" not in summary  # pictures, not inline SVG laid out as HTML elements
    icons = re.findall(r'<img class="icon" alt="([^"]*)" src="data:image/svg\+xml;base64,'
                       r'([A-Za-z0-9+/=]+)">', summary)
    expected = [meaning(code) for row in document["figures"]["indicators"] if row.get("spc")
                for code in (row["spc"]["variation_icon"], row["spc"]["assurance_icon"])
                if code]
    assert expected and [alt for alt, _ in icons] == expected
    for alt, source in icons:
        drawn = ET.fromstring(base64.b64decode(source))
        assert drawn.tag == "{http://www.w3.org/2000/svg}svg"
        assert drawn.get("aria-label") == alt and len(drawn) > 1  # a badge with marks in it


def test_the_contents_give_the_page_each_section_starts_on(world):
    _, pages = text_of(render_pdf(build(world, "ft", {"provider": "RY6"})))
    listed = {label: int(number) for label, number in
              re.findall(r"^(.+?) (\d+)$", pages[1], re.M)}  # read in order: label, page
    sections = ("Executive summary", "Performance", "Restatements and data queries",
                "Contracts and renewals", "FT application and milestones",
                "Provenance appendix")
    assert set(sections) <= set(listed), pages[1]
    for section in sections:  # the page named is the first whose heading is the section
        opening = [n for n, text in enumerate(pages, start=1)
                   if n > 2 and text.split("\n")[0].strip() == section]
        assert opening and opening[0] == listed[section], (section, listed[section], opening)


def test_the_ft_pack_figures_are_the_apis(world, settings):
    document = build(world, "ft", {"provider": "RY6"})
    (row,) = document["figures"]["indicators"]
    assert (row["indicator"], row["period"]) == ("WIC4H", "2018-12")
    as_of = document["as_of"].replace("+00:00", "Z")
    bench = api(world, settings, f"/api/v1/benchmarks/WIC4H/2018-12?service_line="
                                 f"walk_in_centres&as_of={as_of}")
    ours = next(p for p in bench["providers"] if p["code"] == "RY6")
    assert row["value"] == pytest.approx(ours["value"], rel=1e-12)
    assert row["ci95"] == pytest.approx(ours["ci95"], rel=1e-12)
    assert (row["quartile"], row["rank"], row["comparison"]) == \
        (ours["quartile"], ours["rank"], ours["comparison"])
    assert row["national"] == pytest.approx(bench["national"]["value"], rel=1e-12)
    spc = api(world, settings, f"/api/v1/spc/RY6/WIC4H?as_of={as_of}")
    assert row["spc"]["mean"] == pytest.approx(spc["mean"], rel=1e-12)
    assert [p["value"] for p in row["spc"]["points"]] == \
        pytest.approx([p["value"] for p in spc["points"]], rel=1e-12)
    # and the printed pages show them as the web pages do
    _, pages = text_of(render_pdf(document))
    whole = "\n".join(pages)
    assert f"{ours['value']:.1f}%" in whole
    assert f"{ours['ci95'][0]:.1f}–{ours['ci95'][1]:.1f}" in whole


def test_the_ft_pack_shows_restatements_queries_contracts_and_slips(world):
    document = build(world, "ft", {"provider": "RY6"})
    whole = words_of(render_pdf(document))
    for words in ("duplicate attendances removed", "Why the dip?", "a ward closed for a week",
                  "QWO-WIC-2018", "re tender", "board changes", "2013-09-30"):
        assert words in whole, words
    events = {(e["aggregate"], e["event"]) for e in document["events"]}
    assert {("Submission", "Restated"), ("Submission", "Queried"),
            ("Submission", "QueryAnswered"), ("Contract", "Varied"),
            ("FTApplication", "MilestoneSlipped")} <= events
    assert ("Submission", "Withdrawn") not in events  # RYX's withdrawal is not RY6's


def test_every_event_in_a_pack_verifies_independently(world):
    document = json.loads(attachment(render_pdf(build(world, "ft", {"provider": "RY6"}))))
    checkpoint = document["ledger"]["checkpoint"]
    for event in document["events"]:
        ledger = event["ledger"]
        independent.check_inclusion_document({
            "format": "registry-ledger-inclusion-proof/1", "tree_size": checkpoint["tree_size"],
            "checkpoint": checkpoint, "proof": ledger["proof"],
            "leaf": {"position": event["position"], "leaf_index": ledger["leaf_index"],
                     "leaf_hash": ledger["leaf_hash"], "leaf_data": ledger["leaf_data"]}},
            document["ledger"]["verifier_key"])
    assert len(document["events"]) > 20


def test_a_pack_verifies_and_every_kind_of_tampering_is_named(world):
    document = build(world, "ft", {"provider": "RY6"})
    assert verify_pack(world, document).problems == []

    def problems(change) -> list[str]:
        copy = json.loads(json.dumps(document))
        change(copy)
        return verify_pack(world, copy).problems

    def figure(d):
        d["figures"]["indicators"][0]["value"] += 0.5
    assert any(p.startswith("figures.indicators[0].value:") for p in problems(figure))

    def record(d):
        d["events"][-1]["provenance"]["reason"] = "nothing to see"
    assert any("differs from the ledger's leaf in provenance" in p for p in problems(record))

    def dropped(d):
        d["events"] = [e for e in d["events"] if e["event"] != "Restated"]
    assert any("missing from the pack" in p for p in problems(dropped))

    def proof(d):
        d["events"][0]["ledger"]["proof"][0] = "00" * 32
    assert any("inclusion proof fails" in p for p in problems(proof))

    def note(d):
        d["ledger"]["checkpoint"]["note"] = d["ledger"]["checkpoint"]["note"].replace(
            "\n\n", "\n\n ", 1)
    assert any(p.startswith("ledger.checkpoint:") for p in problems(note))


def test_as_of_reproduces_an_earlier_pack(world):
    before = build(world, "ft", {"provider": "RY6"})
    world.restate({**CELL, "period": "2018-12", "numerator": 700, "denominator": 1300},
                  provider_of("RY6", "late correction"))
    world.ledger.checkpoint(ADMIN)
    now = build(world, "ft", {"provider": "RY6"})
    assert now["figures"] != before["figures"]
    again = build(world, "ft", {"provider": "RY6"}, datetime.fromisoformat(before["as_of"]))
    assert again["figures"] == before["figures"]
    assert again["events"] == before["events"]
    assert again["ledger"]["checkpoint"] == before["ledger"]["checkpoint"]
    assert verify_pack(world, before).problems == []  # still true of its moment


def test_a_pack_whose_events_are_newer_than_every_checkpoint_signs_one(world):
    world.restate({**CELL, "period": "2018-11", "numerator": 1, "denominator": 1300},
                  provider_of("RY6", "a later correction"))
    latest = world.ledger.latest_checkpoint()["tree_size"]
    document = build(world, "ft", {"provider": "RY6"})
    assert document["ledger"]["checkpoint"]["tree_size"] > latest
    assert verify_pack(world, document).problems == []


def test_the_renewal_pack_holds_the_contract_history_and_term_performance(world):
    document = build(world, "renewal", {"contract": "QWO-WIC-2018"})
    assert [e["event"] for e in document["events"]] == [
        "Awarded", "Varied", "Extended", "RenewalReviewOpened", "RenewalDecided"]
    (row,) = document["figures"]["indicators"]
    assert (row["indicator"], row["periods"], row["first_period"], row["latest_period"]) == \
        ("WIC4H", 12, "2018-01", "2018-12")
    values = [p["value"] for p in row["spc"]["points"] if p["period"].startswith("2018")]
    assert row["term_mean"] == pytest.approx(sum(values) / len(values))
    pdf = render_pdf(document)
    whole = words_of(pdf)
    for words in ("Contract renewal pack: QWO-WIC-2018", "evening opening", "bridging",
                  "market test the service", "Performance over the term"):
        assert words in whole, words
    assert verify_pack(world, read_document(pdf)).problems == []


def test_the_audit_extract_lists_every_event_in_range_with_its_leaf_hash(world):
    events = world.read_side.store.query(
        "SELECT position, recorded_at FROM history_events WHERE organisation = 'RY6' "
        "ORDER BY position")
    middle = events[len(events) // 2]["recorded_at"]
    subject = {"organisation": "RY6", "from": datetime.fromisoformat(middle).astimezone(
        UTC).isoformat(), "to": AUDIT_RANGE["to"]}
    document = build(world, "audit", subject)
    expected = [e["position"] for e in events
                if datetime.fromisoformat(e["recorded_at"]) >= datetime.fromisoformat(middle)]
    assert [e["position"] for e in document["events"]] == expected
    assert document["figures"]["events"] == len(expected)
    whole = "".join(text_of(render_pdf(document))[1]).replace("\n", "")
    for event in document["events"]:
        assert world.ledger.leaf(event["position"])["leaf_hash"] in whole
    assert verify_pack(world, document).problems == []


def test_unknown_subjects_are_refused_by_name(world):
    with pytest.raises(NotFound) as found:
        build(world, "ft", {"provider": "ZZZ"})
    assert found.value.field == "provider"
    with pytest.raises(NotFound):
        build(world, "renewal", {"contract": "NO-SUCH"})
    with pytest.raises(InvalidInput):
        build(world, "audit", {"organisation": "RY6", "from": AUDIT_RANGE["to"],
                               "to": AUDIT_RANGE["from"]})


def test_a_file_that_is_not_a_pack_is_refused_clearly():
    with pytest.raises(InvalidInput, match="not a readable PDF"):
        read_document(b"not a pdf at all")


def test_the_pack_document_names_its_format(world):
    assert build(world, "audit", {"organisation": "RY6", **AUDIT_RANGE})["format"] == FORMAT
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT.*", build(world, "audit", {
        "organisation": "RY6", **AUDIT_RANGE})["as_of"])


def test_a_mangled_attachment_is_reported_never_raised(world):
    """Each part of pack.json (top level, the ledger and its checkpoint, an event and its
    proof) replaced by JSON of another shape: a report naming problems, never an exception
    (the CLI would otherwise print a traceback)."""
    document = build(world, "renewal", {"contract": "QWO-WIC-2018"})
    paths = [(k,) for k in document] + [("ledger", k) for k in document["ledger"]] + \
        [("ledger", "checkpoint", k) for k in document["ledger"]["checkpoint"]] + \
        [("events", 0, k) for k in document["events"][0]] + \
        [("events", 0, "ledger", k) for k in document["events"][0]["ledger"]] + \
        [("events", 0), ("figures", "contract"), ("figures", "indicators", 0)]
    claims = {("generated_at",), ("generated_by",)}  # said by the registry, not provable
    for path in paths:
        for junk in (None, "x", [1, "a"], {"a": None}):
            mangled = json.loads(json.dumps(document))
            _set(mangled, path, junk)
            report = verify_pack(world, mangled)
            assert report.ok == (path in claims), (path, junk, report.problems)
    assert verify_pack(world, document).ok


def _set(document, path, value):
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value
