"""API fixtures: a caller per user (bearer token, JSON in and out) and CSV parsing."""

import csv
import io

import pytest

from tests.web.conftest import bearer

API = "/api/v1"


class Caller:
    """The test client with one user's bearer token, addressing paths under /api/v1."""

    def __init__(self, client, token: str):
        self.client, self.headers = client, bearer(token)

    def get(self, path: str, **query):
        return self.client.get(API + path, headers=self.headers, query_string=query)

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(API + path, headers=self.headers, json=json, **kwargs)


@pytest.fixture
def api(client, tokens):
    """api(username) -> a Caller acting with that user's token (default: admin)."""
    return lambda username="admin": Caller(client, tokens[username])


@pytest.fixture
def registry(flask_app):
    return flask_app.extensions["registry"]


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
