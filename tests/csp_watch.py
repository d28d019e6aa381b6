"""Browser tests fail on any Content-Security-Policy violation (issue 11, item 7).

The directory conftests of the browser tests import these fixtures. They wrap the session's
Chromium so that every context it opens, the `page` fixture's and those the tests open
themselves, reports each message Chromium logs when the policy refuses a script, a style or
anything else; a test that caused one fails at its end. The accessibility checker evaluates
axe-core through the DevTools protocol (which the policy does not govern), because its own
`<script>` tag is an inline script the policy refuses.
"""

from collections.abc import Iterator

import pytest

from tests.support.browser import AXE_TAGS, FAILING_IMPACTS, AccessibilityChecker


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
def chromium(chromium) -> CspWatchingBrowser:
    return CspWatchingBrowser(chromium)


class PreloadedAccessibilityChecker(AccessibilityChecker):
    """axe-core evaluated into the page without a script tag; also reports the policy
    violations so far."""

    def __init__(self, browser: CspWatchingBrowser) -> None:
        super().__init__()
        self.browser = browser

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
def axe(chromium) -> AccessibilityChecker:
    return PreloadedAccessibilityChecker(chromium)


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
