"""Signing in and out, sessions, API tokens."""

from tests.web.conftest import PASSWORD, bearer, csrf_token, sign_in


def test_pages_need_a_signed_in_user(client):
    response = client.get("/providers")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/providers")


def test_signing_in_with_the_right_password_opens_the_dashboard(client):
    response = sign_in(client, "regulator")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert ">Regulator</a> · regulator · CQC" in page


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(client):
    wrong = sign_in(client, "regulator", "not the password")
    unknown = sign_in(client, "nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "username or password is not right" in wrong.get_data(as_text=True)
    assert wrong.get_data(as_text=True).replace("regulator", "") .count("not right") == \
        unknown.get_data(as_text=True).count("not right")
    assert client.get("/providers").status_code == 302


def test_the_login_form_refuses_a_post_without_its_csrf_token(client):
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)


def test_signing_out_ends_the_session(client):
    sign_in(client, "admin")
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_next_never_leads_off_the_site(client):
    token = csrf_token(client)
    response = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                           "csrf_token": token, "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_the_api_needs_a_bearer_token(client, tokens):
    refused = client.get("/api/v1/organisations")
    assert refused.status_code == 401
    assert refused.json["status"] == 401 and "Bearer" in refused.json["message"]
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/organisations", headers=bearer("admin.x.y")).status_code == 401
    ok = client.get("/api/v1/organisations", headers=bearer(tokens["provider"]))
    assert ok.status_code == 200 and {o["code"] for o in ok.json} >= {"RY6", "QWO"}


def test_a_revoked_token_stops_working_at_once(client, tokens, flask_app):
    from tests.builders import ADMIN
    registry = flask_app.extensions["registry"]
    token_id = tokens["provider"].split(".")[1]
    registry.revoke_token({"username": "provider", "token_id": token_id}, ADMIN)
    assert client.get("/api/v1/organisations",
                      headers=bearer(tokens["provider"])).status_code == 401


def test_tokens_and_passwords_are_stored_only_as_hashes(flask_app, tokens):
    from projections.eventlog import read_events
    stored = " ".join(str(e.data) for e in read_events(flask_app.extensions["registry"]))
    assert PASSWORD not in stored
    for token in tokens.values():
        assert token.rsplit(".", 1)[1] not in stored
