"""Many clients changing the same record at once, through the API, on both engines.

Threads released together by a barrier each send one change with the test client of one
application (as a gunicorn worker's threads would share it). Every aggregate version is
taken exactly once, every loser gets a 409 with a message saying what to do, and the
stored events are exactly the successful responses: none lost, none duplicated.
"""

import threading
from collections import Counter

from projections.eventlog import read_events
from tests.builders import ADMIN, wic
from tests.web.conftest import bearer

CLIENTS = 12
CELL = "/api/v1/submissions/RY6/WIC4H/walk_in_centres/2018-12"
CONTRACT = "/api/v1/contracts/QWO-DN-2022"


def _at_once(flask_app, token: str, path: str, bodies: list[dict]) -> list:
    """POST each body from its own thread, all released together; the responses."""
    barrier = threading.Barrier(len(bodies))
    responses: list = [None] * len(bodies)
    failures: list = []

    def send(index: int) -> None:
        try:
            client = flask_app.test_client()
            barrier.wait(timeout=30)
            response = client.post(path, json=bodies[index], headers=bearer(token))
            responses[index] = (response.status_code, response.get_json())
        except Exception as error:  # noqa: BLE001 (reported below, not swallowed)
            failures.append(repr(error))

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures and all(not t.is_alive() for t in threads), failures
    return responses


def _events_of(registry, aggregate_type: str) -> list:
    return [e for e in read_events(registry) if e.aggregate_type == aggregate_type]


def test_restating_one_submission_at_once_one_version_wins_the_rest_get_409(
        flask_app, tokens):
    registry = flask_app.extensions["registry"]
    registry.submit(wic(), ADMIN)
    bodies = [{"numerator": 50 + i, "denominator": 100, "reason": f"recount {i}",
               "expected_version": 1} for i in range(CLIENTS)]
    responses = _at_once(flask_app, tokens["provider"], CELL + "/restatements", bodies)

    statuses = Counter(status for status, _ in responses)
    assert statuses == {200: 1, 409: CLIENTS - 1}, responses
    for status, body in responses:
        if status == 409:
            # either it read version 1 after the winner stored 2 (the field is named), or
            # it read it before and lost the race to store 2 (the store refused it)
            assert body["status"] == 409 and body["error"] == "Conflict", body
            assert "try again" in body["message"], body
    winner = next(i for i, (status, _) in enumerate(responses) if status == 200)

    events = _events_of(registry, "Submission")
    assert [e.version for e in events] == [1, 2]
    restated = events[1].event
    assert restated.provenance["reason"] == f"recount {winner}"
    assert registry.get_submission("RY6", "WIC4H", "walk_in_centres",
                                   "2018-12")["values"]["numerator"] == 50 + winner


def test_restating_without_expected_versions_loses_and_duplicates_nothing(
        flask_app, tokens):
    """Without expected_version a restatement applies to whatever is current: several may
    succeed one after another, and the ones that raced for the same version get 409."""
    registry = flask_app.extensions["registry"]
    registry.submit(wic(), ADMIN)
    bodies = [{"numerator": 50 + i, "denominator": 100, "reason": f"recount {i}"}
              for i in range(CLIENTS)]
    responses = _at_once(flask_app, tokens["provider"], CELL + "/restatements", bodies)
    _each_success_stored_once(registry, "Submission", responses, bodies)


def test_varying_one_contract_at_once_loses_and_duplicates_nothing(flask_app, tokens):
    registry = flask_app.extensions["registry"]
    registry.award_contract({
        "reference": "QWO-DN-2022", "commissioner": "QWO", "provider": "RY6",
        "service_lines": ["district_nursing"], "annual_value": "1000",
        "total_value": "3000", "start": "2022-07-01", "end": "2031-06-30",
        "route": "direct_award"}, ADMIN)
    bodies = [{"effective": "2023-01-01", "annual_value": str(2000 + i),
               "reason": f"uplift {i}"} for i in range(CLIENTS)]
    responses = _at_once(flask_app, tokens["commissioner"], CONTRACT + "/variations",
                         bodies)
    _each_success_stored_once(registry, "Contract", responses, bodies)


def _each_success_stored_once(registry, aggregate_type, responses, bodies) -> None:
    statuses = Counter(status for status, _ in responses)
    assert set(statuses) <= {200, 409} and statuses[200] >= 1, responses
    for status, body in responses:
        if status == 409:
            assert body["error"] == "Conflict" and "try again" in body["message"], body

    events = _events_of(registry, aggregate_type)
    versions = [e.version for e in events]
    assert versions == list(range(1, len(events) + 1))  # each version taken once
    stored = Counter(e.event.provenance["reason"] for e in events[1:])
    succeeded = Counter(bodies[i]["reason"] for i, (status, _) in enumerate(responses)
                        if status == 200)
    assert stored == succeeded  # nothing lost, nothing duplicated, no loser stored
