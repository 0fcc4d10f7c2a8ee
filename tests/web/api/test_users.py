"""/me: the token's user."""

from tests.web.conftest import bearer


def test_me_is_the_tokens_user(api):
    me = api("provider").get("/me").json
    assert (me["username"], me["role"], me["organisation"]) == ("provider", "provider", "RY6")
    assert me["tokens"][0]["revoked"] is False and "digest" not in str(me)
    assert api().get("/me").json["organisation"] is None


def test_me_needs_a_token(client):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer("nobody.x.y")).status_code == 401
