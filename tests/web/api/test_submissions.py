"""Submissions through the API: submit, batches, restatements, withdrawals, data queries."""

import json

from tests.builders import event_count, wic

CELL = "/submissions/RY6/WIC4H/walk_in_centres/2018-12"


def test_a_provider_submits_and_reads_back_its_figure(api):
    created = api("provider").post("/submissions", wic())
    assert created.status_code == 201, created.json
    assert created.json["values"] == {"numerator": 90, "denominator": 100}
    assert created.json["version"] == 1 and created.json["withdrawn"] is False
    assert created.headers["Location"] == "/api/v1" + CELL
    read = api("regulator").get(CELL)
    assert read.status_code == 200 and read.json == created.json


def test_codes_are_normalised_and_annual_periods_fit_in_the_path(api):
    body = {"provider": "ry6", "indicator": "waitd", "service_line": "podiatry",
            "period": "2018/19", "value": 31.5, "sd": 4.2, "n": 120}
    created = api("provider").post("/submissions", body)
    assert created.status_code == 201, created.json
    assert created.headers["Location"].endswith("/RY6/WAITD/podiatry/2018/19")
    read = api().get("/submissions/ry6/WAITD/podiatry/2018/19")
    assert read.json["values"] == {"value": 31.5, "sd": 4.2, "n": 120}


def test_bad_fields_are_named_and_nothing_is_stored(api, registry):
    before = event_count(registry)
    response = api("provider").post("/submissions", wic(numerator=101, period="2018-13"))
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"period"}
    response = api("provider").post("/submissions", wic(numerator=101))
    assert response.status_code == 422 and "numerator" in response.json["errors"]
    response = api("provider").post("/submissions", {**wic(), "colour": "red"})
    assert response.status_code == 422 and "colour" in response.json["errors"]
    assert event_count(registry) == before


def test_a_body_that_is_not_a_json_object_is_a_400(api):
    for body in ([wic()], "text", None):
        response = api("provider").post("/submissions", body)
        assert response.status_code == 400 and response.json["status"] == 400
    for text in ("{not json", "[" * 100_000 + "]" * 100_000,
                 '{"note": ' + "[" * 100_000 + "]" * 100_000 + "}"):
        for path in ("/submissions", "/submissions/batch"):
            sent = api("provider").post(path, data=text, content_type="application/json")
            assert sent.status_code == 400, (path, text[:20])


def test_a_second_first_submission_conflicts(api):
    assert api("provider").post("/submissions", wic()).status_code == 201
    again = api("provider").post("/submissions", wic(numerator=80))
    assert again.status_code == 409 and "restate" in again.json["message"]


def test_an_unknown_indicator_is_a_404(api):
    response = api("provider").post("/submissions", wic() | {"indicator": "NOPE"})
    assert response.status_code == 404 and "indicator" in response.json["errors"]


def test_a_batch_is_stored_whole(api, registry):
    items = [wic(period=f"2018-{m:02d}") for m in (10, 11, 12)]
    response = api("provider").post("/submissions/batch", items)
    assert response.status_code == 201, response.json
    assert [s["period"] for s in response.json] == ["2018-10", "2018-11", "2018-12"]
    assert registry.get_submission("RY6", "WIC4H", "walk_in_centres", "2018-11")


def test_a_batch_with_one_bad_item_stores_nothing_and_names_each_item(api, registry):
    before = event_count(registry)
    items = [wic(period="2018-10"), wic(period="2018-11", numerator=200), wic(period="x"),
             wic(period="2018-10"), "not an object"]
    response = api("provider").post("/submissions/batch", items)
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"items[1].numerator", "items[2].period",
                                            "items[3].period", "items[4]"}
    assert event_count(registry) == before


def test_a_batch_must_be_a_non_empty_json_array(api):
    assert api("provider").post("/submissions/batch", wic()).status_code == 400
    empty = api("provider").post("/submissions/batch", [])
    assert empty.status_code == 422 and "items" in empty.json["errors"]


def test_a_batch_for_another_organisation_is_refused_whole(api, registry):
    before = event_count(registry)
    items = [wic(period="2018-10"), wic(provider="RYX", period="2018-11")]
    assert api("provider").post("/submissions/batch", items).status_code == 403
    assert event_count(registry) == before


def test_a_restatement_needs_a_reason_and_returns_the_new_version(api):
    api("provider").post("/submissions", wic())
    refused = api("provider").post(CELL + "/restatements", {"numerator": 91,
                                                            "denominator": 100})
    assert refused.status_code == 422 and "reason" in refused.json["errors"]
    restated = api("provider").post(CELL + "/restatements", {
        "numerator": 91, "denominator": 100, "reason": "late returns", "expected_version": 1})
    assert restated.status_code == 200, restated.json
    assert restated.json["version"] == 2 and restated.json["restatements"] == 1
    assert restated.json["values"]["numerator"] == 91


def test_a_stale_expected_version_is_a_409_and_stores_nothing(api, registry):
    api("provider").post("/submissions", wic())
    api("provider").post(CELL + "/restatements", {"numerator": 91, "denominator": 100,
                                                  "reason": "first fix"})
    before = event_count(registry)
    stale = api("provider").post(CELL + "/restatements", {
        "numerator": 92, "denominator": 100, "reason": "second fix", "expected_version": 1})
    assert stale.status_code == 409
    assert "expected_version" in stale.json["errors"]
    assert event_count(registry) == before


def test_the_cell_in_the_path_cannot_be_overridden_by_the_body(api):
    api("provider").post("/submissions", wic())
    response = api("provider").post(CELL + "/restatements", {
        "provider": "RYX", "numerator": 91, "denominator": 100, "reason": "sneaky"})
    assert response.status_code == 422 and "provider" in response.json["errors"]


def test_as_of_returns_the_state_known_then(api):
    first = api("provider").post("/submissions", wic()).json
    api("provider").post(CELL + "/restatements", {"numerator": 95, "denominator": 100,
                                                  "reason": "recount"})
    then = api().get(CELL, as_of=first["modified_on"])
    assert then.status_code == 200 and then.json["values"]["numerator"] == 90
    assert api().get(CELL).json["values"]["numerator"] == 95
    before = api().get(CELL, as_of="2000-01-01")
    assert before.status_code == 404


def test_withdrawal_keeps_the_record_and_stops_restatements(api):
    api("provider").post("/submissions", wic())
    assert api("provider").post(CELL + "/withdrawal", {}).status_code == 422
    withdrawn = api("provider").post(CELL + "/withdrawal", {"reason": "duplicate site"})
    assert withdrawn.status_code == 200 and withdrawn.json["withdrawn"] is True
    again = api("provider").post(CELL + "/restatements", {"numerator": 1, "denominator": 2,
                                                          "reason": "x"})
    assert again.status_code == 422 and "withdrawn" in again.json["message"]


def test_a_regulator_queries_and_the_provider_answers_once(api):
    api("provider").post("/submissions", wic())
    raised = api("regulator").post(CELL + "/queries", {"question": "Why the jump?"})
    assert raised.status_code == 201, raised.json
    query_id = raised.json["query_id"]
    assert raised.json["submission"]["queries"][query_id] == {"question": "Why the jump?",
                                                              "answer": None}
    answer = f"{CELL}/queries/{query_id}/answer"
    answered = api("provider").post(answer, {"answer": "A new site opened."})
    assert answered.status_code == 200
    assert answered.json["queries"][query_id]["answer"] == "A new site opened."
    twice = api("provider").post(answer, {"answer": "again"})
    assert twice.status_code == 422 and "query_id" in twice.json["errors"]
    unknown = api("provider").post(f"{CELL}/queries/nope/answer", {"answer": "?"})
    assert unknown.status_code == 422


def test_unknown_and_malformed_cells(api):
    assert api().get(CELL).status_code == 404
    for path, field in ((CELL.replace("2018-12", "2018-13"), "period"),
                        (CELL.replace("RY6", "R!"), "provider"),
                        (CELL.replace("walk_in_centres", "bowls"), "service_line")):
        response = api().get(path)
        assert response.status_code == 422 and field in response.json["errors"], path
    assert api("provider").post(CELL + "/withdrawal", {"reason": "x"}).status_code == 404
    bad = api("provider").post(CELL.replace("2018-12", "13") + "/withdrawal", {"reason": "x"})
    assert bad.status_code == 422 and "period" in bad.json["errors"]


def test_periods_outside_the_calendar_are_refused_not_failed(api):
    for period in ("0000-01", "9999-12", "9999/00", "\u0662\u0660\u0661\u0668-01"):
        response = api("provider").post("/submissions", wic(period=period,
                                                             received_on="9998-01-01"))
        assert response.status_code == 422 and "period" in response.json["errors"], period
        assert api().get(f"/benchmarks/WIC4H/{period}").status_code == 422


def test_only_figures_and_text_every_store_can_keep_are_accepted(api, registry):
    huge = api("provider").post("/submissions", wic(numerator=10**20, denominator=10**21))
    assert huge.status_code == 422
    assert {"numerator", "denominator"} <= set(huge.json["errors"])
    nul = api("provider").post("/submissions", wic(note="a\x00b"))
    assert nul.status_code == 422 and "note" in nul.json["errors"]
    lone_surrogate = json.dumps(wic())[:-1] + ', "note": "x\\ud800y"}'
    sent = api("provider").post("/submissions", data=lone_surrogate,
                                content_type="application/json")
    assert sent.status_code == 422 and "note" in sent.json["errors"]
    assert not [p for p in registry.read_side.status() if p["error"]]
