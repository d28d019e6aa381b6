"""In real Chromium, at phone size and on a desktop: the session page with the answers since
the last visit and the organiser's choice of notices, and the session form with the setting
for Outlook's "Propose new time". axe-core checks every page."""

from datetime import UTC, datetime, timedelta

import pytest

from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.states import Channel, Response
from eventsys.notices.models import AnswerNoticePreference, NoticeChoice
from eventsys.sessions.visits import SessionVisit
from tests.invitations.test_browser import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_the_organiser_sees_new_answers_and_chooses_notices_on_phone_and_desktop(
    page, notified, axe
):
    url = f"/sessions/{notified.session.id}"
    # The English organiser was here an hour ago; two answers came in since.
    db.session.add(
        SessionVisit(
            user_id=notified.english.id,
            session_id=notified.session.id,
            visited_at=datetime.now(UTC) - timedelta(hours=1),
        )
    )
    db.session.commit()
    services.record_answer(
        notified.invitation(notified.platform.anna), Response.ACCEPTED, Channel.LINK
    )
    services.record_answer(
        notified.invitation(notified.platform.claire), Response.DECLINED, Channel.CALENDAR
    )
    db.session.commit()

    sign_in(page, notified.english.email)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(url)
        recent = page.get_by_role("region", name="New since your last visit")
        if viewport is DESKTOP:
            assert "Dr. Anna Schmidt" in recent.inner_text()
            assert "Claire Tremblay" in recent.inner_text()
        assert fits_the_screen(page)
        axe.check(page)

        choice = page.get_by_role("group", name="How do you want to hear about answers")
        wanted = (
            "A mail for each answer"
            if viewport is DESKTOP
            else "No mail; I look on the session page"
        )
        choice.get_by_label(wanted).check()
        page.get_by_role("button", name="Save choice").click()
        page.get_by_role("status").first.wait_for()
        assert choice.get_by_label(wanted).is_checked()
        assert fits_the_screen(page)
        axe.check(page)

    stored = db.session.get(AnswerNoticePreference, (notified.english.id, notified.session.id))
    db.session.refresh(stored)
    assert stored.choice == NoticeChoice.NONE


def test_the_session_form_offers_to_stop_propose_new_time(page, notified, axe):
    sign_in(page, notified.english.email)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"/sessions/{notified.session.id}/edit")
        setting = page.get_by_label("Do not let Outlook offer “Propose new time”")
        assert not setting.is_checked()
        assert fits_the_screen(page)
        axe.check(page)
    setting.check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", level=1, name="Workshop Datenräume").wait_for()
    db.session.refresh(notified.session)
    assert notified.session.counter_proposals_blocked is True
