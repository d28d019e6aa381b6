"""In real Chromium: plan a session with its agenda; axe-core checks every page on the way."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from eventsys.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.sessions.factories import make_session

pytestmark = pytest.mark.browser


def sign_in_in_english(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/")
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", level=1, name="Overview").wait_for()


def test_organiser_plans_a_session_with_its_agenda(page, staff, presenters, axe):
    sign_in_in_english(page, staff.organiser.email)
    page.get_by_role("link", name="New session").click()
    axe.check(page)

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").get_by_text("Please correct the following")).to_be_visible()
    axe.check(page)

    page.get_by_label("Title", exact=True).fill("Workshop Datenstrategien")
    page.get_by_label("Kind of session").select_option("workshop")
    page.get_by_label("Start date").fill("2027-07-01")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("12:00")
    page.get_by_label("Venue address").fill("Krausenstraße 17–18, 10117 Berlin")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", level=1, name="Workshop Datenstrategien").wait_for()
    assert "1 Jul 2027, 10:00 – 12:00" in page.locator(".facts").inner_text()
    axe.check(page)

    page.get_by_role("link", name="Add agenda item").click()
    axe.check(page)
    page.get_by_label("Title", exact=True).fill("Begrüßung")
    page.get_by_label("Duration in minutes").fill("15")
    page.get_by_role("button", name="Add to the agenda").click()
    page.get_by_role("link", name="Add agenda item").click()
    page.get_by_label("Title", exact=True).fill("Impuls: kommunale Datenstrategien")
    page.get_by_label("Presenter from the expert directory").select_option(
        label="Schmidt, Anna (Stadt Ulm)"
    )
    page.get_by_label("Duration in minutes").fill("120")
    page.get_by_role("button", name="Add to the agenda").click()

    agenda = page.get_by_role("table")
    assert re.search(r"TOP 2\s+10:15", agenda.inner_text())
    assert page.get_by_role("note").get_by_text("longer than the session").is_visible()
    axe.check(page)

    page.get_by_role("button", name="Move up TOP 2").click()
    rows = page.get_by_role("table").locator("tbody tr")
    assert "Impuls" in rows.nth(0).inner_text()
    assert "Dr. Anna Schmidt" in rows.nth(0).inner_text()
    page.get_by_role("button", name="Remove TOP 2").click()
    assert page.get_by_role("table").locator("tbody tr").count() == 1

    page.get_by_role("link", name="Copy as a new session").click()
    axe.check(page)
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Edit TOP 1").click()
    axe.check(page)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Sessions"
    ).click()
    expect(page.get_by_role("link", name="Workshop Datenstrategien")).to_be_visible()
    axe.check(page)


def test_secretariat_sees_the_session_without_planning_buttons(page, staff, axe):
    session = make_session(
        agenda_minutes=[30, 30], starts_at=datetime(2027, 11, 23, 13, 0, tzinfo=UTC)
    )
    db.session.commit()
    sign_in_in_english(page, staff.secretariat.email)

    page.goto(f"/sessions/{session.id}")

    assert page.get_by_role("table").locator("tbody tr").count() == 2
    assert page.get_by_role("button", name=re.compile("Move|Remove")).count() == 0
    axe.check(page)
