"""Web fixtures: a Flask app around the per-test registry, users of every role, clients.

CSRF protection stays on: form posts in tests carry the token from the page, as a
browser's would.
"""

import re

import pytest

from tests.builders import ADMIN, seed
from web import create_app

PASSWORD = "correct horse battery"
USERS = {  # username: (role, organisation)
    "admin": ("admin", None),
    "regulator": ("regulator", "CQC"),
    "commissioner": ("commissioner", "QWO"),
    "provider": ("provider", "RY6"),
    "other.provider": ("provider", "RYX"),
}


@pytest.fixture
def seeded(app):
    seed(app)
    app.register_organisation({"code": "CQC", "name": "Care Quality Commission",
                               "kind": "regulator"}, ADMIN)
    return app


@pytest.fixture
def flask_app(seeded, settings):
    for username, (role, organisation) in USERS.items():
        seeded.add_user({"username": username, "name": username.title(), "role": role,
                         "organisation": organisation, "password": PASSWORD}, ADMIN)
    web = create_app(settings, registry=seeded, config={"TESTING": True})
    seeded.read_side.catch_up()
    return web


@pytest.fixture
def client(flask_app):
    return flask_app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


@pytest.fixture
def signed_in(client):
    """sign_in(username) -> the client, signed in as that user."""
    def as_user(username: str):
        response = sign_in(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client
    return as_user


@pytest.fixture
def tokens(flask_app):
    """An API token per test user."""
    registry = flask_app.extensions["registry"]
    return {u: registry.issue_token({"username": u}, ADMIN)["token"] for u in USERS}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


WIC_PROVIDERS = {"RY6": 0.93, "RYX": 0.86, "RY2": 0.97}


def wic_csv(periods=12) -> bytes:
    """Twelve months of walk-in-centre returns for three providers."""
    lines = ["provider,indicator,service_line,period,numerator,denominator,value,sd,n,note"]
    for month in range(1, periods + 1):
        for code, share in WIC_PROVIDERS.items():
            denominator = 1000 + 37 * month + len(code) * 11
            numerator = int(denominator * share) - (month % 3) * 4
            lines.append(f"{code},WIC4H,walk_in_centres,2018-{month:02d},{numerator},"
                         f"{denominator},,,,")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def populated(flask_app):
    """Submissions, a contract and an FT application behind the web app."""
    from registry.imports import import_csv
    registry = flask_app.extensions["registry"]
    import_csv(registry, "submissions", wic_csv(), "wic-2018.csv", ADMIN)
    registry.award_contract({
        "reference": "QWO-CS-2022", "commissioner": "QWO", "provider": "RY6",
        "service_lines": ["district_nursing", "walk_in_centres"], "annual_value": "1000000",
        "total_value": "3000000", "start": "2022-07-01", "end": "2025-06-30",
        "route": "direct_award"}, ADMIN)
    registry.start_application({"provider": "RY6"}, ADMIN)
    registry.schedule_milestone({"provider": "RY6", "milestone": "tfa",
                                 "target_date": "2013-03-31"}, ADMIN)
    registry.read_side.catch_up()
    return flask_app
