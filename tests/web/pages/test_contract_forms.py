"""The contract forms: award (register page), open a renewal review and decide it (contract
page), each attributed to the signed-in commissioner with the reason given."""

import pytest

from projections.audit import audit_events
from tests.builders import ADMIN, event_count
from tests.web.conftest import csrf_token

CONTRACT = "/contracts/QWO-CS-2022"
AWARD = {"action": "award", "reference": "QWO-DN-2025", "commissioner": "QWO",
         "provider": "RYX", "service_lines": ["district_nursing", "podiatry"],
         "annual_value": "250000", "total_value": "750000", "start": "2025-04-01",
         "end": "2028-03-31", "route": "competitive_tender",
         "reason": "tender evaluation panel of 3 March"}


def _events(flask_app, event_type: str) -> list[dict]:
    registry = flask_app.extensions["registry"]
    registry.read_side.catch_up()
    return audit_events(registry.read_side.store, event_type=event_type)["items"]


def _post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def test_a_commissioner_opens_a_review_then_decides_it_on_the_contract_page(
        populated, signed_in):
    client = signed_in("commissioner")
    page = client.get(CONTRACT).get_data(as_text=True)
    assert 'id="review-form"' in page and 'id="decide-form"' not in page

    response = _post(client, CONTRACT, {"action": "review", "due_by": "2025-01-31",
                                        "reason": "contract ends within a year"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(CONTRACT).get_data(as_text=True)
    assert "Renewal review opened." in page and "review open, due 2025-01-31" in page
    assert 'id="decide-form"' in page

    response = _post(client, CONTRACT, {"action": "decide", "decision": "re_tender",
                                        "reason": "market engagement found new providers"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    page = client.get(CONTRACT).get_data(as_text=True)
    assert "re tender on" in page and "market engagement found new providers" in page

    opened, = _events(populated, "Contract.RenewalReviewOpened")
    decided, = _events(populated, "Contract.RenewalDecided")
    for event, reason in ((opened, "contract ends within a year"),
                          (decided, "market engagement found new providers")):
        assert event["actor"] == {"user_id": "commissioner", "role": "commissioner",
                                  "organisation": "QWO"}
        assert event["channel"] == "web" and event["reason"] == reason


def test_a_commissioner_awards_a_contract_from_the_register(populated, signed_in):
    client = signed_in("commissioner")
    page = client.get("/contracts").get_data(as_text=True)
    assert 'id="award-form"' in page and 'value="QWO"' in page

    response = _post(client, "/contracts", AWARD)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith("/contracts/QWO-DN-2025")
    page = client.get("/contracts/QWO-DN-2025").get_data(as_text=True)
    assert "Contract QWO-DN-2025 awarded to RYX." in page
    assert "district nursing, podiatry" in page and "competitive tender" in page
    assert "QWO-DN-2025" in client.get("/contracts").get_data(as_text=True)
    awarded, = [e for e in _events(populated, "Contract.Awarded")
                if e["data"]["reference"] == "QWO-DN-2025"]
    assert awarded["actor"]["user_id"] == "commissioner"
    assert awarded["reason"] == "tender evaluation panel of 3 March"


@pytest.mark.parametrize("path, data, field", [
    (CONTRACT, {"action": "review", "due_by": "next spring", "reason": "due"}, "due_by"),
    (CONTRACT, {"action": "review", "due_by": "2025-01-31", "reason": "  "}, "reason"),
    (CONTRACT, {"action": "review", "reason": "bad\x00text"}, "reason"),
    ("/contracts", {**AWARD, "end": "2024-01-01"}, "end"),
    ("/contracts", {**AWARD, "provider": "QWO"}, "provider"),
    ("/contracts", {**AWARD, "annual_value": "lots"}, "annual_value"),
    ("/contracts", {**AWARD, "reference": "QWO-CS-2022"}, "reference"),
    ("/contracts", {**AWARD, "service_lines": ["bridges"]}, "service_lines[0]"),
    ("/contracts", {**AWARD, "reason": ""}, "reason"),
])
def test_bad_input_names_the_field_on_the_page_and_stores_nothing(
        populated, signed_in, path, data, field):
    registry = populated.extensions["registry"]
    client = signed_in("commissioner")
    before = event_count(registry)
    response = _post(client, path, data)
    page = response.get_data(as_text=True)
    assert response.status_code in (409, 422), page[:2000]
    assert f'id="{field}-error"' in page and "Nothing was stored" in page
    assert event_count(registry) == before


def test_a_bad_renewal_decision_is_named_beside_its_field(populated, signed_in):
    registry = populated.extensions["registry"]
    registry.open_renewal_review({"reference": "QWO-CS-2022"},
                                 ADMIN.because("annual review"))
    client = signed_in("commissioner")
    before = event_count(registry)
    response = _post(client, CONTRACT, {"action": "decide", "decision": "maybe",
                                        "reason": "undecided"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="decision-error"' in page and 'id="decide-form"' in page
    assert event_count(registry) == before


@pytest.mark.parametrize("username", ["provider", "regulator"])
def test_other_roles_see_no_forms_and_are_refused_with_a_friendly_403(
        populated, signed_in, username):
    registry = populated.extensions["registry"]
    client = signed_in(username)
    assert 'id="review-form"' not in client.get(CONTRACT).get_data(as_text=True)
    assert 'id="award-form"' not in client.get("/contracts").get_data(as_text=True)
    before = event_count(registry)
    for path, data in ((CONTRACT, {"action": "review", "reason": "mine now"}),
                       ("/contracts", AWARD)):
        response = _post(client, path, data)
        assert response.status_code == 403
        page = response.get_data(as_text=True)
        assert "Your role does not allow this" in page and "Go to the dashboard" in page
    assert event_count(registry) == before


def test_a_commissioner_cannot_award_for_another_commissioner(populated, signed_in):
    populated.extensions["registry"].register_organisation(
        {"code": "QHM", "name": "NHS North East and North Cumbria ICB", "kind": "icb"}, ADMIN)
    response = _post(signed_in("commissioner"), "/contracts",
                     {**AWARD, "commissioner": "QHM"})
    assert response.status_code == 403
    assert "only for its own organisation" in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(populated, signed_in):
    registry = populated.extensions["registry"]
    client = signed_in("commissioner")
    before = event_count(registry)
    for path, data in ((CONTRACT, {"action": "review", "reason": "no token"}),
                       ("/contracts", AWARD)):
        response = client.post(path, data=data)
        assert response.status_code == 400
        assert "did not come from this site" in response.get_data(as_text=True)
    assert event_count(registry) == before


@pytest.mark.parametrize("body", [
    "", "action=vary", "action=decide", "action=award&service_lines=&start=2025-02-30",
    "action=review&due_by=9999-12-31&reason=" + "x" * 5000,
    "action=review&due_by=%ED%A0%80&reason=%FF%FE%00",  # not UTF-8; a NUL
])
def test_odd_posts_are_never_a_server_error(populated, signed_in, body):
    registry = populated.extensions["registry"]
    client = signed_in("commissioner")
    before = event_count(registry)
    for path in (CONTRACT, "/contracts"):
        token = csrf_token(client, path)
        response = client.post(path, data=f"csrf_token={token}&{body}".encode(),
                               content_type="application/x-www-form-urlencoded")
        assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:2000]
    assert event_count(registry) == before
