"""Per session, organisers can stop Outlook from offering "Propose new time": the invitation's
calendar then carries X-MICROSOFT-DISALLOW-COUNTER:TRUE, read back with independent parsers."""

import re
from email.message import EmailMessage

import icalendar
import pytest
import sqlalchemy as sa
import vobject

from eventsys.extensions import db
from eventsys.sessions.models import Session
from tests.conftest import sign_in
from tests.invitations.test_calendar_parsers import read_with_icaljs
from tests.invitations.test_mail_delivery import invite_through_the_pages
from tests.sessions.factories import session_form


@pytest.fixture
def app_config(mail_config):
    return mail_config


def calendar_part(message: EmailMessage) -> bytes:
    (part,) = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    return part.get_payload(decode=True)


def create_session_through_the_page(client, organiser, title: str, blocked: bool) -> Session:
    data = session_form(organiser, title=title, start_date="2029-07-01")
    if blocked:
        data["counter_proposals_blocked"] = "y"
    response = client.post("/sessions/new", data=data)
    assert response.status_code == 302, response.text
    return db.session.scalar(sa.select(Session).where(Session.title == title))


@pytest.mark.parametrize("blocked", [True, False], ids=["blocked", "allowed"])
def test_the_invitation_says_whether_outlook_may_propose_a_new_time(
    client, staff, platform, smtp_server, blocked
):
    sign_in(client, staff.organiser)
    session = create_session_through_the_page(client, staff.organiser, "Plenum Charta", blocked)
    assert session.counter_proposals_blocked is blocked
    edit_page = client.get(f"/sessions/{session.id}/edit").text
    (checkbox,) = re.findall(r'<input[^>]*id="counter_proposals_blocked"[^>]*>', edit_page)
    assert (" checked " in checkbox) is blocked

    invite_through_the_pages(client, session, [platform.anna])

    (message,) = smtp_server.sink.messages_to(platform.anna.email)
    ics = calendar_part(message)
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    checked = vobject.readOne(ics.decode("utf-8"), validate=True).vevent
    if blocked:
        assert str(event["X-MICROSOFT-DISALLOW-COUNTER"]) == "TRUE"
        assert checked.contents["x-microsoft-disallow-counter"][0].value == "TRUE"
        assert b"\r\nX-MICROSOFT-DISALLOW-COUNTER:TRUE\r\n" in ics
    else:
        assert "X-MICROSOFT-DISALLOW-COUNTER" not in event
        assert "x-microsoft-disallow-counter" not in checked.contents
    # Thunderbird's parser reads the invitation as before.
    assert read_with_icaljs(ics)["method"] == "REQUEST"


def test_the_setting_can_be_turned_off_again(client, staff, platform):
    sign_in(client, staff.organiser)
    session = create_session_through_the_page(client, staff.organiser, "Plenum Charta", True)

    response = client.post(
        f"/sessions/{session.id}/edit",
        data=session_form(staff.organiser, title="Plenum Charta", start_date="2029-07-01"),
    )

    assert response.status_code == 302
    db.session.refresh(session)
    assert session.counter_proposals_blocked is False
