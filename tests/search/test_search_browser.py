"""The search in Chromium: from the box in the header to the TOP found, on a desktop and on a
phone, each page passing axe-core and nothing wider than the phone."""

import pytest
from playwright.sync_api import expect

from eventsys.extensions import db
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_searching_from_the_header_lands_on_the_top(page, staff, platform, axe, viewport):
    staff.secretariat.language = "en"  # the German texts arrive with the next catalogue merge
    platform.decision.text = "Ein <b>Beschluss</b> zur Datenstrategie"
    db.session.commit()
    page.set_viewport_size(viewport)
    page.goto("/login")
    page.get_by_label("E-Mail-Adresse").fill(staff.secretariat.email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_label("Passwort").press("Enter")
    page.wait_for_url("**/")

    box = page.get_by_role("searchbox", name="Search minutes, charters and comments")
    box.fill("Datenstrategie")
    box.press("Enter")
    page.wait_for_url("**/search?q=Datenstrategie")

    expect(page.get_by_role("status")).to_contain_text("4 results for “Datenstrategie”")
    expect(page.locator("mark").first).to_be_visible()
    expect(page.get_by_text("Ein <b>Beschluss</b> zur")).to_be_visible()  # shown, not markup
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    axe.check(page)

    page.get_by_role("link", name="Item 2: Kommunale Datenstrategien").first.click()
    page.wait_for_url(f"**/minutes/session/{platform.session.id}#top-2")
    expect(page.locator("#top-2")).to_be_in_viewport()


def test_nothing_found_and_an_empty_search(page, staff, platform, axe):
    staff.secretariat.language = "en"
    db.session.commit()
    page.set_viewport_size(PHONE)
    page.goto("/login")
    page.get_by_label("E-Mail-Adresse").fill(staff.secretariat.email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_label("Passwort").press("Enter")
    page.wait_for_url("**/")

    page.goto("/search")
    expect(page.get_by_role("status")).to_have_text("Please enter a word to search for.")
    axe.check(page)
    page.get_by_role("searchbox", name="Search for").fill('"Raumfahrt NEAR(*')
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(page.get_by_role("status")).to_contain_text("Nothing was found")
    axe.check(page)
