"""The check-in page in real Chromium on a phone-sized screen (375 × 740): marking without a
reload, the search, the errors, the same page without JavaScript; axe-core on both pages."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from eventsys.attendance import services
from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.invitations.states import Channel, Response
from tests.conftest import TEST_PASSWORD, reading_english
from tests.invitations.conftest import invitation_of, make_expert

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
MIN_TARGET = 44  # px, the touch target size of WCAG 2.5.5


@pytest.fixture
def app_config() -> dict:
    """As in production: every form and every background mark carries its CSRF token."""
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def staff(staff):
    return reading_english(staff)


@pytest.fixture
def listed(platform):
    """Anna and Bernd accepted, Claire sent Erik Berg, and a guest came: all on the list."""
    session = platform.session
    erik = make_expert("Erik", "Berg", platform.canada)
    db.session.flush()
    invitations.invite_experts(session, [platform.anna, platform.bernd, platform.claire])
    for expert in (platform.anna, platform.bernd):
        invitations.record_answer(invitation_of(session, expert), Response.ACCEPTED, Channel.LINK)
    invitations.send_deputy(invitation_of(session, platform.claire), erik)
    services.prefill(session)
    services.add_guest(session, "Gustav Gast", "Zeitung am Ort", None, None)
    db.session.commit()
    platform.erik = erik
    return platform


def new_phone(chromium, live_server, javascript: bool = True):
    return chromium.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=javascript,
    )


@pytest.fixture
def phone(chromium, live_server) -> Iterator:
    context = new_phone(chromium, live_server)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.get_by_role("heading", level=1, name="Overview").wait_for()


def attendee(session, name: str) -> Attendee:
    db.session.expire_all()
    return next(a for a in services.attendees_of(session) if a.display_name == name)


def row_of(page, person: Attendee):
    return page.locator(f"#attendee-{person.id}")


def tap(page, person: Attendee, mark: str) -> None:
    row_of(page, person).get_by_role("button", name=re.compile(f"^{mark} ")).tap()


def assert_no_horizontal_scrolling(page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide on a {widths[1]} px screen"


def test_marking_on_a_phone_updates_the_rows_and_is_kept(phone, staff, listed, axe):
    session = listed.session
    anna = attendee(session, listed.anna.full_name)
    erik = attendee(session, listed.erik.full_name)
    guest = attendee(session, "Gustav Gast")
    sign_in(phone, staff.secretariat.email)

    phone.goto(f"/sessions/{session.id}/attendance/check-in")
    phone.get_by_role("heading", level=1, name="Check-in: Workshop Datenräume").wait_for()
    assert_no_horizontal_scrolling(phone)
    axe.check(phone)
    for button in phone.locator("button[name=status]").all():
        box = button.bounding_box()
        assert box["height"] >= MIN_TARGET and box["width"] >= MIN_TARGET, box
    search_box = phone.get_by_label("Find by name or organisation").bounding_box()
    assert search_box["height"] >= MIN_TARGET
    phone.evaluate("() => { window.notReloaded = true; }")

    tap(phone, anna, "present")
    tap(phone, erik, "absent")
    tap(phone, guest, "excused")

    expect(row_of(phone, anna).locator("[data-status-label]")).to_have_text("present")
    expect(row_of(phone, erik).locator("[data-status-label]")).to_have_text("absent")
    expect(row_of(phone, guest).locator("[data-status-label]")).to_have_text("excused")
    expect(
        row_of(phone, guest).get_by_role("button", name=re.compile("^excused "))
    ).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("#check-in-announcement")).to_have_text("Gustav Gast: excused.")
    expect(phone.locator('[data-count="present"]')).to_have_text("1")
    expect(phone.locator('[data-count="expected"]')).to_have_text("1")  # Bernd
    assert phone.evaluate("() => window.notReloaded === true")
    assert "standing in for Claire Tremblay" in row_of(phone, erik).inner_text()
    assert_no_horizontal_scrolling(phone)
    axe.check(phone)

    phone.reload()
    for person, mark in ((anna, "present"), (erik, "absent"), (guest, "excused")):
        row = row_of(phone, person)
        expect(row.locator("[data-status-label]")).to_have_text(mark)
        expect(row.get_by_role("button", name=re.compile(f"^{mark} "))).to_have_attribute(
            "aria-pressed", "true"
        )
    db.session.expire_all()
    marked = {a.display_name: a.status for a in services.attendees_of(session)}
    assert marked[listed.anna.full_name] == AttendanceStatus.PRESENT
    assert marked[listed.erik.full_name] == AttendanceStatus.ABSENT
    assert marked["Gustav Gast"] == AttendanceStatus.EXCUSED
    assert marked[listed.bernd.full_name] == AttendanceStatus.EXPECTED


def test_the_search_narrows_the_list_ignoring_case_and_accents(phone, staff, listed, axe):
    session = listed.session
    sign_in(phone, staff.organiser.email)
    phone.goto(f"/sessions/{session.id}/attendance/check-in")
    rows = phone.locator("[data-attendee]")
    expect(rows).to_have_count(5)

    search = phone.get_by_label("Find by name or organisation")
    search.fill("koln")  # Stadt Köln
    expect(rows.locator("visible=true")).to_have_count(1)
    expect(rows.locator("visible=true").first).to_contain_text(listed.anna.full_name)
    expect(phone.locator("#check-in-shown")).to_have_text("1 of 5 shown")

    search.fill("ZEITUNG")
    expect(rows.locator("visible=true")).to_have_count(1)
    expect(rows.locator("visible=true").first).to_contain_text("Gustav Gast")

    search.fill("niemand")
    expect(rows.locator("visible=true")).to_have_count(0)
    expect(phone.get_by_text("Nobody on the list matches the search.")).to_be_visible()
    axe.check(phone)

    search.fill("")
    expect(rows.locator("visible=true")).to_have_count(5)


def test_failed_marks_are_announced_in_the_alert_region(phone, staff, listed):
    session = listed.session
    guest = attendee(session, "Gustav Gast")
    sign_in(phone, staff.organiser.email)
    phone.goto(f"/sessions/{session.id}/attendance/check-in")
    services.remove_added(db.session.get(Attendee, guest.id))  # on another device, meanwhile
    db.session.commit()

    tap(phone, guest, "present")

    alert = phone.locator("#check-in-problem")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_have_text("This person is not on the list of this session.")
    expect(row_of(phone, guest).locator("[data-status-label]")).to_have_text("present")
    expect(row_of(phone, guest)).not_to_have_attribute("aria-busy", "true")

    anna = attendee(session, listed.anna.full_name)
    # One form holds the page's rows: its token is the one every tap sends.
    phone.locator("[data-mark-form] input[name=csrf_token]").evaluate("field => field.value = 'x'")
    tap(phone, anna, "present")
    expect(alert).to_have_text("The page has expired. Please reload it and mark again.")
    expect(row_of(phone, anna).locator("[data-status-label]")).to_have_text("expected")
    assert attendee(session, listed.anna.full_name).status == AttendanceStatus.EXPECTED


def test_without_javascript_each_button_is_a_form_that_comes_back_to_the_row(
    chromium, live_server, staff, listed
):
    session = listed.session
    bernd = attendee(session, listed.bernd.full_name)
    context = new_phone(chromium, live_server, javascript=False)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        sign_in(page, staff.secretariat.email)
        page.goto(f"/sessions/{session.id}/attendance/check-in")
        expect(page.get_by_label("Find by name or organisation")).to_be_hidden()

        tap(page, bernd, "excused")

        page.wait_for_url(re.compile(rf"/check-in#attendee-{bernd.id}$"))
        expect(page.get_by_role("status")).to_contain_text("Bernd Vogel: excused.")
        expect(row_of(page, bernd).locator("[data-status-label]")).to_have_text("excused")
        assert_no_horizontal_scrolling(page)
    finally:
        context.close()
    assert attendee(session, listed.bernd.full_name).status == AttendanceStatus.EXCUSED


def test_the_list_page_passes_the_accessibility_check(phone, page, staff, listed, axe):
    session = listed.session
    services.mark(attendee(session, listed.anna.full_name), AttendanceStatus.PRESENT, None)
    db.session.commit()
    sign_in(phone, staff.organiser.email)

    phone.goto(f"/sessions/{session.id}/attendance")
    phone.get_by_role("heading", level=1, name="Attendance list: Workshop Datenräume").wait_for()
    assert_no_horizontal_scrolling(phone)
    axe.check(phone)
    table = phone.get_by_role("table", name="Attendance by stakeholder group")
    assert "Cities, districts and municipalities" in table.inner_text()

    # A guest without a name: the form comes back with the message tied to the field.
    phone.get_by_role("button", name="Add guest").click()
    expect(phone.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("#name-error")).to_have_text("Please enter the guest's name.")
    axe.check(phone)

    sign_in(page, staff.organiser.email)
    page.goto(f"/sessions/{session.id}")
    page.get_by_role("link", name="Attendance list").click()
    page.get_by_role("heading", level=1, name="Attendance list: Workshop Datenräume").wait_for()
    axe.check(page)
    page.get_by_role("link", name="Check-in on the day").first.click()
    page.get_by_role("heading", level=1, name="Check-in: Workshop Datenräume").wait_for()
    axe.check(page)
