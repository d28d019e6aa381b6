"""A long charter text in Chromium: the table of contents leads to the page where a chapter
starts, the pages pass axe-core on a phone and a desktop, and nothing is wider than the phone."""

import re

import pytest
from playwright.sync_api import expect

from tests.charters.test_provenance import freeze_as
from tests.charters.test_text_pages import lay_out
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_the_contents_lead_through_a_long_draft_and_version(page, staff, charter, workshops, axe):
    chapters = lay_out(charter, workshops)
    freeze_as(charter, 0, 1)
    page.goto("/login")
    page.get_by_label("E-Mail-Adresse").fill(staff.secretariat.email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_label("Passwort").press("Enter")
    page.wait_for_url("**/")

    page.goto(f"/charters/{charter.id}")
    contents = page.get_by_role("navigation", name="Inhalt")
    contents.get_by_role(
        "link", name=re.compile(rf"^4\. {re.escape(chapters[3].title_de)}")
    ).click()
    expect(page.locator(f"#chapter-{chapters[3].id}")).to_be_visible()
    assert "page=3" in page.url
    expect(page.get_by_text("Seite 3 von 3")).to_be_visible()

    for url in (f"/charters/{charter.id}?page=2", f"/charters/{charter.id}/versions/0.1?page=2"):
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            page.goto(url)
            expect(page.get_by_text("(Fortsetzung)").first).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            axe.check(page)
