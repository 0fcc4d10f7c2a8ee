"""Load: 50 concurrent clients against gunicorn on loopback, reads and writes mixed.

Each client is a thread with its own seeded generator, sending API requests over fresh
connections until the deadline: reads of organisations, a submission, its history, a
benchmark, the audit trail and the health check; writes of new submissions (each client
its own provider, so writes never conflict). Every answer must be a success, every
accepted write must be stored exactly once, and the latencies are printed (p50, p95,
p99, max per kind). Then all 50 restate one submission at once with the same expected
version, through gunicorn's worker processes: one wins, 49 get 409. The run lasts REGISTRY_LOAD_SECONDS (default 5, so CI stays quick;
docs/reliability.md records a 60-second run).
"""

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

import pytest

from config.settings import Settings
from config.storage import open_registry
from projections.eventlog import read_events
from registry.identity import submission_id
from tests.builders import ADMIN, seed, wic
from tests.web.test_gunicorn import ROOT, _wait_until_healthy, free_port, stop

pytestmark = pytest.mark.slow

CLIENTS = 50
SECONDS = float(os.environ.get("REGISTRY_LOAD_SECONDS", "5"))
SEED = 50


@pytest.fixture
def loaded_server(database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(REGISTRY_DATABASE_URL=database_url, REGISTRY_HOME=str(tmp_path),
               REGISTRY_SECRET_KEY="load-test-secret",
               REGISTRY_PASSWORD_METHOD="pbkdf2:sha256:1000")
    registry = open_registry(Settings.from_env(env))
    try:
        seed(registry)
        for i in range(CLIENTS):
            registry.register_organisation({"code": f"LD{i:03d}", "name": f"Load {i}",
                                            "kind": "nhs_trust"}, ADMIN)
        registry.submit(wic(), ADMIN)
        registry.add_user({"username": "loader", "name": "Loader", "role": "admin",
                           "organisation": None, "password": "load test password"}, ADMIN)
        token = registry.issue_token({"username": "loader"}, ADMIN)["token"]
        registry.read_side.catch_up()
    finally:
        registry.close()
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "4", "--threads", "4", "-b",
         f"127.0.0.1:{port}", "--graceful-timeout", "5", "--timeout", "60", "web.wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(process, base, log)
        yield base, token, env, log
    finally:
        stop(process, log)


READS = [
    ("organisations", "/api/v1/organisations"),
    ("submission", "/api/v1/submissions/RY6/WIC4H/walk_in_centres/2018-12"),
    ("history", "/api/v1/organisations/RY6/history"),
    ("benchmark", "/api/v1/benchmarks/WIC4H/2018-12"),
    ("audit", "/api/v1/audit?limit=20"),
    ("health", "/health"),
]


def test_fifty_clients_reading_and_writing_get_no_errors_lose_nothing_and_race_fairly(
        loaded_server):
    base, token, env, log = loaded_server
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies, errors, written = defaultdict(list), [], []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(number: int) -> None:
        rng = random.Random(SEED + number)
        month = 0
        start.wait(timeout=60)
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            if rng.random() < 0.25:
                kind, path = "write", "/api/v1/submissions"
                period = f"{1990 + month // 12}-{month % 12 + 1:02d}"
                month += 1
                body = json.dumps(wic(provider=f"LD{number:03d}", period=period,
                                      numerator=rng.randint(0, 100))).encode()
                request = Request(base + path, data=body, headers=headers, method="POST")
            else:
                kind, path = rng.choice(READS)
                request = Request(base + path, headers=headers)
            began = time.perf_counter()
            try:
                with urlopen(request, timeout=60) as response:
                    response.read()
                    status = response.status
            except HTTPError as error:
                status = error.code
                error.close()
            except (URLError, ConnectionError, TimeoutError) as error:
                status = repr(error)
            took = time.perf_counter() - began
            with lock:
                latencies[kind].append(took)
                if status not in (200, 201):
                    errors.append((kind, path, status))
                elif kind == "write":
                    written.append((number, period))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)
    assert all(not t.is_alive() for t in threads)

    report = {kind: _summary(values) for kind, values in sorted(latencies.items())}
    total = sum(len(v) for v in latencies.values())
    print(f"\n{CLIENTS} clients, {SECONDS:g}s, {total} requests "
          f"({total / SECONDS:.0f}/s), {len(errors)} errors")
    for kind, summary in report.items():
        print(f"  {kind:<13} {summary}")
    assert errors == [], Counter(errors).most_common(5)
    assert written and sum(len(v) for v in latencies.values()) >= CLIENTS

    registry = open_registry(Settings.from_env(env))
    try:
        stored = Counter(e.event.provider for e in read_events(registry)
                         if e.topic.endswith("Submission.Submitted")
                         and e.event.provider.startswith("LD"))
    finally:
        registry.close()
    assert stored == Counter(f"LD{number:03d}" for number, _ in written)
    _restating_one_submission_from_many_processes(base, headers, env)


def _restating_one_submission_from_many_processes(base: str, headers: dict, env: dict):
    """Then the race of tests/web/api/test_concurrency.py across gunicorn's processes (on
    the same server, to spare a second start): one restatement wins, the rest get 409."""
    cell = "/api/v1/submissions/RY6/WIC4H/walk_in_centres/2018-12"
    barrier, answers = threading.Barrier(CLIENTS), [None] * CLIENTS

    def restate(number: int) -> None:
        body = json.dumps({"numerator": number, "denominator": 100, "expected_version": 1,
                           "reason": f"recount {number}"}).encode()
        request = Request(base + cell + "/restatements", data=body, headers=headers,
                          method="POST")
        barrier.wait(timeout=60)
        try:
            with urlopen(request, timeout=60) as response:
                answers[number] = (response.status, json.load(response))
        except HTTPError as error:
            answers[number] = (error.code, json.load(error))
            error.close()

    threads = [threading.Thread(target=restate, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = Counter(status for status, _ in answers)
    assert statuses == {200: 1, 409: CLIENTS - 1}, statuses
    assert all("try again" in body["message"] for status, body in answers if status == 409)
    winner = next(i for i, (status, _) in enumerate(answers) if status == 200)

    registry = open_registry(Settings.from_env(env))
    try:
        wanted = submission_id("RY6", "WIC4H", "walk_in_centres", "2018-12")
        events = [e for e in read_events(registry) if e.aggregate_id == wanted]
    finally:
        registry.close()
    assert [e.version for e in events] == [1, 2]
    assert events[1].event.provenance["reason"] == f"recount {winner}"


def _summary(values: list[float]) -> str:
    values = sorted(values)

    def at(share: float) -> float:
        return values[min(len(values) - 1, int(share * len(values)))] * 1000

    return (f"n={len(values):>5}  p50 {at(0.5):7.1f} ms  p95 {at(0.95):7.1f} ms  "
            f"p99 {at(0.99):7.1f} ms  max {values[-1] * 1000:7.1f} ms")
