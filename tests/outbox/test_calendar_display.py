"""Admins read the calendar part of a message in plain words, next to the raw text."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from eventsys.calendar_reading import read_calendar_object
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.outbox import services as outbox
from eventsys.outbox.models import OutboxMessage
from eventsys.sessions.states import SessionStatus
from tests.conftest import page_text, sign_in
from tests.sessions.factories import make_expert, make_organisation, make_session

STARTS_AT = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)  # 10:00 in Berlin


@pytest.fixture
def admin_client(client, staff):
    """Signed in as an admin who reads English, so that labels are checked in their source."""
    staff.admin.language = "en"
    db.session.commit()
    return sign_in(client, staff.admin)


def invite_anna():
    expert = make_expert("Anna", "Schmidt", make_organisation("Stadt Köln"), title="Dr.")
    session = make_session(
        "Workshop Datenräume",
        starts_at=STARTS_AT,
        hours=6,
        status=SessionStatus.CONFIRMED,
        venue_address="Rathausplatz 1, 50667 Köln",
        venue_room="Ratssaal",
    )
    db.session.commit()
    invitations.invite_experts(session, [expert])
    db.session.commit()
    return session


def last_message_id(kind: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.max(OutboxMessage.id)).where(OutboxMessage.kind == kind)
    )


def test_invitation_calendar_is_shown_readably(app, admin_client):
    session = invite_anna()
    response = admin_client.get(f"/outbox/{last_message_id('invitation')}")
    assert response.status_code == 200
    text = page_text(response)
    assert "REQUEST" in text
    assert "Workshop Datenräume" in text
    assert "1 Jul 2030, 10:00 (Berlin time)" in text and "1 Jul 2030, 16:00" in text
    assert "Rathausplatz 1, 50667 Köln, Ratssaal" in text
    assert "<einladungen@dialogplattform.example>" in text
    assert "anna.schmidt@example.org NEEDS-ACTION REQ-PARTICIPANT TRUE" in text
    (invitation,) = invitations.invitations_of(session)
    assert invitation.ical_uid in text  # the invitee's own entry, not the session's shared UID
    assert "CONFIRMED" in text
    html = response.get_data(as_text=True)
    assert "<dt>Sequence</dt><dd>0</dd>" in html
    assert '<th scope="col">' in html and "<caption>" in html
    # The raw text as sent, too, and the HTML body in a sandbox.
    assert "BEGIN:VCALENDAR" in text and "METHOD:REQUEST" in text
    assert "<iframe" in html and " sandbox " in html


def test_cancellation_shows_method_status_and_sequence(app, admin_client):
    session = invite_anna()
    session.status = SessionStatus.CANCELLED
    invitations.session_cancelled(session)
    db.session.commit()
    response = admin_client.get(f"/outbox/{last_message_id('cancellation')}")
    text = page_text(response)
    assert "CANCEL" in text and "CANCELLED" in text
    assert "<dt>Sequence</dt><dd>1</dd>" in response.get_data(as_text=True)


def test_message_without_calendar_has_no_calendar_section(app, admin_client):
    outbox.queue("test", outbox.compose("anna@example.org", "Hallo", "Nur Text"))
    db.session.commit()
    html = admin_client.get(f"/outbox/{last_message_id('test')}").get_data(as_text=True)
    assert 'id="calendar-heading"' not in html


def test_unreadable_calendar_part_is_reported_and_shown_raw(app, admin_client):
    message = outbox.compose("anna@example.org", "Kaputt", "Text")
    message.add_alternative(
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:not-a-date\r\n",
        maintype="text",
        subtype="calendar",
        params={"method": "REQUEST"},
    )
    outbox.queue("test", message)
    db.session.commit()
    response = admin_client.get(f"/outbox/{last_message_id('test')}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="warning"' in html
    assert "DTSTART:not-a-date" in html


# --- reading times as written ---------------------------------------------------------------------

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REPLY\r\n"
    "BEGIN:VEVENT\r\nUID:x@test\r\nDTSTAMP:20300101T000000Z\r\n{times}\r\n"
    "ATTENDEE;PARTSTAT=ACCEPTED;CN=Anna:MAILTO:anna@example.org\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_utc_times_are_aware_and_the_attendee_address_loses_mailto():
    summary = read_calendar_object(CALENDAR.format(times="DTSTART:20300701T080000Z"))
    (event,) = summary.events
    assert summary.method == "REPLY"
    assert event.start.decoded == STARTS_AT and not event.start.is_floating
    assert event.end is None
    assert event.attendees[0].address == "anna@example.org"
    assert event.attendees[0].partstat == "ACCEPTED"


def test_floating_and_all_day_times_are_recognised():
    floating = read_calendar_object(CALENDAR.format(times="DTSTART:20300701T100000"))
    assert floating.events[0].start.is_floating
    all_day = read_calendar_object(CALENDAR.format(times="DTSTART;VALUE=DATE:20300701"))
    assert all_day.events[0].start.is_date
    assert all_day.events[0].start.decoded == date(2030, 7, 1)


def test_zoned_times_keep_their_tzid():
    times = "DTSTART;TZID=Europe/Berlin:20300701T100000"
    start = read_calendar_object(CALENDAR.format(times=times)).events[0].start
    assert start.tzid == "Europe/Berlin"
    assert start.decoded.astimezone(UTC) == STARTS_AT


def queue_calendar(calendar: bytes) -> int:
    message = outbox.compose("anna@example.org", "Termin", "Text")
    message.add_alternative(
        calendar, maintype="text", subtype="calendar", params={"method": "REQUEST"}
    )
    outbox.queue("test", message)
    db.session.commit()
    return last_message_id("test")


def test_times_that_cannot_be_placed_are_shown_as_written(app, admin_client):
    # A DTSTART that is no date used to fail the page; a zone we cannot name is not floating.
    message_id = queue_calendar(
        CALENDAR.format(
            times="DTSTART:not-a-date\r\nDTEND;TZID=Customized Time Zone 1:20300701T160000"
        ).encode()
    )
    response = admin_client.get(f"/outbox/{message_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<dt>Starts</dt><dd>not-a-date</dd>" in html
    assert "<dt>Ends</dt><dd>20300701T160000, TZID Customized Time Zone 1</dd>" in html
    assert 'class="warning"' not in html


def test_zoned_and_all_day_times_on_the_page(app, admin_client):
    times = "DTSTART;TZID=W. Europe Standard Time:20300701T100000\r\nDTEND;VALUE=DATE:20300702"
    response = admin_client.get(f"/outbox/{queue_calendar(CALENDAR.format(times=times).encode())}")
    text = page_text(response)
    assert "1 Jul 2030, 10:00 (Berlin time), TZID W. Europe Standard Time" in text
    assert "(all day)" in text
    assert "anna@example.org ACCEPTED" in text
