"""The minutes editor in real Chromium: autosave with its status, rows added and removed in
place, two editors at once, and text kept in the browser through a crash. axe-core checks the
pages."""

import re

import pytest
from playwright.sync_api import expect

from eventsys.extensions import db
from eventsys.minutes import editing
from eventsys.minutes.models import Decision
from tests.conftest import TEST_PASSWORD, reading_english

pytestmark = pytest.mark.browser

SAVED = re.compile(r"Saved at \d\d:\d\d\.")


@pytest.fixture
def app_config():
    return {"MINUTES_AUTOSAVE_SECONDS": 1}


@pytest.fixture
def staff(staff):
    return reading_english(staff)


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.get_by_role("heading", level=1, name="Overview").wait_for()


def stored(session_id: int):
    """The minutes as the server has them now (the test's own session may hold older rows)."""
    db.session.rollback()
    db.session.expire_all()
    return editing.load_minutes(session_id)


def wait_for_stored(session_id: int, check, page) -> None:
    """Poll until the saved minutes pass `check` (autosave runs in the background)."""
    for _attempt in range(50):
        if check(stored(session_id)):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the minutes were not saved as expected")


def test_typing_is_saved_by_itself_and_rows_come_and_go_in_place(page, staff, record, axe):
    url = f"/minutes/session/{record.session.id}"
    sign_in(page, staff.secretariat.email)
    page.goto(url)
    page.get_by_role("heading", level=2, name="TOP 2: Datenstrategien der Kommunen").wait_for()
    axe.check(page)
    status = page.locator("#save-status")

    page.locator("#topics-1-discussion").fill("Die Kommunen berichten über ihre Datenstrategien.")

    expect(status).to_have_text(SAVED)
    minutes = stored(record.session.id)
    assert minutes.topics[1].discussion == "Die Kommunen berichten über ihre Datenstrategien."
    assert minutes.revision == 2

    page.get_by_role("button", name="Add a decision (TOP 2)").click()
    new_text = page.locator("#topics-1-decisions-2-text")
    expect(new_text).to_be_focused()
    assert page.url.endswith(url)  # added in place, without a round trip
    page.keyboard.type("Die Plattform richtet eine AG Daten ein.")
    wait_for_stored(record.session.id, lambda m: len(m.topics[1].decisions) == 3, page)
    new_id = stored(record.session.id).topics[1].decisions[2].id
    expect(page.locator("#topics-1-decisions-2-id")).to_have_value(str(new_id))
    expect(status).to_have_text(SAVED)
    axe.check(page)

    new_text.fill("Die Plattform richtet die AG Datenräume ein.")
    wait_for_stored(
        record.session.id,
        lambda m: m.topics[1].decisions[2].text == "Die Plattform richtet die AG Datenräume ein.",
        page,
    )
    assert [decision.id for decision in stored(record.session.id).topics[1].decisions][2] == new_id

    page.locator("[data-row='topics-1-decisions-0']").get_by_role(
        "button", name="Remove this decision"
    ).click()
    expect(page.locator("[data-row='topics-1-decisions-0']")).to_have_count(0)
    wait_for_stored(record.session.id, lambda m: len(m.topics[1].decisions) == 2, page)
    texts = [decision.text for decision in stored(record.session.id).topics[1].decisions]
    assert texts == [
        "Die Plattform vertagt Vorschlag 2b.",
        "Die Plattform richtet die AG Datenräume ein.",
    ]
    assert db.session.get(Decision, new_id) is not None

    page.reload()
    expect(page.locator("#topics-1-decisions-1-text")).to_have_value(
        "Die Plattform richtet die AG Datenräume ein."
    )
    expect(page.get_by_role("heading", name="Text that was not saved")).to_have_count(0)


def test_the_later_of_two_editors_sees_the_conflict_and_keeps_its_text(
    page, chromium, live_server, staff, record, axe
):
    url = f"/minutes/session/{record.session.id}"
    sign_in(page, staff.secretariat.email)
    page.goto(url)
    organiser_context = chromium.new_context(base_url=live_server.url, locale="de-DE")
    try:
        organiser = organiser_context.new_page()
        sign_in(organiser, staff.organiser.email)
        organiser.goto(url)
        organiser.locator("#topics-0-discussion").fill("Fassung der Organisatorin")
        organiser.get_by_role("button", name="Save").first.click()
        expect(organiser.get_by_role("status").get_by_text(SAVED).first).to_be_visible()
    finally:
        organiser_context.close()
    assert stored(record.session.id).topics[0].discussion == "Fassung der Organisatorin"

    page.locator("#topics-0-discussion").fill("Fassung der Geschäftsstelle")

    conflict = page.locator("#editor-conflict")
    expect(conflict).to_contain_text(f"{staff.organiser.name} saved these minutes on")
    expect(conflict).to_contain_text("Fassung der Organisatorin")
    expect(page.locator("#save-status")).to_have_text(
        "Not saved: someone else has changed these minutes (see above)."
    )
    expect(page.locator("#topics-0-discussion")).to_have_value("Fassung der Geschäftsstelle")
    assert stored(record.session.id).topics[0].discussion == "Fassung der Organisatorin"
    axe.check(page)

    # Having compared, the secretariat saves on purpose: now its text counts.
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status").get_by_text(SAVED).first).to_be_visible()
    minutes = stored(record.session.id)
    assert minutes.topics[0].discussion == "Fassung der Geschäftsstelle"
    assert minutes.revision == 3


def test_text_that_never_reached_the_server_is_offered_after_a_crash(page, staff, record, axe):
    url = f"/minutes/session/{record.session.id}"
    sign_in(page, staff.secretariat.email)
    page.goto(url)

    def server_unreachable(route):
        if route.request.method == "POST":
            route.abort()
        else:
            route.continue_()

    page.route(f"**{url}", server_unreachable)
    page.locator("#closing").fill("Die Sitzung endet um 16 Uhr.")
    expect(page.locator("#save-status")).to_contain_text("the server could not be reached")
    # As in a crash, nothing runs when the page goes: no last save when it is hidden.
    page.evaluate(
        "window.addEventListener('visibilitychange',"
        " event => event.stopImmediatePropagation(), true)"
    )
    page.close()
    assert stored(record.session.id).revision == 1

    again = page.context.new_page()
    again.goto(url)
    again.get_by_role("heading", name="Text that was not saved").wait_for()
    expect(again.locator("#closing")).to_have_value("Die Leitung dankt allen für die Mitarbeit.")
    axe.check(again)
    again.get_by_role("button", name="Restore and save it").click()

    expect(again.get_by_role("status").get_by_text(SAVED).first).to_be_visible()
    expect(again.locator("#closing")).to_have_value("Die Sitzung endet um 16 Uhr.")
    assert stored(record.session.id).closing == "Die Sitzung endet um 16 Uhr."
    again.reload()
    expect(again.get_by_role("heading", name="Text that was not saved")).to_have_count(0)
