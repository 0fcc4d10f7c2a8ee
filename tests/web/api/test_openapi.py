"""The OpenAPI document: valid OpenAPI 3, complete, and true to what the API answers.

Truth is checked two ways: known-good requests on a populated registry must answer as
documented, and a property-based run (schemathesis, positive and negative cases,
derandomised so it is repeatable) must get neither a server error nor an answer that
contradicts the document, for every operation.
"""

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

from tests.builders import REGULATOR, wic
from tests.web.conftest import bearer

UNDOCUMENTED = {"api.openapi", "api.docs", "api.docs_static"}
CELL = "/api/v1/submissions/RY6/WIC4H/walk_in_centres/2018-03"
FT = "/api/v1/ft-applications/RY6"
KNOWN_GOOD = [  # in order: later requests rely on earlier ones
    ("GET", "/api/v1/me", None),
    ("GET", "/api/v1/organisations/RY6", None),
    ("GET", "/api/v1/organisations/RY6/history", None),
    ("GET", CELL, None),
    ("POST", "/api/v1/submissions", wic(period="2019-01")),
    ("POST", "/api/v1/submissions/batch", [wic(period="2019-02"), wic(period="2019-03")]),
    ("POST", CELL + "/restatements", {"numerator": 900, "denominator": 1200,
                                      "reason": "recount", "expected_version": 1}),
    ("POST", CELL + "/queries", {"question": "Why?"}),
    ("POST", CELL + "/withdrawal", {"reason": "duplicate"}),
    ("GET", "/api/v1/benchmarks/WIC4H/2018-06?peer_group=kind:nhs_trust", None),
    ("GET", "/api/v1/spc/RY6/WIC4H?service_line=walk_in_centres", None),
    ("GET", "/api/v1/contracts?expiring_within_days=3650", None),
    ("GET", "/api/v1/contracts/QWO-CS-2022", None),
    ("POST", "/api/v1/contracts", {"reference": "QWO-X", "commissioner": "QWO",
                                   "provider": "RYX", "service_lines": ["podiatry"],
                                   "annual_value": 5, "total_value": 10,
                                   "start": "2023-01-01", "end": "2024-12-31",
                                   "route": "direct_award"}),
    ("POST", "/api/v1/contracts/QWO-CS-2022/variations",
     {"effective": "2023-01-01", "service_lines": ["podiatry"], "reason": "rescoped"}),
    ("POST", "/api/v1/contracts/QWO-CS-2022/renewal-review", {"due_by": "2025-01-01"}),
    ("GET", "/api/v1/ft-applications", None),
    ("GET", FT, None),
    ("POST", FT + "/milestones/tfa/slips", {"new_target": "2013-05-31", "reason": "late"}),
    ("POST", FT + "/milestones/tfa/achievement", {"achieved_on": "2013-05-01"}),
    ("GET", "/api/v1/audit?limit=5&organisation=RY6", None),
    ("GET", "/api/v1/audit/1", None),
]


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").json


def test_the_document_is_valid_openapi_3(document):
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}"
              for e in OPENAPI_30_VALIDATOR.iter_errors(document)]
    assert errors == []
    assert document["openapi"].startswith("3.0")


def test_every_path_parameter_is_declared_and_operation_ids_are_unique(document):
    ids = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)
            assert str(200 if method == "get" else 201) in operation["responses"] or \
                "200" in operation["responses"]
            ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))


def test_every_api_route_is_documented(flask_app, document):
    for rule in flask_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint in UNDOCUMENTED:
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in document["paths"].get(path, {}), (method, path)


def test_known_good_requests_answer_as_documented(populated, client, tokens):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", populated)
    for method, url, body in KNOWN_GOOD:
        response = client.open(url, method=method, json=body, headers=bearer(tokens["admin"]))
        assert response.status_code < 300, (method, url, response.get_data(as_text=True))
        path = re.sub(r"\?.*", "", url)
        operation = _operation(schema, method, path)
        operation.validate_response(response)


def _operation(schema, method: str, path: str):
    for template, methods in schema.raw_schema["paths"].items():
        pattern = re.sub(r"\\{period\\}", ".+", re.escape(template))
        pattern = re.sub(r"\\{\w+\\}", "[^/]+", pattern)
        if re.fullmatch(pattern, path) and method.lower() in methods:
            return schema[template][method]
    raise AssertionError(f"{method} {path} is not documented")


@pytest.mark.slow
def test_no_request_gets_a_server_error_or_an_undocumented_answer(populated, tokens):
    """Every operation with valid and invalid input as the document describes them, then
    valid input at addresses that exist (so the service's own rules answer, not just
    the schemas)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", populated)
    known = _known_addresses(populated.extensions["registry"])
    failures, sent = {}, []
    for operation in (result.ok() for result in schema.get_all_operations()):
        names = re.findall(r"{(\w+)}", operation.path)
        runs = [(GenerationMode.POSITIVE, {}), (GenerationMode.NEGATIVE, {})]
        runs += [(GenerationMode.POSITIVE, {n: known[n] for n in names})] if names else []
        for mode, addressed in runs:
            strategy = operation.as_strategy(mode, headers=bearer(tokens["admin"]),
                                             path_parameters=addressed or None)
            try:
                _fuzz(strategy, sent)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing in it can be made invalid
            except Exception as failure:  # noqa: BLE001 (each operation's report is kept)
                failures[f"{mode.value} {operation.label} {addressed}"] = str(failure)
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
    assert len(sent) >= 1000  # generated requests, every one answered as documented
    registry = populated.extensions["registry"]
    registry.read_side.catch_up()  # nothing accepted may stop a read model
    assert [p["error"] for p in registry.read_side.status() if p["error"]] == []


def _known_addresses(registry) -> dict:
    cell = {"provider": "RY6", "indicator": "WIC4H", "service_line": "walk_in_centres",
            "period": "2018-03"}
    query_id = registry.raise_query({**cell, "question": "Why?"}, REGULATOR)
    registry.read_side.catch_up()
    return {**cell, "query_id": query_id, "reference": "QWO-CS-2022", "code": "RY6",
            "milestone": "tfa", "position": 1}


def _fuzz(strategy, sent: list) -> None:
    @settings(max_examples=25, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                     HealthCheck.data_too_large])
    @given(strategy)
    def request(case):
        sent.append(case.operation.label)
        case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

    request()
