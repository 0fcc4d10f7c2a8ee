"""Contracts through the API: the register, one contract, award and every kind of change."""

from tests.builders import event_count
from tests.web.api.conftest import csv_rows

AWARD = {"reference": "QWO-DN-2022", "commissioner": "QWO", "provider": "RY6",
         "service_lines": ["district_nursing", "podiatry"], "annual_value": "1200000.00",
         "total_value": "3600000.00", "start": "2022-07-01", "end": "2031-06-30",
         "route": "competitive_tender"}
ONE = "/contracts/QWO-DN-2022"


def awarded(api):
    response = api("commissioner").post("/contracts", AWARD)
    assert response.status_code == 201, response.json
    return response


def test_a_commissioner_awards_a_contract_and_reads_it_back(api):
    response = awarded(api)
    assert response.headers["Location"] == "/api/v1" + ONE
    assert response.json["annual_value"] == "1200000.00"
    assert response.json["start"] == "2022-07-01" and response.json["terminated"] is None
    assert api("provider").get(ONE).json == response.json


def test_an_award_is_checked_field_by_field(api, registry):
    before = event_count(registry)
    for change, field in (({"end": "2021-01-01"}, "end"), ({"route": "handshake"}, "route"),
                          ({"annual_value": -1}, "annual_value"),
                          ({"provider": 7}, "provider")):
        bad = api("commissioner").post("/contracts", {**AWARD, **change})
        assert bad.status_code == 422 and field in bad.json["errors"], change
    by_provider = api("commissioner").post("/contracts", {**AWARD, "commissioner": "RY2"})
    assert by_provider.status_code == 403
    assert event_count(registry) == before
    awarded(api)
    assert api("commissioner").post("/contracts", AWARD).status_code == 409


def test_a_variation_needs_a_reason_and_changes_the_terms(api):
    awarded(api)
    change = {"effective": "2023-04-01", "annual_value": "1300000"}
    refused = api("commissioner").post(ONE + "/variations", change)
    assert refused.status_code == 422 and "reason" in refused.json["errors"]
    varied = api("commissioner").post(ONE + "/variations", {**change, "reason": "uplift"})
    assert varied.status_code == 200 and varied.json["annual_value"] == "1300000.00"
    assert varied.json["version"] == 2


def test_extension_novation_review_decision_and_termination(api):
    awarded(api)
    call = api("commissioner").post
    extended = call(ONE + "/extensions", {"new_end": "2032-06-30",
                                          "additional_value": "1300000"})
    assert extended.json["end"] == "2032-06-30"
    assert extended.json["total_value"] == "4900000.00"
    novated = call(ONE + "/novation", {"new_provider": "RY2", "effective": "2024-01-01",
                                       "reason": "merger"})
    assert novated.json["provider"] == "RY2"
    assert call(ONE + "/renewal-review", {"due_by": "2031-01-31"}).json["review_open"]
    decided = call(ONE + "/renewal-decision", {"decision": "re_tender",
                                               "reason": "market test"})
    assert decided.json["renewal_decision"] == "re_tender" and not decided.json["review_open"]
    ended = call(ONE + "/termination", {"effective": "2025-03-31", "reason": "provider exit"})
    assert ended.status_code == 200 and ended.json["terminated"] == "2025-03-31"
    late = call(ONE + "/variations", {"effective": "2025-04-01", "annual_value": "1",
                                      "reason": "late"})
    assert late.status_code == 422 and "terminated" in late.json["message"]


def test_a_decision_without_an_open_review_is_refused(api):
    awarded(api)
    response = api("commissioner").post(ONE + "/renewal-decision",
                                        {"decision": "renew", "reason": "good"})
    assert response.status_code == 422 and "decision" in response.json["errors"]


def test_unknown_contracts_are_404(api):
    assert api().get("/contracts/NOPE").status_code == 404
    response = api("commissioner").post("/contracts/NOPE/extensions",
                                        {"new_end": "2030-01-01", "additional_value": 1})
    assert response.status_code == 404 and "reference" in response.json["errors"]


def test_the_register_lists_filters_and_downloads(api):
    awarded(api)
    rows = api().get("/contracts").json
    assert [r["reference"] for r in rows] == ["QWO-DN-2022"]
    assert rows[0]["status"] == "live" and rows[0]["service_lines"] == AWARD["service_lines"]
    assert api().get("/contracts", provider="RYX").json == []
    assert len(api().get("/contracts", commissioner="qwo").json) == 1
    assert api().get("/contracts", expiring_within_days=30).json == []
    table = csv_rows(api().get("/contracts", format="csv"))
    assert table[0]["reference"] == "QWO-DN-2022" and table[0]["total_value"] == "3600000.00"
    assert table[0]["service_lines"] == "district_nursing;podiatry"


def test_the_register_refuses_bad_filters(api):
    for args, field in (({"expiring_within_days": "soon"}, "expiring_within_days"),
                        ({"provider": "R!"}, "provider"), ({"format": "xml"}, "format"),
                        ({"colour": "red"}, "colour"), ({"as_of": "yesterday"}, "as_of")):
        response = api().get("/contracts", **args)
        assert response.status_code == 422 and field in response.json["errors"], args


def test_as_of_shows_the_terms_known_then(api):
    first = awarded(api).json
    api("commissioner").post(ONE + "/variations", {"effective": "2023-04-01",
                                                   "annual_value": "1300000", "reason": "up"})
    then = api().get(ONE, as_of=first["modified_on"]).json
    assert then["annual_value"] == "1200000.00" and then["version"] == 1
    register = api().get("/contracts", as_of=first["modified_on"]).json
    assert register[0]["annual_value"] == "1200000.00"
    assert api().get("/contracts", as_of="2000-01-01").json == []
    assert api().get(ONE, as_of="2000-01-01").status_code == 404
