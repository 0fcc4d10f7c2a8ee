"""Organisation histories through the API, JSON and CSV, as known at any time."""

from tests.builders import ADMIN
from tests.web.api.conftest import csv_rows


def test_a_history_lists_every_event_about_the_organisation(populated, api):
    events = api().get("/organisations/ry6/history").json
    assert events[0]["event"] == "Registered" and events[0]["aggregate"] == "Organisation"
    kinds = {(e["aggregate"], e["event"]) for e in events}
    assert {("Submission", "Submitted"), ("Contract", "Awarded"),
            ("FTApplication", "Started")} <= kinds
    assert [e["position"] for e in events] == sorted(e["position"] for e in events)


def test_a_history_follows_a_merger(populated, api, registry):
    registry.merge_organisation({"code": "RYX", "successor": "RY6",
                                 "effective": "2019-04-01"}, ADMIN)
    registry.read_side.catch_up()
    events = api().get("/organisations/RY6/history").json
    assert any(e["event"] == "Submitted" and "RYX" in e["organisations"] for e in events)


def test_a_history_downloads_as_csv(populated, api):
    rows = csv_rows(api().get("/organisations/RY6/history", format="csv"))
    assert rows[0]["event"] == "Registered" and rows[0]["actor"] == "admin.user"
    assert rows[0]["data"].startswith("{")


def test_as_of_leaves_out_later_events(populated, api):
    events = api().get("/organisations/RY6/history").json
    then = api().get("/organisations/RY6/history", as_of=events[0]["recorded_at"]).json
    assert [e["position"] for e in then] == [events[0]["position"]]
    assert api().get("/organisations/RY6/history", as_of="2000-01-01").status_code == 404


def test_unknown_and_malformed_codes(populated, api):
    assert api().get("/organisations/ZZZ9/history").status_code == 404
    bad = api().get("/organisations/R!/history")
    assert bad.status_code == 422 and "code" in bad.json["errors"]


def _walk(api, limit: int, **params) -> list[dict]:
    """Every page of the history at ``limit`` events a page, following the cursor."""
    events, cursor = [], None
    while True:
        page = api().get("/organisations/RY6/history", limit=limit,
                         **({"cursor": cursor} if cursor else {}), **params)
        assert page.status_code == 200 and len(page.json) <= limit
        events += page.json
        cursor = page.headers["X-Next-Cursor"]
        if not cursor:
            return events
        assert int(cursor) == page.json[-1]["position"]


def test_a_history_pages_by_its_cursor_through_a_merger(populated, api, registry):
    """Pages of any size, walked by the ``X-Next-Cursor`` header, give the whole history
    once, in order; an event filed under both merged trusts appears once."""
    registry.merge_organisation({"code": "RYX", "successor": "RY6",
                                 "effective": "2019-04-01"}, ADMIN)
    registry.read_side.catch_up()
    whole = api().get("/organisations/RY6/history")
    assert "X-Next-Cursor" not in whole.headers
    assert len(whole.json) > 3
    assert [e["event"] for e in whole.json].count("Merged") == 1
    for limit in (1, 2, 3, len(whole.json), len(whole.json) + 1):
        assert _walk(api, limit) == whole.json, limit
    first = api().get("/organisations/RY6/history", limit=2, format="csv")
    assert [int(r["position"]) for r in csv_rows(first)] == [
        e["position"] for e in whole.json[:2]]
    assert first.headers["X-Next-Cursor"] == str(whole.json[1]["position"])


def test_a_page_past_the_end_is_empty_and_bad_paging_is_named(populated, api):
    last = api().get("/organisations/RY6/history").json[-1]["position"]
    past = api().get("/organisations/RY6/history", limit=5, cursor=last)
    assert past.status_code == 200 and past.json == [] and past.headers["X-Next-Cursor"] == ""
    assert api().get("/organisations/ZZZ9/history", limit=5, cursor=1).status_code == 404
    for params, field in (({"limit": 0}, "limit"), ({"limit": 5001}, "limit"),
                          ({"limit": "many"}, "limit"), ({"cursor": "-1"}, "cursor"),
                          ({"cursor": "1e9"}, "cursor")):
        bad = api().get("/organisations/RY6/history", **params)
        assert bad.status_code == 422 and field in bad.json["errors"], params
