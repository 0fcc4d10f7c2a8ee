"""Every write endpoint x every role: allowed roles succeed, the others get 403 and store
nothing. Every write operation in the OpenAPI document must be in the matrix.

The roles are the service layer's rules (registry.services.permissions), the same on
every engine, so this matrix runs on SQLite only, each case on a copy of one seeded
database file (copying a file is much faster than seeding 110 registries). Refused
writes are checked on both engines by the resource modules' own tests.
"""

import re
import shutil

import pytest

from config.settings import Settings
from config.storage import open_registry
from tests.builders import ADMIN, REGULATOR, event_count, provider_of, seed, wic
from tests.web.api.conftest import Caller
from tests.web.conftest import PASSWORD, USERS
from web import create_app

ROLES = tuple(USERS)  # admin, regulator, commissioner, provider (RY6), other.provider (RYX)
CELL = "/submissions/RY6/WIC4H/walk_in_centres/2018-12"
CONTRACT = "/contracts/QWO-DN-2022"
AWARD = {"reference": "QWO-DN-2022", "commissioner": "QWO", "provider": "RY6",
         "service_lines": ["district_nursing"], "annual_value": "1000", "total_value": "3000",
         "start": "2022-07-01", "end": "2031-06-30", "route": "direct_award"}
FT = "/ft-applications/RY6"


def submitted(registry):
    registry.submit(wic(), provider_of("RY6"))


def queried(registry):
    submitted(registry)
    cell = {k: v for k, v in wic().items() if k not in ("numerator", "denominator")}
    return {"query_id": registry.raise_query({**cell, "question": "why?"}, REGULATOR)}


def awarded(registry):
    registry.award_contract(AWARD, ADMIN)


def reviewing(registry):
    awarded(registry)
    registry.open_renewal_review({"reference": "QWO-DN-2022"}, ADMIN)


def scheduled(registry):
    registry.schedule_milestone({"provider": "RY6", "milestone": "tfa",
                                 "target_date": "2013-01-31"}, ADMIN)


PROVIDERS, COMMISSIONERS = {"admin", "provider"}, {"admin", "commissioner"}
MILESTONES = {"admin", "regulator", "provider"}
WRITES = {  # name: (set-up, path, body, roles allowed, status on success)
    "submit": (None, "/submissions", wic(), PROVIDERS, 201),
    "submit batch": (None, "/submissions/batch", [wic()], PROVIDERS, 201),
    "restate": (submitted, CELL + "/restatements",
                {"numerator": 91, "denominator": 100, "reason": "fix"}, PROVIDERS, 200),
    "withdraw": (submitted, CELL + "/withdrawal", {"reason": "duplicate"}, PROVIDERS, 200),
    "raise query": (submitted, CELL + "/queries", {"question": "why?"},
                    {"admin", "regulator"}, 201),
    "answer query": (queried, CELL + "/queries/{query_id}/answer", {"answer": "because"},
                     PROVIDERS, 200),
    "award": (None, "/contracts", AWARD, COMMISSIONERS, 201),
    "vary": (awarded, CONTRACT + "/variations",
             {"effective": "2023-01-01", "annual_value": "2000", "reason": "uplift"},
             COMMISSIONERS, 200),
    "extend": (awarded, CONTRACT + "/extensions",
               {"new_end": "2032-06-30", "additional_value": "1000"}, COMMISSIONERS, 200),
    "novate": (awarded, CONTRACT + "/novation",
               {"new_provider": "RY2", "effective": "2023-01-01", "reason": "merger"},
               COMMISSIONERS, 200),
    "terminate": (awarded, CONTRACT + "/termination",
                  {"effective": "2024-01-01", "reason": "exit"}, COMMISSIONERS, 200),
    "open renewal review": (awarded, CONTRACT + "/renewal-review", {}, COMMISSIONERS, 200),
    "decide renewal": (reviewing, CONTRACT + "/renewal-decision",
                       {"decision": "renew", "reason": "good"}, COMMISSIONERS, 200),
    "start application": (None, "/ft-applications", {"provider": "RY6"}, MILESTONES, 201),
    "schedule milestone": (None, FT + "/milestones",
                           {"milestone": "tfa", "target_date": "2013-01-31"}, MILESTONES, 201),
    "achieve milestone": (scheduled, FT + "/milestones/tfa/achievement",
                          {"achieved_on": "2013-01-15"}, MILESTONES, 200),
    "slip milestone": (scheduled, FT + "/milestones/tfa/slips",
                       {"new_target": "2013-03-31", "reason": "late"}, MILESTONES, 200),
    "decide application": (scheduled, FT + "/decision",
                           {"decision": "withdrawn", "effective": "2014-01-01",
                            "reason": "trust request"}, {"admin", "regulator"}, 200),
    "checkpoint ledger": (submitted, "/ledger/checkpoints", {"reason": "audit"},
                          {"admin", "regulator"}, 201),
}


@pytest.fixture(scope="session")
def snapshot(tmp_path_factory):
    """A seeded database file with every test user and a token each."""
    home = tmp_path_factory.mktemp("roles")
    registry = open_registry(_settings(home))
    seed(registry)
    registry.register_organisation({"code": "CQC", "name": "Care Quality Commission",
                                    "kind": "regulator"}, ADMIN)
    for username, (role, organisation) in USERS.items():
        registry.add_user({"username": username, "name": username.title(), "role": role,
                           "organisation": organisation, "password": PASSWORD}, ADMIN)
    tokens = {u: registry.issue_token({"username": u}, ADMIN)["token"] for u in USERS}
    registry.read_side.catch_up()
    registry.close()
    return home, tokens


@pytest.fixture
def copied(snapshot, tmp_path):
    home, tokens = snapshot
    for path in home.glob("registry.db*"):
        shutil.copy(path, tmp_path / path.name)
    shutil.copytree(home / "var", tmp_path / "var")  # the ledger key goes with its store
    registry = open_registry(_settings(tmp_path))
    yield create_app(_settings(tmp_path), registry=registry, config={"TESTING": True}), tokens
    registry.close()


def _settings(home) -> Settings:
    return Settings.from_env({"REGISTRY_DATABASE_URL": f"sqlite:///{home / 'registry.db'}",
                              "REGISTRY_HOME": str(home)})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", WRITES)
def test_each_role_may_make_only_its_own_writes(copied, write, role):
    flask_app, tokens = copied
    registry = flask_app.extensions["registry"]
    set_up, path, body, allowed, success = WRITES[write]
    context = (set_up(registry) if set_up else None) or {}
    before = event_count(registry)
    response = Caller(flask_app.test_client(), tokens[role]).post(path.format(**context), body)
    if role in allowed:
        assert response.status_code == success, response.json
        assert event_count(registry) > before
    else:
        assert response.status_code == 403, response.json
        assert event_count(registry) == before


def test_the_matrix_covers_every_write_in_the_openapi_document(copied):
    flask_app, _ = copied
    document = flask_app.test_client().get("/api/v1/openapi.json").json
    paths = [path.format(query_id="Q1") for _, path, *_ in WRITES.values()]
    uncovered = []
    for template, operations in document["paths"].items():
        for method in set(operations) & {"post", "put", "patch", "delete"}:
            pattern = re.sub(r"\\{\w+\\}", "[^/]+", re.escape(template.removeprefix("/api/v1")))
            if method != "post" or not any(re.fullmatch(pattern, p) for p in paths):
                uncovered.append(f"{method.upper()} {template}")
    assert uncovered == []
