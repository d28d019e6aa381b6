"""The secretariat's morning in Chromium: the overview's work lists lead to the work, the list
of action items closes one on a phone, and both pages pass axe-core on a phone and a desktop."""

import pytest
from freezegun import freeze_time
from playwright.sync_api import expect

from eventsys.extensions import db
from eventsys.minutes.models import ActionItem
from tests.conftest import TEST_PASSWORD
from tests.dashboard.test_work_lists import desk  # noqa: F401 (the fixture)
from tests.support.browser import DESKTOP, PHONE, sign_in_on_page

pytestmark = pytest.mark.browser


def sign_in(page, user) -> None:
    sign_in_on_page(page, user.email, TEST_PASSWORD)


@freeze_time("2026-04-25 08:00:00", tick=True)
def test_from_the_overview_to_the_work(page, staff, desk, axe):  # noqa: F811
    record, workshop = desk
    staff.secretariat.language = "de"
    db.session.commit()
    sign_in(page, staff.secretariat)

    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto("/")
        expect(page.get_by_role("heading", name="Zu erledigen")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        axe.check(page)

    # The workshop's answers lead to its reminders.
    answers = page.locator("#work-answers")
    expect(answers).to_contain_text("3 Zusagen, 1 auf der Warteliste, 1 Absage, 2 ohne Antwort")
    answers.get_by_role("link", name="Erinnern die Eingeladenen zu Workshop Datenräume").click()
    page.wait_for_url(f"**/sessions/{workshop.id}/reminders")

    # The minutes to write lead to their editor.
    page.goto("/")
    page.locator("#work-minutes-to-write").get_by_role(
        "link", name="5. Plenum der Dialogplattform"
    ).click()
    page.wait_for_url(f"**/minutes/session/{record.session.id}#workflow")

    # The overdue item leads to the list, where it is closed on a phone.
    page.set_viewport_size(PHONE)
    page.goto("/")
    page.locator("#work-action-items").get_by_role(
        "link", name="Leitfaden Datenräume vorlegen"
    ).click()
    page.wait_for_url("**/minutes/action-items?state=overdue#action-item-*")
    row = page.locator(f"#action-item-{record.still_open.id}")
    expect(row).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    axe.check(page)
    row.locator("summary").click()
    row.get_by_label("Notiz").fill("Der Leitfaden liegt vor.")
    row.get_by_role("button", name="als erledigt markieren").click()
    expect(page.get_by_text("ist erledigt.")).to_be_visible()
    expect(page.get_by_text("Keine Aufgaben gefunden.")).to_be_visible()
    db.session.expire_all()
    closed = db.session.get(ActionItem, record.still_open.id)
    assert closed.closed_by_id == staff.secretariat.id
    assert closed.closed_note == "Der Leitfaden liegt vor."

    page.set_viewport_size(DESKTOP)
    page.goto("/minutes/action-items?state=closed")
    expect(page.get_by_text("auf der Aufgabenliste, durch").first).to_be_visible()
    axe.check(page)
