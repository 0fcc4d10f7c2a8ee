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
