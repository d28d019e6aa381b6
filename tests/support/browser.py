"""Real Chromium (Debian's) driven by Playwright, against the app served on a loopback port,
with axe-core injected to check every visited page for accessibility problems.

Every browser test also fails on any Content-Security-Policy violation: each context the
session's Chromium opens (the `page` fixture's and those tests open themselves) reports the
messages Chromium logs when the policy refuses a script, a style or anything else. axe-core is
evaluated through the DevTools protocol, which the policy does not govern, because a `<script>`
tag of its own would be an inline script the policy refuses.
"""

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.support.smtp import free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("EVENTSYS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# What axe calls serious or critical fails the test; WCAG 2.1 A and AA rules are checked.
FAILING_IMPACTS = {"serious", "critical"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass
class LiveServer:
    url: str


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """The test's app served over HTTP in a background thread."""
    port = free_port()
    app.config["SERVER_NAME"] = f"127.0.0.1:{port}"
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)


class CspWatchingBrowser:
    """The Chromium browser, with every new context watched for policy violations."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.violations: list[str] = []

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.on("console", self._record_violation)
        return context

    def _record_violation(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def chromium() -> Iterator[CspWatchingBrowser]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(
            "Chromium is missing: the README's test command installs Debian's chromium package."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        try:
            yield CspWatchingBrowser(browser)
        finally:
            browser.close()


class AccessibilityChecker:
    """Runs axe-core on the current page and collects what it finds; also reports the
    policy violations so far."""

    def __init__(self, browser: CspWatchingBrowser) -> None:
        if not AXE_SCRIPT.exists():
            pytest.fail("axe-core is missing: run `npm ci` (the README's test command does).")
        self.source = AXE_SCRIPT.read_text(encoding="utf-8")
        self.browser = browser
        self.checked: list[str] = []

    def check(self, page) -> None:
        if page.evaluate("typeof axe") == "undefined":
            page.evaluate(self.source)
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
        )
        problems = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            for violation in result["violations"]
            if violation["impact"] in FAILING_IMPACTS
        ]
        self.checked.append(page.url)
        assert not problems, f"accessibility problems on {page.url}:\n" + "\n".join(problems)
        assert not self.browser.violations, "\n".join(self.browser.violations)


@pytest.fixture
def page(chromium, live_server) -> Iterator:
    """A fresh browser tab (German locale, phone-to-desktop width) on the live server."""
    context = chromium.new_context(
        base_url=live_server.url, locale="de-DE", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def axe(chromium) -> AccessibilityChecker:
    return AccessibilityChecker(chromium)


@pytest.fixture(autouse=True)
def no_csp_violations(request) -> Iterator[None]:
    """Fail a browser test whose pages broke the Content-Security-Policy."""
    if "chromium" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("chromium")
    browser.violations.clear()
    yield
    violations = list(browser.violations)
    browser.violations.clear()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sign_in_on_page(page, email: str, password: str) -> None:
    """Sign in through the German sign-in form, as staff do, and wait for the overview."""
    page.goto("/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_label("Passwort").press("Enter")
    page.wait_for_url("**/")
