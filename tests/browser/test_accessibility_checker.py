"""The accessibility check itself must be able to fail, or a green run proves nothing."""

import pytest

pytestmark = pytest.mark.browser


def test_checker_reports_an_unlabelled_field_and_poor_contrast(page, axe):
    page.goto("/login")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend',
              '<input type="text" id="nolabel"><p id="faint">schwach lesbar</p>');
            // Through the CSSOM: the Content-Security-Policy refuses style attributes.
            const faint = document.getElementById('faint');
            faint.style.color = '#bbb';
            faint.style.background = '#fff';
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        axe.check(page)
    assert "label" in str(failure.value)
    assert "color-contrast" in str(failure.value)


def test_an_inline_script_or_style_is_refused_and_reported(page, chromium):
    """The policy holds in the browser, and the watch on it can fail."""
    page.goto("/login")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend', '<p id="styled" style="color: red">x</p>');
            const script = document.createElement('script');
            script.textContent = 'window.injected = true;';
            document.body.appendChild(script);
        }"""
    )
    assert page.evaluate("window.injected === undefined")
    assert page.evaluate("getComputedStyle(document.getElementById('styled')).color") != (
        "rgb(255, 0, 0)"
    )
    page.wait_for_timeout(100)
    refused = [text for text in chromium.violations if "Content Security Policy" in text]
    assert any("script" in text for text in refused), chromium.violations
    assert any("style" in text for text in refused), chromium.violations
    chromium.violations.clear()  # caused on purpose
