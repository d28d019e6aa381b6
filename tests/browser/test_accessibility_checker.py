"""The accessibility check itself must be able to fail, or a green run proves nothing."""

import pytest

pytestmark = pytest.mark.browser


def test_checker_reports_an_unlabelled_field_and_poor_contrast(page, axe):
    page.goto("/login")
    page.evaluate(
        """() => {
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend',
              '<input type="text" id="nolabel">' +
              '<p style="color:#bbb;background:#fff">schwach lesbar</p>');
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        axe.check(page)
    assert "label" in str(failure.value)
    assert "color-contrast" in str(failure.value)
