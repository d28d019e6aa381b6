"""The whole way of minutes in real Chromium, as the secretariat, an attendee and an organiser
go it: attendance on a phone, writing the minutes, circulating them, a comment through the
mailed link, approval, and the PDF downloaded and read back. axe-core checks every page."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from eventsys.attendance import services as attendance
from eventsys.extensions import db
from eventsys.minutes.models import Minutes, MinutesComment, MinutesVersion
from eventsys.minutes.states import MinutesState
from eventsys.sessions.models import AgendaItem
from tests.conftest import TEST_PASSWORD, reading_english
from tests.invitations.conftest import (
    make_expert,
    make_organisation,
    make_session,
    text_of,
)

pytestmark = pytest.mark.browser

HELD_ON = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


@pytest.fixture
def app_config(mail_config) -> dict:
    return mail_config | {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def staff(staff):
    return reading_english(staff)


@pytest.fixture
def held(app):
    """A workshop held in March with three experts on its attendance list."""
    from eventsys.experts.stakeholders import StakeholderGroup

    koeln = make_organisation("Stadt Köln")
    bbsr = make_organisation("BBSR", StakeholderGroup.SCIENCE)
    anna = make_expert("Anna", "Schmidt", koeln, title="Dr.")
    bernd = make_expert("Bernd", "Vogel", bbsr)
    carla = make_expert("Carla", "Neumann", bbsr)
    session = make_session("Workshop Datenräume", starts_at=HELD_ON, hours=3)
    session.agenda_items.append(AgendaItem(position=2, title="Kommunale Datenräume"))
    db.session.flush()
    for expert in (anna, bernd, carla):
        attendance.add_expert(session, expert, None)
    db.session.commit()
    return session, anna, bernd, carla


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#password").press("Enter")
    page.get_by_role("heading", level=1, name="Overview").wait_for()


def mark(page, name: str, status: str) -> None:
    row = page.locator("[id^=attendee-]", has_text=name)
    row.locator(f"button[value={status}]").tap()
    expect(row.locator(f"button[value={status}]")).to_have_attribute("aria-pressed", "true")


def test_from_attendance_to_the_approved_pdf(
    chromium, live_server, page, staff, held, smtp_server, axe, tmp_path
):
    session, anna, bernd, _carla = held
    smtp_server.sink.received.clear()

    # On the day: the secretariat checks people in on a phone.
    phone_context = chromium.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport={"width": 375, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    try:
        phone = phone_context.new_page()
        sign_in(phone, staff.secretariat.email)
        phone.goto(f"/sessions/{session.id}/attendance/check-in")
        mark(phone, "Anna Schmidt", "present")
        mark(phone, "Carla Neumann", "present")
        mark(phone, "Bernd Vogel", "excused")
        axe.check(phone)
    finally:
        phone_context.close()

    # Afterwards: the minutes, with a decision, an action item and two recommendations.
    sign_in(page, staff.secretariat.email)
    page.goto(f"/minutes/session/{session.id}")
    page.get_by_role("heading", level=2, name="TOP 2: Kommunale Datenräume").wait_for()
    page.locator("#topics-1-discussion").fill("Die Teilnehmenden berichten über **Datenräume**.")
    page.get_by_role("button", name="Add a decision (TOP 2)").click()
    page.locator("#topics-1-decisions-0-text").fill("Die AG legt Eckpunkte vor.")
    page.get_by_role("button", name="Add an action item (TOP 2)").click()
    page.locator("#topics-1-action_items-0-text").fill("Eckpunkte entwerfen")
    page.locator("#topics-1-action_items-0-owner").select_option(value=f"expert:{anna.id}")
    page.locator("#topics-1-action_items-0-due_date").fill("2026-04-30")
    for index, (text, chapter) in enumerate(
        [("Kommunale Datenräume fördern", "3"), ("Datenkompetenz aufbauen", "4")]
    ):
        page.get_by_role("button", name="Add a recommendation (TOP 2)").click()
        page.locator(f"#topics-1-recommendations-{index}-text").fill(text)
        page.locator(f"#topics-1-recommendations-{index}-guideline").select_option(
            index=int(chapter)
        )
        page.locator(f"#topics-1-recommendations-{index}-actors").fill("Kommunen")
    page.get_by_role("button", name="Save").first.click()
    expect(page.locator("#save-status")).to_contain_text(re.compile("[Ss]aved"))
    axe.check(page)

    # Circulated to those who were there, with a last day for comments.
    last_day = (datetime.now(UTC) + timedelta(days=14)).date()
    page.locator("#workflow input[type=date]").fill(last_day.isoformat())
    page.get_by_role("button", name="Send to the attendees for comments").click()
    # First who gets mail; nothing is sent until the organiser confirms.
    expect(page.locator("#mail-preview")).to_contain_text("2 people receive")
    assert smtp_server.sink.messages_to(anna.email) == []
    axe.check(page)
    page.get_by_role("button", name="Send the draft").click()
    expect(page.get_by_text("The draft was sent to 2 attendees for comments.")).to_be_visible()
    assert smtp_server.sink.messages_to(bernd.email) == []
    [mail] = smtp_server.sink.messages_to(anna.email)
    link = re.search(r"https?://\S+/minutes/read/\S+", text_of(mail)).group(0)

    # An attendee comments on TOP 2 through the link, without an account.
    reader_context = chromium.new_context(base_url=live_server.url, locale="de-DE")
    try:
        reader = reader_context.new_page()
        reader.goto(link)
        reader.get_by_role("heading", name="TOP 2: Kommunale Datenräume").wait_for()
        expect(reader.get_by_text(f"E-{session.id}.2.2")).to_be_visible()
        axe.check(reader)
        reader.get_by_label("Ihr Kommentar zu TOP 2").fill("Bitte „Eckpunkte“ durch „Leitfaden“.")
        reader.locator(f"#comment-{_topic_id(session.id, 2)}").press("Tab")
        reader.locator("section#top-2").get_by_role("button", name="Kommentar senden").click()
        expect(reader.get_by_text("Vielen Dank – Ihr Kommentar ist eingegangen.")).to_be_visible()
    finally:
        reader_context.close()
    comment = db.session.scalar(db.select(MinutesComment))
    assert comment.expert_id == anna.id and comment.topic.position == 2

    # An organiser approves; the PDF is stored once and downloaded as stored.
    organiser_context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    try:
        organiser = organiser_context.new_page()
        sign_in(organiser, staff.organiser.email)
        organiser.goto(f"/minutes/session/{session.id}")
        organiser.get_by_role("button", name="Approve version 1").click()
        # Asked once, while comments are still possible and Anna's is not dealt with.
        expect(organiser.get_by_text("1 comment has not been dealt with yet.")).to_be_visible()
        expect(organiser.get_by_text("The attendees can still comment until")).to_be_visible()
        axe.check(organiser)
        organiser.get_by_role("button", name="Approve all the same").click()
        expect(organiser.get_by_text("Version 1 is approved and frozen")).to_be_visible()
        axe.check(organiser)
        with organiser.expect_download() as download_info:
            organiser.get_by_role("link", name="PDF of version 1").click()
        path = tmp_path / "minutes.pdf"
        download_info.value.save_as(path)

        organiser.goto(f"/minutes/session/{session.id}/comments")
        expect(organiser.get_by_text("Bitte „Eckpunkte“ durch „Leitfaden“.")).to_be_visible()
        axe.check(organiser)
        organiser.goto("/minutes/?year=2026")
        expect(organiser.get_by_role("link", name="Version 1 (PDF)")).to_be_visible()
        axe.check(organiser)
    finally:
        organiser_context.close()

    db.session.expire_all()
    version = db.session.scalar(db.select(MinutesVersion))
    assert version.minutes.state is MinutesState.APPROVED
    pdf = path.read_bytes()
    assert pdf == version.pdf
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "Workshop Datenräume",
        "Anna Schmidt",
        "Bernd Vogel",
        "Die AG legt Eckpunkte vor.",
        "Eckpunkte entwerfen",
        f"E-{session.id}.2.1",
        f"E-{session.id}.2.2",
        "Kommunale Datenräume fördern",
        "Seite 1 von",
    ):
        assert expected in text, expected
    assert "ENTWURF" not in text


def _topic_id(session_id: int, position: int) -> int:
    minutes = db.session.scalar(db.select(Minutes).where(Minutes.session_id == session_id))
    db.session.refresh(minutes)
    return next(topic.id for topic in minutes.topics if topic.position == position)
