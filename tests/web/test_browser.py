"""A real browser (Debian's chromium, driven by Playwright) against a real server.

Signs in as a provider, opens its profile and checks the charts are drawn,
restates a figure through the form, then finds the restatement, its reason, its
author and the before/after values in the audit trail. Set REGISTRY_SCREENSHOTS
to a directory to keep screenshots of each page visited.
"""

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-quic", "--no-first-run"]

pytestmark = pytest.mark.skipif(not shutil.which(CHROMIUM) and not os.environ.get("CI"),
                                reason="Debian's chromium is not installed")


@pytest.fixture
def server(populated):
    httpd = make_server("127.0.0.1", 0, populated, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join()


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def snap(page, name: str) -> None:
    folder = os.environ.get("REGISTRY_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_provider_restates_in_the_browser_and_finds_it_in_the_audit_trail(page):
    from tests.web.conftest import PASSWORD
    page.goto("/providers/RY6")
    assert "/login" in page.url
    page.fill("#username", "provider")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/providers/RY6")
    snap(page, "provider")

    charts = page.locator("#spc .chart svg")
    assert charts.count() >= 1
    box = charts.first.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    assert page.locator("#spc .icons svg").count() >= 1

    page.click("text=2018-12 >> xpath=../td/a[text()='figure']")
    page.wait_for_url("**/submissions/RY6/WIC4H/walk_in_centres/2018-12")
    old = page.locator("#restate-numerator").input_value()
    page.fill("#restate-numerator", str(int(old) - 25))
    page.fill("#restate-reason", "25 attendances double-counted in the December extract")
    page.click("#restate-form button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert "Restated" in page.locator(".flash.success").inner_text()
    snap(page, "submission")

    page.click("nav >> text=Audit trail")
    page.select_option("select[name=event_type]", "Submission.Restated")
    page.click("#audit-filters button[type=submit]")
    row = page.locator("tr.event-Restated").first
    text = row.inner_text()
    assert "25 attendances double-counted" in text and "provider" in text
    assert f"{old}" in row.locator("del").first.inner_text()
    assert str(int(old) - 25) in row.locator("ins").first.inner_text()
    snap(page, "audit")
    row.locator("a").first.click()
    diff = page.locator("#restatement-diff")
    assert diff.is_visible()
    assert str(int(old) - 25) in diff.locator("td.changed").last.inner_text()
    snap(page, "audit-event")


def test_the_main_pages_render_in_the_browser(page):
    from tests.web.conftest import PASSWORD
    page.goto("/login")
    page.fill("#username", "regulator")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    for name, path in (("dashboard", "/"), ("indicator", "/indicators/WIC4H?highlight=RYX"),
                       ("contracts", "/contracts"), ("pipeline", "/pipeline"),
                       ("api-docs", "/api/v1/docs")):
        response = page.goto(path)
        assert response.status == 200, path
        snap(page, name)
    assert page.locator(".swagger-ui").count() == 1
    page.goto("/indicators/WIC4H?highlight=RYX")
    assert page.locator("#funnel-chart svg").bounding_box()["width"] > 200


def test_the_content_security_policy_blocks_nothing_the_pages_use(populated, page):
    """Every page works under the policy (scripts and styles from this site's files only:
    the charts carry no inline style): no violation reported, the API documentation
    renders its operations, and the provider page's domain choice still submits itself
    (by static/forms.js, since inline handlers are refused)."""
    from tests.builders import ADMIN
    from tests.web.conftest import PASSWORD
    registry = populated.extensions["registry"]
    for quarter in range(1, 5):  # a second domain (quality) on the provider's page
        registry.submit({"provider": "RY6", "indicator": "PU1000",
                         "service_line": "district_nursing", "period": f"2018-Q{quarter}",
                         "numerator": 3 + quarter, "denominator": 1000}, ADMIN)
    registry.read_side.catch_up()
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto("/login")
    page.fill("#username", "regulator")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    for path in ("/", "/providers", "/providers/RY6", "/indicators/WIC4H?highlight=RYX",
                 "/contracts", "/pipeline", "/audit", "/account", "/api/v1/docs"):
        assert page.goto(path).status == 200, path
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    page.goto("/providers/RY6")
    options = page.locator("select[name=domain] option")
    assert options.count() > 1
    choice = options.nth(1).get_attribute("value")
    with page.expect_navigation(timeout=10000):
        page.select_option("select[name=domain]", choice)
    assert f"domain={choice}" in page.url
    assert violations == []
