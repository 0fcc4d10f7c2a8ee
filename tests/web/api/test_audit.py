"""The audit index through the API: filters, cursor pages, CSV, one event."""

from tests.web.api.conftest import csv_rows

CELL = "/submissions/RY6/WIC4H/walk_in_centres/2018-03"


def restated(api):
    response = api("provider").post(CELL + "/restatements", {
        "numerator": 900, "denominator": 1200, "reason": "late returns"})
    assert response.status_code == 200, response.json
    return response


def test_the_newest_events_come_first_with_their_provenance(populated, api):
    restated(api)
    page = api("regulator").get("/audit", limit=1).json
    event = page["items"][0]
    assert event["event_type"] == "Restated" and event["reason"] == "late returns"
    assert event["actor"] == {"user_id": "provider", "role": "provider",
                              "organisation": "RY6"}
    assert event["channel"] == "api" and event["period"] == "2018-03"
    assert "numerator" in event["changed"] and page["next"] == str(event["position"])


def test_cursor_pages_neither_repeat_nor_skip(populated, api):
    seen, cursor = [], None
    while True:
        args = {"limit": 7, "organisation": "RYX"} | ({"cursor": cursor} if cursor else {})
        page = api().get("/audit", **args).json
        seen += [e["position"] for e in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    everything = api().get("/audit", organisation="RYX", limit=500).json["items"]
    assert seen == [e["position"] for e in everything] and len(seen) > 7


def test_filters_combine(populated, api):
    restated(api)
    found = api().get("/audit", event_type="Submission.Restated", actor="provider",
                      period="2018-03", organisation="ry6").json["items"]
    assert [e["event_type"] for e in found] == ["Restated"]
    assert api().get("/audit", recorded_to="2000-01-01").json == {"items": [], "next": None}
    assert api().get("/audit", as_of="2000-01-01").json["items"] == []
    today = found[0]["recorded_at"][:10]
    assert api().get("/audit", recorded_from=today, event_type="Restated").json["items"]


def test_a_page_downloads_as_csv_with_the_next_cursor_in_a_header(populated, api):
    response = api().get("/audit", format="csv", limit=3)
    rows = csv_rows(response)
    assert len(rows) == 3 and response.headers["X-Next-Cursor"] == rows[-1]["position"]
    assert {"actor.user_id", "event_type", "recorded_at"} <= set(rows[0])


def test_one_event_by_position(populated, api):
    position = restated(api) and api().get("/audit", limit=1).json["items"][0]["position"]
    event = api().get(f"/audit/{position}").json
    assert event["position"] == position and event["previous_values"]["numerator"]
    assert api().get("/audit/999999").status_code == 404
    bad = api().get("/audit/latest")
    assert bad.status_code == 422 and "position" in bad.json["errors"]


def test_bad_arguments_are_named(populated, api):
    for args, field in (({"limit": 0}, "limit"), ({"limit": 501}, "limit"),
                        ({"cursor": "abc"}, "cursor"), ({"recorded_from": "soon"},
                                                        "recorded_from"),
                        ({"period": "2018-13"}, "period"), ({"organisation": "R!"},
                                                            "organisation")):
        response = api().get("/audit", **args)
        assert response.status_code == 422 and field in response.json["errors"], args


def test_times_at_the_edges_of_the_calendar_are_refused_not_failed(populated, api):
    for args in ({"recorded_to": "9999-12-31"}, {"recorded_from": "0001-01-01"},
                 {"recorded_to": "9999-12-31T23:59:59-01:00"},
                 {"as_of": "9999-12-31T23:59:59-01:00"}, {"as_of": "0001-01-01"}):
        response = api().get("/audit", **args)
        assert response.status_code == 422 and set(args) <= set(response.json["errors"]), args
