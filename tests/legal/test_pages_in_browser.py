"""In real Chromium, at desktop and phone size: a visitor reaches each legal page from the
footer, an admin edits one; axe-core checks every page on the way."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_sign_in_and_pages import sign_in_through_the_form

pytestmark = pytest.mark.browser

FOOTER_LINKS = [
    ("Datenschutzerklärung", "/privacy"),
    ("Erklärung zur Barrierefreiheit", "/accessibility"),
    ("Impressum", "/imprint"),
]


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_visitor_reaches_each_page_from_the_footer(page, axe, viewport):
    width, height = viewport
    page.set_viewport_size({"width": width, "height": height})
    for name, path in FOOTER_LINKS:
        page.goto("/login")
        footer = page.get_by_role("navigation", name="Rechtliche Hinweise")
        footer.get_by_role("link", name=name).click()
        page.wait_for_url(f"**{path}")
        assert page.get_by_role("heading", level=1, name=name).is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe.check(page)


def test_an_admin_edits_the_imprint(page, axe, staff):
    sign_in_through_the_form(page, staff.admin.email)
    page.goto("/admin/legal/imprint")
    axe.check(page)
    page.get_by_label("Text auf Deutsch").fill("# Herausgeber\n\nBundesamt für Beispiele")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Der Text wurde gespeichert.")).to_be_visible()
    page.get_by_role("link", name="Seite ansehen").click()
    expect(page.get_by_text("Bundesamt für Beispiele")).to_be_visible()
    axe.check(page)
