"""The invitation mail as INTEROP.md describes it, as it arrives at a real SMTP server."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from eventsys.experts.models import Expert, Organisation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.states import SessionKind, SessionStatus


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def session_with_expert(app):
    organisation = Organisation(
        name="Stadt Köln", stakeholder_group=StakeholderGroup.MUNICIPALITIES
    )
    expert = Expert(
        title="Dr.",
        first_name="Jürgen",
        last_name="Müller",
        email="juergen@example.org",
        organisation=organisation,
    )
    start = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)
    session = Session(
        title="Workshop Datenräume – Köln",
        kind=SessionKind.WORKSHOP,
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        status=SessionStatus.CONFIRMED,
        venue_address="Rathausplatz 1, 50667 Köln",
        venue_room="Ratssaal",
        rsvp_deadline=start - timedelta(days=7),
    )
    session.agenda_items.append(AgendaItem(position=1, title="Begrüßung", duration_minutes=15))
    db.session.add_all([organisation, expert, session])
    db.session.commit()
    return session, expert


def test_invitation_arrives_as_an_imip_request(session_with_expert, smtp_server):
    session, expert = session_with_expert
    services.invite_experts(session, [expert])
    db.session.commit()
    (message,) = smtp_server.sink.messages_to("juergen@example.org")
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    kinds = [part.get_content_type() for part in alternative.get_payload()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    calendar_part = alternative.get_payload()[2]
    assert calendar_part.get_param("method") == "REQUEST"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_filename() == "invite.ics"
    raw = calendar_part.get_payload(decode=True)
    assert raw == attachment.get_payload(decode=True)
    parsed = icalendar.Calendar.from_ical(raw)
    event = parsed.walk("VEVENT")[0]
    assert str(parsed["METHOD"]) == "REQUEST"
    # The invitee's own entry: the session's UID with an unguessable part.
    (invitation,) = services.invitations_of(session)
    assert str(event["UID"]) == invitation.ical_uid != session.ical_uid
    assert invitation.ical_uid.startswith(session.ical_uid.split("@")[0] + "-")
    assert event["SEQUENCE"] == 0
    attendee = event["ATTENDEE"]
    assert str(attendee).lower() == "mailto:juergen@example.org"
    assert attendee.params["RSVP"] == "TRUE" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert str(event["ORGANIZER"]) == "mailto:einladungen@dialogplattform.example"
    assert "einladungen@dialogplattform.example" in message["From"]
    text = alternative.get_payload()[0].get_content()
    assert "10:00 Uhr" in text and "Begrüßung" in text and "/rsvp/" in text
