"""The expert's calendar shows their answer, and every change says what changed: confirmations
after a link answer, minor and major changes, the preview before a change mails anyone, and
online places in a hybrid session. Mail is read back from the real SMTP server, calendars with
the icalendar parser."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.states import AttendanceMode, Channel, Response
from eventsys.outbox.models import OutboxMessage
from tests.conftest import confirm_sending, page_text
from tests.invitations.conftest import (
    calendar_of,
    invitation_of,
    make_expert,
    method_and_sequence,
    rsvp_path,
    text_of,
)
from tests.sessions.factories import agenda_form, session_form


@pytest.fixture
def app_config(mail_config):
    return mail_config


def the_attendee(message):
    """(PARTSTAT, RSVP or None, address) of the one ATTENDEE in the mail's calendar."""
    (event,) = calendar_of(message).walk("VEVENT")
    attendee = event["ATTENDEE"]
    return attendee.params.get("PARTSTAT"), attendee.params.get("RSVP"), str(attendee)


def uid_of(message) -> str:
    return str(calendar_of(message).walk("VEVENT")[0]["UID"])


def outbox_size() -> int:
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))


def the_workshop_form(staff, **changes) -> dict:
    """The edit form of the platform's workshop as it stands (01.07.2030, 10:00–16:00 Uhr)."""
    fields = {
        "title": "Workshop Datenräume",
        "status": "confirmed",
        "start_date": "2030-07-01",
        "start_time": "10:00",
        "end_time": "16:00",
        "description": "",
        "venue_room": "",
    }
    fields.update(changes)
    return session_form(staff.organiser, **fields)


@pytest.fixture
def workshop(platform, staff):
    """The workshop with Anna (German), Bernd (German) and Claire (English, Toronto) invited,
    organised by the test's organiser."""
    session = platform.session
    session.organisers = [staff.organiser]
    db.session.commit()
    services.invite_experts(session, [platform.anna, platform.bernd, platform.claire])
    db.session.commit()
    return session


def test_an_acceptance_by_link_is_confirmed_with_the_calendar_entry(
    client, platform, workshop, smtp_server
):
    invitation = invitation_of(workshop, platform.claire)

    client.post(rsvp_path(invitation, "accepted"), data={"response": "accepted"})

    invited, confirmation = smtp_server.sink.messages_to(platform.claire.email)
    assert str(confirmation["Subject"]) == "Your answer: Workshop Datenräume"
    assert method_and_sequence(confirmation) == ("REQUEST", 0)
    assert uid_of(confirmation) == uid_of(invited)
    assert the_attendee(confirmation)[0] == "ACCEPTED"
    assert "We have recorded your answer: you accept." in text_of(confirmation)
    assert "Accept with reservation:" not in text_of(confirmation)


def test_a_decline_by_link_takes_the_entry_out_of_that_calendar_and_updates_skip_it(
    client, organiser_client, staff, platform, workshop, smtp_server
):
    claire = invitation_of(workshop, platform.claire)

    client.post(rsvp_path(claire, "declined"), data={"response": "declined"})

    invited, removal = smtp_server.sink.messages_to(platform.claire.email)
    assert method_and_sequence(removal) == ("CANCEL", 1)  # outranks the request it removes
    assert uid_of(removal) == uid_of(invited)
    partstat, rsvp, address = the_attendee(removal)
    assert (partstat, rsvp, address) == ("DECLINED", None, f"mailto:{platform.claire.email}")
    assert "The session is removed from your calendar." in text_of(removal)

    organiser_client.post(
        f"/sessions/{workshop.id}/edit",
        data=the_workshop_form(staff, start_time="11:00", end_time="17:00", save_and_send="1"),
    )
    assert len(smtp_server.sink.messages_to(platform.claire.email)) == 2
    assert method_and_sequence(smtp_server.sink.messages_to(platform.anna.email)[-1]) == (
        "REQUEST",
        1,
    )

    # Changing her mind brings the entry back, above the cancellation her calendar saw.
    client.post(rsvp_path(claire, "accepted"), data={"response": "accepted"})
    back = smtp_server.sink.messages_to(platform.claire.email)[-1]
    assert method_and_sequence(back) == ("REQUEST", 3)  # session 1 + her own 2
    assert the_attendee(back)[0] == "ACCEPTED"


def test_a_deputy_by_link_cancels_the_entry_and_the_deputy_is_invited(
    client, platform, workshop, smtp_server
):
    platform.anna.deputy = platform.dora
    platform.dora.active = True
    db.session.commit()

    client.post(rsvp_path(invitation_of(workshop, platform.anna)), data={"response": "deputy"})

    removal = smtp_server.sink.messages_to(platform.anna.email)[-1]
    assert method_and_sequence(removal)[0] == "CANCEL"
    assert the_attendee(removal)[0] == "DELEGATED"
    (deputy_mail,) = smtp_server.sink.messages_to(platform.dora.email)
    assert method_and_sequence(deputy_mail) == ("REQUEST", 0)
    assert the_attendee(deputy_mail)[2] == f"mailto:{platform.dora.email}"


def test_a_corrected_title_updates_calendars_and_keeps_every_answer(
    organiser_client, staff, platform, workshop, smtp_server
):
    services.record_answer(invitation_of(workshop, platform.anna), Response.ACCEPTED, Channel.LINK)
    services.record_answer(
        invitation_of(workshop, platform.bernd), Response.DECLINED, Channel.CALENDAR
    )
    db.session.commit()

    response = organiser_client.post(
        f"/sessions/{workshop.id}/edit",
        data=the_workshop_form(staff, title="Workshop Datenräume 2030", save_and_send="1"),
    )

    assert response.status_code == 302
    update = smtp_server.sink.messages_to(platform.anna.email)[-1]
    assert str(update["Subject"]) == "Geändert: Workshop Datenräume 2030"
    assert method_and_sequence(update) == ("REQUEST", 1)
    assert the_attendee(update)[0] == "ACCEPTED"
    text = text_of(update)
    assert "Ihre Antwort bleibt gültig" in text
    assert "Titel: Workshop Datenräume 2030 (bisher: Workshop Datenräume)" in text
    assert "Zusagen:" not in text  # nobody is asked to answer again
    # A decline from a calendar program leaves the entry there: it is updated too.
    assert the_attendee(smtp_server.sink.messages_to(platform.bernd.email)[-1])[0] == "DECLINED"
    db.session.expire_all()
    assert not invitation_of(workshop, platform.anna).answered_earlier_version


def test_moving_the_session_is_previewed_then_says_what_it_was_before(
    organiser_client, staff, platform, workshop, smtp_server
):
    services.record_answer(invitation_of(workshop, platform.anna), Response.ACCEPTED, Channel.LINK)
    db.session.commit()
    mails_before = outbox_size()
    moved = the_workshop_form(staff, start_time="11:00", end_time="17:00")

    preview = organiser_client.post(f"/sessions/{workshop.id}/edit", data=moved)

    assert preview.status_code == 200
    page = page_text(preview)
    assert "3 people receive “Geändert: Workshop Datenräume”" in page
    assert "The mail in German" in page and "The mail in English" in page
    assert "Uhrzeit: 11:00–17:00 Uhr (bisher: 10:00–16:00 Uhr)" in page
    assert outbox_size() == mails_before
    db.session.expire_all()
    assert workshop.ical_sequence == 0
    assert workshop.starts_at.hour == 8  # still 10:00 in Berlin

    organiser_client.post(
        f"/sessions/{workshop.id}/edit", data=moved | {"save_and_send": "Save and send"}
    )

    update = smtp_server.sink.messages_to(platform.anna.email)[-1]
    assert method_and_sequence(update) == ("REQUEST", 1)
    assert the_attendee(update)[0] == "NEEDS-ACTION"
    assert "Uhrzeit: 11:00–17:00 Uhr (bisher: 10:00–16:00 Uhr)" in text_of(update)
    english = text_of(smtp_server.sink.messages_to(platform.claire.email)[-1])
    assert "previously: 04:00–10:00" in english
    db.session.expire_all()
    assert invitation_of(workshop, platform.anna).answered_earlier_version


def test_saving_without_mail_leaves_the_calendars_alone(
    organiser_client, staff, platform, workshop, smtp_server
):
    received_before = len(smtp_server.sink.received)

    response = organiser_client.post(
        f"/sessions/{workshop.id}/edit",
        data=the_workshop_form(staff, title="Workshop Datenraume", save_quietly="1"),
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert workshop.title == "Workshop Datenraume"
    assert workshop.ical_sequence == 0
    assert len(smtp_server.sink.received) == received_before


def test_cancelling_asks_for_a_reason_that_the_cancellation_carries(
    organiser_client, staff, platform, workshop, smtp_server
):
    cancel = the_workshop_form(staff, status="cancelled")

    preview = page_text(organiser_client.post(f"/sessions/{workshop.id}/edit", data=cancel))

    assert "Reason for the cancellation (goes into the mail)" in preview
    assert "Save without mail" not in preview
    organiser_client.post(
        f"/sessions/{workshop.id}/edit",
        data=cancel
        | {"save_and_send": "1", "cancellation_reason": "Der Saal steht nicht zur Verfügung."},
    )
    cancellation = smtp_server.sink.messages_to(platform.anna.email)[-1]
    assert method_and_sequence(cancellation) == ("CANCEL", 1)
    assert the_attendee(cancellation)[1] is None  # a cancellation asks for no answer
    assert "Der Saal steht nicht zur Verfügung." in text_of(cancellation)


def test_a_session_that_has_ended_gets_no_update(platform, workshop, smtp_server):
    workshop.starts_at = utcnow() - timedelta(hours=5)
    workshop.ends_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    received_before = len(smtp_server.sink.received)

    assert services.session_moved(workshop, {"title": ["Alt", "Neu"]}, major=False) == 0
    db.session.commit()

    assert len(smtp_server.sink.received) == received_before


def test_online_participants_never_take_a_seat_in_a_hybrid_workshop(client, platform, workshop):
    workshop.capacity = 2
    workshop.online_url = "https://konferenz.example.org/raum"
    eve = make_expert("Eve", "Martin", platform.canada, language="en")
    db.session.commit()
    services.invite_experts(workshop, [eve])
    db.session.commit()
    for expert in (platform.anna, platform.bernd):
        client.post(
            rsvp_path(invitation_of(workshop, expert)),
            data={"response": "accepted", "attendance_mode": "in_person"},
        )

    client.post(
        rsvp_path(invitation_of(workshop, platform.claire)),
        data={"response": "accepted", "attendance_mode": "online"},
    )

    db.session.expire_all()
    claire = invitation_of(workshop, platform.claire)
    assert (claire.response, claire.attendance_mode) == (Response.ACCEPTED, AttendanceMode.ONLINE)
    assert not claire.is_waitlisted
    assert services.confirmed_count(workshop) == 2

    # Switching to the full room puts her on its waiting list, and the page says so.
    switched = client.post(
        rsvp_path(claire),
        data={"response": "accepted", "attendance_mode": "in_person"},
        follow_redirects=True,
    )
    db.session.expire_all()
    assert invitation_of(workshop, platform.claire).is_waitlisted
    assert "All seats in the room are taken at the moment" in page_text(switched)
    assert "until then you can take part online" in page_text(switched)

    # With a limit for online places, those wait for an online place, not a seat.
    workshop.online_capacity = 1
    db.session.commit()
    client.post(
        rsvp_path(invitation_of(workshop, eve)),
        data={"response": "accepted", "attendance_mode": "online"},
    )
    client.post(
        rsvp_path(invitation_of(workshop, platform.claire)),
        data={"response": "accepted", "attendance_mode": "online"},
    )
    db.session.expire_all()
    assert not invitation_of(workshop, eve).is_waitlisted
    assert invitation_of(workshop, platform.claire).is_waitlisted
    assert services.confirmed_count(workshop, services.Places.ONLINE) == 1


def test_an_edited_agenda_reaches_the_calendars_once_the_organiser_sends_it(
    organiser_client, staff, platform, workshop, smtp_server
):
    services.record_answer(invitation_of(workshop, platform.anna), Response.ACCEPTED, Channel.LINK)
    db.session.commit()
    received_before = len(smtp_server.sink.received)

    organiser_client.post(
        f"/sessions/{workshop.id}/agenda/new",
        data=agenda_form(title="Datenräume in der Praxis", duration_minutes="45"),
    )
    organiser_client.post(f"/sessions/{workshop.id}/agenda/new", data=agenda_form(title="Ausblick"))

    assert len(smtp_server.sink.received) == received_before  # no mail per edited item
    show = page_text(organiser_client.get(f"/sessions/{workshop.id}"))
    assert "The agenda has changed since the invitees’ calendars were last updated." in show
    preview = organiser_client.post(f"/sessions/{workshop.id}/agenda-update")
    assert "3 people receive “Geändert: Workshop Datenräume”" in page_text(preview)
    assert len(smtp_server.sink.received) == received_before

    assert confirm_sending(organiser_client, preview).status_code == 302
    update = smtp_server.sink.messages_to(platform.anna.email)[-1]
    assert method_and_sequence(update) == ("REQUEST", 1)
    assert the_attendee(update)[0] == "ACCEPTED"
    text = text_of(update)
    assert "Tagesordnung: geändert, siehe unten" in text
    assert "TOP 2  Datenräume in der Praxis" in text
    show = page_text(organiser_client.get(f"/sessions/{workshop.id}"))
    assert "The agenda has changed since" not in show


def test_the_answers_page_counts_seats_and_online_places_apart(
    organiser_client, platform, workshop
):
    workshop.capacity = 2
    workshop.online_url = "https://konferenz.example.org/raum"
    db.session.commit()
    services.record_answer(
        invitation_of(workshop, platform.anna),
        Response.ACCEPTED,
        Channel.LINK,
        attendance_mode=AttendanceMode.IN_PERSON,
    )
    for expert in (platform.bernd, platform.claire):
        services.record_answer(
            invitation_of(workshop, expert),
            Response.ACCEPTED,
            Channel.LINK,
            attendance_mode=AttendanceMode.ONLINE,
        )
    db.session.commit()

    page = page_text(organiser_client.get(f"/sessions/{workshop.id}/invitations"))

    assert "In the room: 1 of 2 taken" in page
    assert "Online: 2 taking part, no limit" in page
