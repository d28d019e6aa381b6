"""In real Chromium: an organiser invites, the expert answers from the link in the mail that
arrived at the SMTP server, and the organiser sees the answer. axe-core checks every page."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.states import Channel, Response
from eventsys.outbox.models import DeliveryState, OutboxMessage
from tests.conftest import TEST_PASSWORD
from tests.invitations.conftest import invitation_of, make_expert, rsvp_path, text_of

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config(mail_config):
    return mail_config


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.get_by_role("heading", level=1, name="Overview").wait_for()


def test_an_expert_answers_from_the_mail_and_the_organiser_sees_it(
    page, chromium, live_server, staff, platform, smtp_server, axe
):
    platform.session.organisers = [staff.organiser]
    db.session.commit()
    sign_in(page, staff.organiser.email)

    page.goto(f"/sessions/{platform.session.id}")
    page.get_by_role("link", name="Invitations and answers").click()
    page.get_by_role("heading", level=1, name="Invitations: Workshop Datenräume").wait_for()
    axe.check(page)
    page.get_by_role("link", name="Invite experts").click()
    axe.check(page)
    page.get_by_label("Find experts by name, e-mail address or organisation").fill("Tremblay")
    page.get_by_role("button", name="Search", exact=True).click()
    axe.check(page)
    page.get_by_label("Tremblay, Claire (Housing Canada)").check()
    page.get_by_role("button", name="Preview the invitation").click()
    page.get_by_role("heading", name="The mail in English").wait_for()
    assert "Monday, 1 July 2030" in page.locator("#mail-en").inner_text()
    assert smtp_server.sink.messages_to(platform.claire.email) == []
    axe.check(page)
    page.get_by_role("button", name="Send 1 invitation").click()
    page.get_by_role("status").get_by_text("1 invitation sent.").wait_for()
    axe.check(page)

    (mail,) = smtp_server.sink.messages_to(platform.claire.email)
    link = re.search(r"Tentative: (\S+)", text_of(mail)).group(1)
    assert link.startswith(live_server.url + "/rsvp/")

    expert = chromium.new_context(locale="en-CA")
    try:
        answer_page = expert.new_page()
        answer_page.goto(link)
        answer_page.get_by_role("heading", level=1, name="Workshop Datenräume").wait_for()
        assert answer_page.get_by_label("I accept with reservation").is_checked()
        answer_page.get_by_role("button", name="Confirm acceptance with reservation").wait_for()
        assert "Toronto time;" in answer_page.locator("main").inner_text()
        axe.check(answer_page)
        answer_page.get_by_label("Comment (optional)").fill("I can only stay until 14:00.")
        answer_page.get_by_role("button", name="Send my answer").click()
        answer_page.get_by_role("status").get_by_text(
            "Your acceptance with reservation has been recorded."
        ).wait_for()
        assert "Tentative" in answer_page.locator("#current-answer").inner_text()
        axe.check(answer_page)
    finally:
        expert.close()

    page.reload()
    row = page.get_by_role("row", name=re.compile("Tremblay, Claire"))
    assert "Tentative" in row.inner_text()
    assert "I can only stay until 14:00." in row.inner_text()
    assert "Link in the mail" in row.inner_text()
    axe.check(page)


def open_all_details(page) -> None:
    """Unfold the history and the hand-set answer forms, so that axe checks them too."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def test_every_state_of_the_pages_passes_the_accessibility_check(
    page, chromium, live_server, staff, platform, axe
):
    session = platform.session
    session.capacity = 1
    session.online_url = "https://konferenz.example.org/raum"
    platform.claire.deputy = platform.bernd
    eve = make_expert("Eve", "Martin", platform.canada, language="en")
    db.session.commit()
    services.invite_experts(session, [platform.anna, platform.bernd, platform.claire, eve])
    services.record_answer(invitation_of(session, platform.anna), Response.ACCEPTED, Channel.LINK)
    services.record_answer(invitation_of(session, eve), Response.ACCEPTED, Channel.LINK)
    services.session_moved(session)
    services.record_answer(
        invitation_of(session, platform.bernd), Response.DECLINED, Channel.MANUAL, comment="Urlaub"
    )
    services.withdraw_invitation(invitation_of(session, platform.bernd))
    updates = sa.select(OutboxMessage).where(OutboxMessage.kind == "update")
    for message in db.session.scalars(updates):
        message.state = DeliveryState.FAILED
        message.attempts = 12
        message.last_error = "550 mailbox unavailable"
    db.session.commit()

    sign_in(page, staff.organiser.email)
    page.goto(f"/sessions/{session.id}/invitations")
    open_all_details(page)
    axe.check(page)

    expert = chromium.new_context(locale="en-CA", base_url=live_server.url)
    try:
        answer_page = expert.new_page()
        answer_page.goto(rsvp_path(invitation_of(session, platform.claire)))
        answer_page.get_by_label("I send a deputy instead").check()
        answer_page.get_by_label("Someone else:").check()
        answer_page.get_by_role("button", name="Send my answer").click()
        answer_page.get_by_role("alert").wait_for()
        axe.check(answer_page)

        session.rsvp_deadline = utcnow() - timedelta(minutes=1)
        db.session.commit()
        answer_page.goto(rsvp_path(invitation_of(session, eve)))
        answer_page.get_by_text("The deadline for answers passed").wait_for()
        axe.check(answer_page)

        response = answer_page.goto("/rsvp/not-a-valid-link")
        assert response.status == 404
        axe.check(answer_page)
    finally:
        expert.close()
