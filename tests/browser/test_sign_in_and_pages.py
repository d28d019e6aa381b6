"""In real Chromium: sign in, walk the main pages, switch language; axe-core checks each page."""

import pytest
from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


def sign_in_through_the_form(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/")


def test_admin_walks_every_main_page(page, staff, axe):
    page.goto("/login")
    axe.check(page)
    sign_in_through_the_form(page, staff.admin.email)
    assert page.get_by_role("heading", name="Übersicht").is_visible()
    axe.check(page)
    for link, heading in [
        ("Sitzungen", "Sitzungen"),
        ("Expertinnen und Experten", "Expertinnen und Experten"),
        ("Konten", "Konten"),
        ("Änderungsprotokoll", "Änderungsprotokoll"),
        ("Postausgang", "Postausgang"),
    ]:
        page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
            "link", name=link, exact=True
        ).click()
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        axe.check(page)
    page.get_by_role("link", name=staff.admin.name).click()
    expect(page.get_by_role("heading", name="Mein Konto")).to_be_visible()
    axe.check(page)


def test_switching_to_english_is_remembered(page, staff, axe):
    sign_in_through_the_form(page, staff.organiser.email)
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.goto("/sessions/")
    assert page.get_by_role("heading", level=1, name="Sessions").is_visible()
    axe.check(page)
    page.get_by_role("button", name="Deutsch").click()
    expect(page.get_by_role("heading", level=1, name="Sitzungen")).to_be_visible()


def test_error_pages_in_the_sites_look(page, staff, axe):
    sign_in_through_the_form(page, staff.secretariat.email)
    response = page.goto("/users")
    assert response.status == 403
    assert page.get_by_role("heading", name="Zugriff verweigert").is_visible()
    axe.check(page)
    response = page.goto("/experts/999999")
    assert response.status == 404
    assert page.get_by_role("heading", name="Seite nicht gefunden").is_visible()
    axe.check(page)
