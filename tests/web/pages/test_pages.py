"""Every page renders for a signed-in user, with the figures the read models hold."""

import csv
import io
import re

import pytest

from tests.builders import ADMIN
from tests.web.conftest import csrf_token

PAGES = ["/", "/providers", "/providers/RY6", "/indicators", "/indicators/WIC4H",
         "/indicators/WIC4H?period=2018-06&peer_group=kind:nhs_trust&highlight=RYX",
         "/contracts", "/contracts?expiring=365", "/contracts/QWO-CS-2022", "/pipeline",
         "/audit", "/audit?organisation=RY6&event_type=Submission.Submitted",
         "/submissions/RY6/WIC4H/walk_in_centres/2018-03", "/account", "/api/v1/docs"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_for_a_regulator(populated, signed_in, path):
    client = signed_in("regulator")
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert "Traceback" not in response.get_data(as_text=True)


@pytest.mark.parametrize("username", ["admin", "commissioner", "provider"])
def test_every_page_title_is_plain_text_whatever_forms_the_role_sees(populated, signed_in,
                                                                      username):
    client = signed_in(username)
    for path in PAGES:
        page = client.get(path).get_data(as_text=True)
        title = re.search(r"<title>(.*?)</title>", page, re.DOTALL).group(1)
        assert "<" not in title and "\n" not in title, (path, title[:200])


def test_the_provider_page_shows_position_charts_contracts_and_pipeline(populated, signed_in):
    page = signed_in("regulator").get("/providers/RY6").get_data(as_text=True)
    assert "Leeds Community Healthcare NHS Trust" in page
    assert "WIC4H" in page and "2018-12" in page
    assert page.count("<svg") >= 2  # the SPC chart and its variation icon (no target: no assurance)
    assert "SPC chart of WIC4H for RY6" in page
    assert "QWO-CS-2022" in page
    assert "Tripartite Formal Agreement" in page


def test_the_indicator_page_draws_the_funnel_and_caterpillar(populated, signed_in):
    page = signed_in("commissioner").get(
        "/indicators/WIC4H?period=2018-05&highlight=RYX").get_data(as_text=True)
    funnel = re.search(r'id="funnel-chart">(.*?)</figure>', page, re.S).group(1)
    caterpillar = re.search(r'id="caterpillar-chart">(.*?)</figure>', page, re.S).group(1)
    assert "<svg" in funnel and "<svg" in caterpillar
    assert "RYX" in funnel and "RYX" in caterpillar
    for code in ("RY6", "RYX", "RY2"):
        assert f'href="/providers/{code}"' in page


def test_tables_download_as_csv(populated, signed_in):
    client = signed_in("regulator")
    response = client.get("/indicators/WIC4H?period=2018-05&format=csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["code"] for r in rows} == {"RY6", "RYX", "RY2"}
    response = client.get("/contracts?format=csv")
    assert [r["reference"] for r in csv.DictReader(io.StringIO(
        response.get_data(as_text=True)))] == ["QWO-CS-2022"]


def test_a_provider_restates_through_the_form_and_the_audit_trail_shows_the_diff(
        populated, signed_in):
    client = signed_in("provider")
    path = "/submissions/RY6/WIC4H/walk_in_centres/2018-03"
    token = csrf_token(client, path)
    response = client.post(path, data={
        "csrf_token": token, "action": "restate", "numerator": "1001",
        "denominator": "1200", "expected_version": "1",
        "reason": "late triage records added after audit"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    page = client.get(path).get_data(as_text=True)
    assert "1001" in page and "version 2" in page
    audit = client.get("/audit?event_type=Submission.Restated").get_data(as_text=True)
    assert "late triage records added after audit" in audit and "provider" in audit
    assert re.search(r"numerator: <del>\d+</del> → <ins>1001</ins>", audit)
    position = re.search(r'href="/audit/(\d+)"', audit).group(1)
    detail = client.get(f"/audit/{position}").get_data(as_text=True)
    assert 'id="restatement-diff"' in detail and "1001" in detail


def test_a_restatement_without_a_reason_is_refused_on_the_page_and_stores_nothing(
        populated, signed_in):
    from tests.builders import event_count
    registry = populated.extensions["registry"]
    client = signed_in("provider")
    path = "/submissions/RY6/WIC4H/walk_in_centres/2018-03"
    before = event_count(registry)
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "action": "restate", "numerator": "5",
                                       "denominator": "10", "reason": ""})
    assert response.status_code == 422
    assert "a reason is required" in response.get_data(as_text=True)
    assert event_count(registry) == before


def test_a_reason_no_store_can_keep_is_refused_on_the_page(populated, signed_in):
    """A NUL in a reason would stop the PostgreSQL read models at that event."""
    from tests.builders import event_count
    registry = populated.extensions["registry"]
    client = signed_in("provider")
    path = "/submissions/RY6/WIC4H/walk_in_centres/2018-03"
    before = event_count(registry)
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "action": "withdraw", "reason": "duplicate\x00row"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="reason-error">must not contain control characters' in page
    assert event_count(registry) == before


def test_a_stale_form_gets_a_conflict(populated, signed_in):
    registry = populated.extensions["registry"]
    client = signed_in("provider")
    path = "/submissions/RY6/WIC4H/walk_in_centres/2018-04"
    token = csrf_token(client, path)
    registry.restate({"provider": "RY6", "indicator": "WIC4H", "service_line":
                      "walk_in_centres", "period": "2018-04", "numerator": 7,
                      "denominator": 9}, ADMIN.because("someone else first"))
    response = client.post(path, data={"csrf_token": token, "action": "restate",
                                       "numerator": "8", "denominator": "9",
                                       "expected_version": "1", "reason": "mine"})
    assert response.status_code == 409
    assert "changed by someone else" in response.get_data(as_text=True)


def test_a_provider_cannot_restate_another_organisations_figure(populated, signed_in):
    client = signed_in("other.provider")
    path = "/submissions/RY6/WIC4H/walk_in_centres/2018-03"
    page = client.get(path).get_data(as_text=True)
    assert 'id="restate-form"' not in page
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "action": "restate", "numerator": "5",
                                       "denominator": "10", "reason": "not mine"})
    assert response.status_code == 403


def test_as_known_at_a_time_before_a_restatement_shows_the_old_value(populated, signed_in):
    from datetime import datetime, timezone
    registry = populated.extensions["registry"]
    before = registry.get_submission("RY6", "WIC4H", "walk_in_centres", "2018-02")
    moment = datetime.now(timezone.utc).isoformat()
    registry.restate({"provider": "RY6", "indicator": "WIC4H", "service_line":
                      "walk_in_centres", "period": "2018-02", "numerator": 3,
                      "denominator": 1000}, ADMIN.because("checking as-of"))
    client = signed_in("regulator")
    path = "/submissions/RY6/WIC4H/walk_in_centres/2018-02"
    then = client.get(path, query_string={"as_of": moment}).get_data(as_text=True)
    now = client.get(path).get_data(as_text=True)
    assert f'value-numerator">{before["values"]["numerator"]}<' in then
    assert 'value-numerator">3<' in now
    assert "Showing the registry as known at" in then


def test_unknown_things_get_a_friendly_404_page(populated, signed_in):
    client = signed_in("regulator")
    for path in ("/providers/ZZZ99", "/indicators/NOPE", "/contracts/NOPE",
                 "/submissions/RY6/WIC4H/walk_in_centres/2030-01", "/audit/999999",
                 "/no/such/page"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Go to the dashboard" in response.get_data(as_text=True)


def test_bad_query_arguments_are_422_not_500(populated, signed_in):
    client = signed_in("regulator")
    for path in ("/?as_of=yesterday", "/indicators/WIC4H?period=2018-13",
                 "/indicators/WIC4H?service_line=podiatry", "/contracts?expiring=7",
                 "/audit?after=abc", "/audit?recorded_from=soon"):
        response = client.get(path)
        assert response.status_code == 422, path


def test_only_admins_see_and_add_users(populated, signed_in):
    client = signed_in("regulator")
    assert client.get("/admin/users").status_code == 403
    client = signed_in("admin")
    assert "other.provider" in client.get("/admin/users").get_data(as_text=True)
    response = client.post("/admin/users", data={
        "csrf_token": csrf_token(client, "/admin/users"), "username": "newbie",
        "name": "New Person", "role": "provider", "organisation": "",
        "password": "long enough password"})
    assert response.status_code == 422
    assert "acts for one organisation" in response.get_data(as_text=True)


def test_a_user_issues_an_api_token_shown_once(populated, signed_in):
    client = signed_in("commissioner")
    response = client.post("/account/tokens", data={
        "csrf_token": csrf_token(client, "/account"), "label": "scripts"})
    token = re.search(r'id="new-token">([^<]+)<', response.get_data(as_text=True)).group(1)
    api = client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert token not in client.get("/account").get_data(as_text=True)


def test_the_dashboard_lists_data_queries_awaiting_an_answer_with_links_to_their_figures(
        populated, signed_in):
    path = "/submissions/RY6/WIC4H/walk_in_centres/2018-03"
    client = signed_in("regulator")
    assert "Every data query has been answered." in client.get("/").get_data(as_text=True)
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "action": "query", "question": "Why did March dip?"})
    assert response.status_code == 302
    dashboard = client.get("/").get_data(as_text=True)
    queries = dashboard[dashboard.index('id="open-queries"'):dashboard.index("<h2>Contracts ending soon")]
    assert f'href="{path}"' in queries and "Why did March dip?" in queries
    assert "regulator (regulator)" in queries

    client = signed_in("provider")
    query_id = re.search(r'<option value="(\w+)">\1: Why did March dip', client.get(
        path).get_data(as_text=True)).group(1)
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "action": "answer", "query_id": query_id,
                                       "answer": "two sites closed for refurbishment"})
    assert response.status_code == 302
    dashboard = client.get("/").get_data(as_text=True)
    assert "Why did March dip?" not in dashboard
    assert "Every data query has been answered." in dashboard
