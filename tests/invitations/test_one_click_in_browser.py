"""In real Chromium, as the expert and the organiser live it: "Zusagen" in a received mail
opens a phone screen that records the answer with one button, a decline by link brings a
CANCEL, and moving the session shows first who gets mail. axe-core checks every page, at phone
size and on a desktop."""

import re
import time
from datetime import timedelta

import pytest

from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.sessions import agenda
from tests.conftest import TEST_PASSWORD
from tests.invitations.conftest import (
    invitation_of,
    make_session,
    method_and_sequence,
    rsvp_path,
    text_of,
)
from tests.invitations.test_browser import sign_in
from tests.invitations.test_deputies_in_browser import DESKTOP, PHONE, fits_the_screen

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(mail_config):
    return mail_config


def wait_until(page, expression: str, seconds: float = 5) -> None:
    """Poll `expression` in the page until it is true (page.wait_for_function would evaluate it
    with eval, which the Content-Security-Policy rightly refuses)."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {seconds} s: {expression}"
        time.sleep(0.05)


def link_in(mail, label: str) -> str:
    return re.search(rf"^{label}: (\S+)", text_of(mail), re.M).group(1)


def test_zusagen_in_the_mail_is_confirmed_on_the_first_phone_screen(
    chromium, live_server, platform, smtp_server, axe
):
    session = platform.session
    session.online_url = "https://konferenz.example.org/raum/datenraeume-und-gemeinwohl-2030"
    other = make_session("Plenum Smart Cities", starts_at=session.starts_at + timedelta(days=7))
    db.session.commit()
    services.invite_experts(session, [platform.anna])
    services.invite_experts(other, [platform.anna])
    db.session.commit()
    invitation_mail, other_mail = smtp_server.sink.messages_to(platform.anna.email)

    expert = chromium.new_context(locale="de-DE", viewport=PHONE)
    try:
        answer_page = expert.new_page()
        answer_page.goto(link_in(invitation_mail, "Zusagen"))
        button = answer_page.get_by_role("button", name="Zusage bestätigen")
        answer_page.get_by_role("heading", name="Ihre Antwort: Zusage").wait_for()
        box = button.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"]  # on the first screen
        assert (
            "Montag, 1. Juli 2030, 10:00–16:00 Uhr"
            in answer_page.locator(".session-when").inner_text()
        )
        assert fits_the_screen(answer_page)
        axe.check(answer_page)
        assert len(smtp_server.sink.messages_to(platform.anna.email)) == 2  # opening is no answer

        button.click()
        answer_page.get_by_role("status").get_by_text("Ihre Zusage ist gespeichert").wait_for()
        assert "Sie können Ihre Antwort" in answer_page.get_by_role("status").inner_text()
        assert answer_page.get_by_role("button", name="Zusage bestätigen").count() == 0
        assert fits_the_screen(answer_page)
        axe.check(answer_page)
        confirmation = smtp_server.sink.messages_to(platform.anna.email)[-1]
        assert str(confirmation["Subject"]) == "Ihre Antwort: Workshop Datenräume"
        assert method_and_sequence(confirmation) == ("REQUEST", 0)

        # Declining the other session takes its entry out of her calendar.
        answer_page.goto(link_in(other_mail, "Absagen"))
        answer_page.get_by_role("button", name="Absage bestätigen").click()
        answer_page.get_by_role("status").get_by_text("Ihre Absage ist gespeichert").wait_for()
        axe.check(answer_page)
    finally:
        expert.close()
    removal = smtp_server.sink.messages_to(platform.anna.email)[-1]
    assert str(removal["Subject"]) == "Ihre Antwort: Plenum Smart Cities"
    assert method_and_sequence(removal) == ("CANCEL", 1)


def test_a_refused_answer_puts_focus_and_view_on_the_error_summary(
    chromium, live_server, platform, axe
):
    services.invite_experts(platform.session, [platform.anna])
    db.session.commit()
    expert = chromium.new_context(locale="de-DE", base_url=live_server.url, viewport=PHONE)
    try:
        answer_page = expert.new_page()
        answer_page.goto(rsvp_path(invitation_of(platform.session, platform.anna)))
        answer_page.get_by_label("Ich schicke stattdessen eine Vertretung").check()
        answer_page.get_by_role("button", name="Antwort senden").click()
        summary = answer_page.locator(".error-summary")
        summary.wait_for()
        wait_until(answer_page, "document.activeElement.classList.contains('error-summary')")
        box = summary.bounding_box()
        assert -1 <= box["y"] < PHONE["height"]  # scrolled to it, give or take a sub-pixel
        assert fits_the_screen(answer_page)
        axe.check(answer_page)
    finally:
        expert.close()


def test_moving_the_session_shows_who_gets_mail_before_anything_is_sent(
    page, live_server, staff, platform, smtp_server, axe
):
    session = platform.session
    session.organisers = [staff.organiser]
    staff.organiser.language = "de"
    db.session.commit()
    services.invite_experts(session, [platform.anna, platform.bernd, platform.claire])
    db.session.commit()
    received = len(smtp_server.sink.received)

    page.set_viewport_size(PHONE)
    page.goto("/login")
    page.locator("#email").fill(staff.organiser.email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.get_by_role("heading", level=1, name="Übersicht").wait_for()
    page.goto(f"/sessions/{session.id}/edit")
    page.locator("#start_time").fill("11:00")
    page.locator("#end_time").fill("17:00")
    page.get_by_role("button", name="Speichern", exact=True).click()

    preview = page.locator("#mail-preview")
    preview.get_by_text("3 Personen erhalten „Geändert: Workshop Datenräume“").wait_for()
    wait_until(page, "document.activeElement.id === 'mail-preview'")
    assert "bisher: 10:00–16:00 Uhr" in preview.inner_text()
    assert len(smtp_server.sink.received) == received
    assert fits_the_screen(page)
    axe.check(page)
    page.set_viewport_size(DESKTOP)
    axe.check(page)

    page.get_by_role("button", name="Speichern und senden").click()
    page.get_by_role("status").get_by_text("Die Sitzung wurde gespeichert.").wait_for()
    update = smtp_server.sink.messages_to(platform.anna.email)[-1]
    assert "Uhrzeit: 11:00–17:00 Uhr (bisher: 10:00–16:00 Uhr)" in text_of(update)
    assert len(smtp_server.sink.received) == received + 3


def test_an_edited_agenda_is_sent_after_a_look_at_who_gets_mail(
    page, live_server, staff, platform, smtp_server, axe
):
    session = platform.session
    session.organisers = [staff.organiser]
    db.session.commit()
    services.invite_experts(session, [platform.anna, platform.claire])
    db.session.commit()
    agenda.add_agenda_item(
        session, agenda.AgendaItemDetails(title="Datenräume in der Praxis", duration_minutes=45)
    )
    db.session.commit()
    received = len(smtp_server.sink.received)

    page.set_viewport_size(PHONE)
    sign_in(page, staff.organiser.email)
    page.goto(f"/sessions/{session.id}")
    page.get_by_role("button", name="Send the new agenda to the invitees").wait_for()
    assert fits_the_screen(page)
    axe.check(page)
    page.get_by_role("button", name="Send the new agenda to the invitees").click()

    page.get_by_role("heading", level=1, name="Send the new agenda").wait_for()
    assert (
        "2 people receive “Geändert: Workshop Datenräume”"
        in page.locator("#mail-preview").inner_text()
    )
    assert len(smtp_server.sink.received) == received
    assert fits_the_screen(page)
    axe.check(page)
    page.set_viewport_size(DESKTOP)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    axe.check(page)

    page.get_by_role("button", name="Send the update").click()
    page.get_by_role("status").get_by_text("The new agenda is on its way to 2 invitees.").wait_for()
    assert len(smtp_server.sink.received) == received + 2
