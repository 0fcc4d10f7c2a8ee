"""The FT application page: record a milestone achieved, a slip and the regulator's
decision, each attributed to the signed-in user with the reason given."""

import pytest

from projections.audit import audit_events
from tests.builders import ADMIN, event_count
from tests.web.conftest import csrf_token

PAGE = "/pipeline/RY6"
ACHIEVE = {"action": "achieve", "milestone": "tfa", "achieved_on": "2013-03-28",
           "evidence": "TFA signed by the trust, SHA and lead commissioner",
           "reason": "signed copy received"}
SLIP = {"action": "slip", "milestone": "tfa", "new_target": "2013-06-30",
        "reason": "lead commissioner changed after the reorganisation"}
WITHDRAW = {"action": "decide", "decision": "withdrawn", "effective": "2013-09-01",
            "reason": "the trust board paused its application"}


def _post(client, data: dict, path: str = PAGE):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def _event(flask_app, event_type: str) -> dict:
    registry = flask_app.extensions["registry"]
    registry.read_side.catch_up()
    found, = audit_events(registry.read_side.store, event_type=event_type)["items"]
    return found


def test_the_board_and_the_provider_page_link_to_the_application_page(populated, signed_in):
    client = signed_in("regulator")
    assert 'href="/pipeline/RY6"' in client.get("/pipeline").get_data(as_text=True)
    assert 'href="/pipeline/RY6"' in client.get("/providers/RY6").get_data(as_text=True)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Tripartite Formal Agreement" in page and "2013-03-31" in page


def test_a_provider_records_its_milestone_achieved(populated, signed_in):
    client = signed_in("provider")
    page = client.get(PAGE).get_data(as_text=True)
    assert 'id="achieve-form"' in page and 'id="slip-form"' in page
    assert 'id="decide-form"' not in page
    response = _post(client, ACHIEVE)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(PAGE).get_data(as_text=True)
    assert "tfa recorded as achieved on 2013-03-28." in page
    assert "<td>2013-03-28</td>" in page
    event = _event(populated, "FTApplication.MilestoneAchieved")
    assert event["actor"] == {"user_id": "provider", "role": "provider", "organisation": "RY6"}
    assert event["channel"] == "web" and event["reason"] == "signed copy received"
    assert event["data"]["evidence"] == ACHIEVE["evidence"]


def test_a_provider_records_a_slip_with_its_reason(populated, signed_in):
    client = signed_in("provider")
    response = _post(client, SLIP)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(PAGE).get_data(as_text=True)
    assert "tfa now due on 2013-06-30" in page
    assert "<td>2013-03-31</td><td>2013-06-30</td>" in page  # first and current target
    assert "1 slip, 91 days in all" in page
    event = _event(populated, "FTApplication.MilestoneSlipped")
    assert event["actor"]["user_id"] == "provider"
    assert event["reason"] == SLIP["reason"]


def test_the_regulator_records_a_decision(populated, signed_in):
    client = signed_in("regulator")
    assert 'id="decide-form"' in client.get(PAGE).get_data(as_text=True)
    response = _post(client, WITHDRAW)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(PAGE).get_data(as_text=True)
    assert 'id="application-status">withdrawn<' in page
    assert "the trust board paused its application" in page
    assert 'id="achieve-form"' not in page and 'id="decide-form"' not in page
    event = _event(populated, "FTApplication.Withdrawn")
    assert event["actor"] == {"user_id": "regulator", "role": "regulator",
                              "organisation": "CQC"}
    assert event["reason"] == WITHDRAW["reason"]


@pytest.mark.parametrize("username, data, field", [
    ("provider", {**ACHIEVE, "achieved_on": "28/03/2013"}, "achieved_on"),
    ("provider", {**ACHIEVE, "milestone": "ibp_ltfm"}, "milestone"),
    ("provider", {**ACHIEVE, "milestone": "moon_landing"}, "milestone"),
    ("provider", {**ACHIEVE, "reason": ""}, "reason"),
    ("provider", {**SLIP, "new_target": ""}, "new_target"),
    ("provider", {**SLIP, "new_target": "2013-03-31"}, "new_target"),  # no change
    ("provider", {**SLIP, "reason": " "}, "reason"),
    ("regulator", {**WITHDRAW, "decision": "postponed"}, "decision"),
    ("regulator", {**WITHDRAW, "effective": "2013-02-30"}, "effective"),
    ("regulator", {**WITHDRAW, "reason": "bad\x00text"}, "reason"),
])
def test_bad_input_names_the_field_on_the_page_and_stores_nothing(
        populated, signed_in, username, data, field):
    registry = populated.extensions["registry"]
    client = signed_in(username)
    before = event_count(registry)
    response = _post(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422, page[:2000]
    assert f'id="{field}-error"' in page and "Nothing was stored" in page
    assert f'id="{data["action"]}-form"' in page
    assert event_count(registry) == before


def test_an_achievement_dated_before_the_previous_milestone_is_named_on_its_date(
        populated, signed_in):
    registry = populated.extensions["registry"]
    registry.achieve_milestone({"provider": "RY6", "milestone": "tfa",
                                "achieved_on": "2013-03-28"}, ADMIN)
    client = signed_in("provider")
    before = event_count(registry)
    response = _post(client, {**ACHIEVE, "milestone": "ibp_ltfm", "achieved_on": "2013-03-01"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="achieved_on-error"' in page and "before tfa (2013-03-28)" in page
    assert event_count(registry) == before


@pytest.mark.parametrize("username, data", [
    ("other.provider", ACHIEVE), ("other.provider", SLIP), ("provider", WITHDRAW),
    ("commissioner", SLIP), ("commissioner", WITHDRAW),
])
def test_a_role_that_may_not_act_sees_no_form_and_gets_a_friendly_403(
        populated, signed_in, username, data):
    registry = populated.extensions["registry"]
    client = signed_in(username)
    assert f'id="{data["action"]}-form"' not in client.get(PAGE).get_data(as_text=True)
    before = event_count(registry)
    response = _post(client, data)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Your role does not allow this" in page and "Go to the dashboard" in page
    assert event_count(registry) == before


def test_a_form_without_its_csrf_token_is_refused(populated, signed_in):
    registry = populated.extensions["registry"]
    client = signed_in("provider")
    before = event_count(registry)
    response = client.post(PAGE, data=ACHIEVE)
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert event_count(registry) == before


def test_a_trust_without_an_application_has_no_page(populated, signed_in):
    client = signed_in("regulator")
    assert client.get("/pipeline/RYX").status_code == 404
    response = client.post("/pipeline/RYX", data={**ACHIEVE,
                                                  "csrf_token": csrf_token(client, PAGE)})
    assert response.status_code == 404


@pytest.mark.parametrize("body", [
    "", "action=schedule", "action=achieve", "action=slip&milestone=tfa&new_target=9999-99-99",
    "action=decide&decision=authorised&effective=2013-01-01&reason=assessment%20skipped",
    "action=achieve&milestone=tfa&achieved_on=%ED%A0%80&reason=%FF%00",  # not UTF-8; a NUL
    "action=achieve&milestone=" + "x" * 5000 + "&achieved_on=2013-03-01&reason=long",
])
def test_odd_posts_are_never_a_server_error(populated, signed_in, body):
    registry = populated.extensions["registry"]
    client = signed_in("regulator")
    before = event_count(registry)
    response = client.post(PAGE, data=f"csrf_token={csrf_token(client, PAGE)}&{body}".encode(),
                           content_type="application/x-www-form-urlencoded")
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:2000]
    assert event_count(registry) == before
