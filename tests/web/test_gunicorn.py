"""The production entry point: ``gunicorn web.wsgi:app`` as a real process.

Two workers, configured only by the environment (as the README says), on a free
loopback port against a temporary SQLite store: a person signs in and reads the
dashboard (the session, signed with REGISTRY_SECRET_KEY, holds whichever worker
answers), and a system reads the API with a bearer token. The sign-in limit holds across
the two workers (failures are counted in the database, not in a worker's memory): each
worker is kept busy in turn, so the other is known to answer.
"""

import json
import os
import re
import socket
import subprocess
import sys
import time
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener, urlopen

import pytest

from config.settings import Settings
from config.storage import open_registry
from tests.builders import ADMIN, seed

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
STARTUP = 60  # seconds for two workers to import the app and open the store
STOP = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def environment(tmp_path) -> dict:
    """The variables gunicorn's workers read their settings from, for a seeded store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(REGISTRY_DATABASE_URL=f"sqlite:///{tmp_path / 'registry.db'}",
               REGISTRY_HOME=str(tmp_path), REGISTRY_SECRET_KEY="gunicorn-test-secret",
               REGISTRY_PASSWORD_METHOD="pbkdf2:sha256:1000")
    registry = open_registry(Settings.from_env(env))
    try:
        seed(registry)
        registry.add_user({"username": "regulator", "name": "Regulator", "role": "regulator",
                           "organisation": None, "password": PASSWORD}, ADMIN)
        env["TEST_TOKEN"] = registry.issue_token({"username": "regulator"}, ADMIN)["token"]
    finally:
        registry.close()
    return env


@pytest.fixture
def server(environment, tmp_path):
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--graceful-timeout", "5", "web.wsgi:app"],
        cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(process, base, log)
        yield base, environment["TEST_TOKEN"]
    finally:
        stop(process, log)


def stop(process, log) -> None:
    """Stop gunicorn gracefully, killing it if it does not stop in time; close its log."""
    process.terminate()
    try:
        process.wait(timeout=STOP)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    log.close()


def _wait_until_healthy(process, base: str, log) -> None:
    """Poll /health until it answers, the process dies, or the deadline passes."""
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        try:
            with urlopen(f"{base}/health", timeout=2) as response:
                if json.load(response) == {"status": "ok"}:
                    return
        except (URLError, ConnectionError, TimeoutError):
            pass
        try:  # the pause between polls doubles as the check that gunicorn is still alive
            process.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
        pytest.fail(f"gunicorn exited with {process.returncode}:\n{_text(log)}")
    pytest.fail(f"gunicorn did not answer /health within {STARTUP}s:\n{_text(log)}")


def _text(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-5000:]


def test_gunicorn_serves_pages_to_a_signed_in_user_and_the_api_to_a_token(server):
    base, token = server
    browser = build_opener(HTTPCookieProcessor(CookieJar()))
    with browser.open(f"{base}/", timeout=10) as response:  # redirected to sign in
        assert response.url.startswith(f"{base}/login")
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode())
    form = urlencode({"username": "regulator", "password": PASSWORD,
                      "csrf_token": csrf.group(1)}).encode()
    with browser.open(f"{base}/login", data=form, timeout=10) as response:
        page = response.read().decode()
    assert response.url == f"{base}/" and "<h1>Dashboard</h1>" in page
    for _ in range(4):  # whichever worker answers knows the session
        with browser.open(f"{base}/providers", timeout=10) as response:
            assert "Leeds Community Healthcare NHS Trust" in response.read().decode()

    request = Request(f"{base}/api/v1/organisations",
                      headers={"Authorization": f"Bearer {token}"})
    with urlopen(request, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/json")
        codes = {o["code"] for o in json.load(response)}
    assert {"RY6", "RYX", "QWO"} <= codes

    # The sign-in limit holds across the workers: three failures on one worker and two on
    # the other make the limit (five), and then each worker refuses the right password.
    # Counted per worker, neither would have seen five.
    holds = [_Hold(base), _Hold(base)]
    try:
        def on_worker(i: int, username: str, password: str) -> int:
            holds[i].release()  # its worker answers, then is the only one free
            try:
                return _sign_in(base, username, password)
            finally:
                holds[i] = _Hold(base)
        assert [on_worker(i % 2, "regulator", "wrong") for i in range(5)] == [401] * 5
        assert [on_worker(i, "regulator", PASSWORD) for i in (0, 1)] == [429, 429]
    finally:
        for hold in holds:
            hold.release()


class _Hold:
    """Keeps one of gunicorn's sync workers busy: a sign-in post whose body is not sent
    until ``release``. The worker's "100 Continue" shows that it has taken the connection;
    until the body arrives it takes no other, so every other request goes to the other
    worker."""

    def __init__(self, base: str):
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.sendall(f"POST /login HTTP/1.1\r\nHost: {host}\r\nContent-Type: "
                          "application/x-www-form-urlencoded\r\nContent-Length: 3\r\n"
                          "Expect: 100-continue\r\n\r\n".encode())
        assert self.sock.recv(64).startswith(b"HTTP/1.1 100"), "no worker took the hold"

    def release(self) -> None:
        """Send the body and read the answer (a refusal: no CSRF token)."""
        if self.sock is None:
            return
        with self.sock:
            self.sock.sendall(b"x=1")
            while self.sock.recv(65536):
                pass
        self.sock = None


def _sign_in(base: str, username: str, password: str) -> int:
    """One sign-in attempt from a new browser: the status of the form's post."""
    browser = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirect)
    with browser.open(f"{base}/login", timeout=10) as response:
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode())
    form = urlencode({"username": username, "password": password,
                      "csrf_token": csrf.group(1)}).encode()
    try:
        with browser.open(f"{base}/login", data=form, timeout=10) as response:
            return response.status
    except HTTPError as error:
        error.close()
        return error.code


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 comes back as an HTTPError with its code

