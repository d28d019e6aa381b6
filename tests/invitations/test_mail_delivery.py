"""Every kind of invitation mail, triggered through the pages, arrives at a real SMTP server
with the calendar METHOD and SEQUENCE that calendars need (INTEROP.md)."""

import re

import pytest

from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.states import Channel, Response
from tests.conftest import page_text
from tests.invitations.conftest import (
    confirm_preview,
    invitation_of,
    make_expert,
    method_and_sequence,
    rsvp_path,
    send_confirmed,
    text_of,
)
from tests.sessions.factories import session_form


@pytest.fixture
def app_config(mail_config):
    return mail_config


def invite_through_the_pages(client, session, experts) -> list[str]:
    """Preview and confirm; returns the ids the preview offered to invite."""
    url = f"/sessions/{session.id}/invitations/new"
    ids = [str(expert.id) for expert in experts]
    preview = client.post(url, data={"expert_ids": ids, "preview": "y"})
    assert preview.status_code == 200
    confirmed = confirm_preview(client, url, preview)
    assert confirmed.status_code == 302
    return ids


def subjects_and_calendars(sink, address: str) -> list[tuple[str, tuple[str, int] | None]]:
    return [
        (str(message["Subject"]), method_and_sequence(message))
        for message in sink.messages_to(address)
    ]


def test_invitations_arrive_as_requests_and_are_not_sent_twice(
    organiser_client, platform, smtp_server
):
    experts = [platform.anna, platform.claire]
    url = f"/sessions/{platform.session.id}/invitations/new"

    invitee_ids = invite_through_the_pages(organiser_client, platform.session, experts)
    again = organiser_client.post(
        url, data={"expert_ids": invitee_ids, "preview": "y"}, follow_redirects=True
    )
    resent = organiser_client.post(url, data=send_confirmed(*experts), follow_redirects=True)

    assert "2 already invited (skipped)" in page_text(again)
    assert 'name="send"' not in again.text
    # The form of the first preview, sent again: the experts are invited now, so the choice
    # no longer names those previewed, and nothing goes out.
    assert "The selection has changed since the preview." in page_text(resent)
    assert 'name="send"' not in resent.text

    assert subjects_and_calendars(smtp_server.sink, platform.claire.email) == [
        ("Invitation: Workshop Datenräume", ("REQUEST", 0))
    ]
    (german,) = smtp_server.sink.messages_to(platform.anna.email)
    assert method_and_sequence(german) == ("REQUEST", 0)
    assert "Montag, 1. Juli 2030" in text_of(german)


def test_the_links_in_the_mail_open_the_answer_page(
    organiser_client, client, platform, smtp_server
):
    invite_through_the_pages(organiser_client, platform.session, [platform.claire])
    (message,) = smtp_server.sink.messages_to(platform.claire.email)
    links = re.findall(r"http://eventsys\.test(/rsvp/\S+)", text_of(message))
    assert len(links) == 4

    organiser_client.post("/logout")
    for path in links:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Invitation for Claire Tremblay" in page_text(response)


def test_moving_the_session_updates_every_calendar_that_holds_the_entry(
    client, organiser_client, staff, platform, smtp_server
):
    session = platform.session
    session.organisers = [staff.organiser]
    db.session.commit()
    services.invite_experts(session, [platform.anna, platform.bernd, platform.claire])
    db.session.commit()
    # Bernd declines by link: the confirmation takes the entry out of his calendar.
    client.post(rsvp_path(invitation_of(session, platform.bernd)), data={"response": "declined"})
    services.record_answer(invitation_of(session, platform.claire), Response.ACCEPTED, Channel.LINK)
    db.session.commit()

    response = organiser_client.post(
        f"/sessions/{session.id}/edit",
        data=session_form(
            staff.organiser,
            title="Workshop Datenräume",
            status="confirmed",
            start_date="2030-07-02",
            start_time="10:00",
            end_time="16:00",
            description="",
            venue_room="",
            save_and_send="1",
        ),
    )

    assert response.status_code == 302
    assert subjects_and_calendars(smtp_server.sink, platform.claire.email)[-1] == (
        "Changed: Workshop Datenräume",
        ("REQUEST", 1),
    )
    assert method_and_sequence(smtp_server.sink.messages_to(platform.anna.email)[-1]) == (
        "REQUEST",
        1,
    )
    assert [
        calendar for _, calendar in subjects_and_calendars(smtp_server.sink, platform.bernd.email)
    ] == [("REQUEST", 0), ("CANCEL", 1)]
    assert "Dienstag, 2. Juli 2030" in text_of(
        smtp_server.sink.messages_to(platform.anna.email)[-1]
    )


def test_cancelling_the_session_sends_a_cancel_to_everyone(
    organiser_client, staff, platform, smtp_server
):
    session = platform.session
    session.organisers = [staff.organiser]
    db.session.commit()
    services.invite_experts(session, [platform.anna, platform.claire])
    services.record_answer(invitation_of(session, platform.anna), Response.DECLINED, Channel.LINK)
    db.session.commit()

    organiser_client.post(
        f"/sessions/{session.id}/edit",
        data=session_form(
            staff.organiser,
            title="Workshop Datenräume",
            status="cancelled",
            start_date="2030-07-01",
            start_time="10:00",
            end_time="16:00",
            description="",
            venue_room="",
            save_and_send="1",
        ),
    )

    assert subjects_and_calendars(smtp_server.sink, platform.claire.email)[-1] == (
        "Cancelled: Workshop Datenräume",
        ("CANCEL", 1),
    )
    assert method_and_sequence(smtp_server.sink.messages_to(platform.anna.email)[-1]) == (
        "CANCEL",
        1,
    )


def test_withdrawing_sends_a_cancel_to_that_expert_only(organiser_client, platform, smtp_server):
    session = platform.session
    services.invite_experts(session, [platform.anna, platform.claire])
    db.session.commit()
    invitation = invitation_of(session, platform.claire)

    response = organiser_client.post(f"/sessions/{session.id}/invitations/{invitation.id}/withdraw")

    assert response.status_code == 302
    assert subjects_and_calendars(smtp_server.sink, platform.claire.email)[-1] == (
        "Invitation withdrawn: Workshop Datenräume",
        ("CANCEL", 1),
    )
    assert len(smtp_server.sink.messages_to(platform.anna.email)) == 1


def test_waiting_list_notices_carry_no_calendar(client, platform, smtp_server):
    session = platform.session
    session.capacity = 2
    eve = make_expert("Eve", "Martin", platform.canada, language="en")
    db.session.commit()
    experts = [platform.anna, platform.bernd, platform.claire, eve]
    services.invite_experts(session, experts)
    db.session.commit()

    for expert in experts[:3]:
        client.post(rsvp_path(invitation_of(session, expert)), data={"response": "accepted"})
    client.post(rsvp_path(invitation_of(session, eve)), data={"response": "accepted"})

    assert subjects_and_calendars(smtp_server.sink, platform.claire.email)[-1] == (
        "On the waiting list: Workshop Datenräume",
        None,
    )

    client.post(rsvp_path(invitation_of(session, platform.anna)), data={"response": "declined"})

    assert subjects_and_calendars(smtp_server.sink, platform.claire.email)[-1] == (
        "A place is free for you: Workshop Datenräume",
        None,
    )
    assert subjects_and_calendars(smtp_server.sink, eve.email)[-1] == (
        "On the waiting list: Workshop Datenräume",
        None,
    )
    db.session.expire_all()
    assert not invitation_of(session, platform.claire).is_waitlisted
    assert invitation_of(session, eve).is_waitlisted


def test_a_deputy_typed_in_is_mailed_only_once_staff_confirm(
    client, organiser_client, platform, smtp_server
):
    session = platform.session
    services.invite_experts(session, [platform.anna])
    db.session.commit()
    invitation = invitation_of(session, platform.anna)

    client.post(
        rsvp_path(invitation),
        data={
            "response": "deputy",
            "deputy_first_name": "Marc",
            "deputy_last_name": "Gagnon",
            "deputy_email": "marc.gagnon@example.org",
        },
    )
    assert smtp_server.sink.messages_to("marc.gagnon@example.org") == []

    db.session.expire_all()
    proposal_id = invitation_of(session, platform.anna).deputy_proposal.id
    organiser_client.post(
        f"/sessions/{session.id}/deputy-proposals/{proposal_id}", data={"confirm": "y"}
    )

    (message,) = smtp_server.sink.messages_to("marc.gagnon@example.org")
    assert method_and_sequence(message) == ("REQUEST", 0)
    assert "/rsvp/" in text_of(message)
    db.session.expire_all()
    assert invitation_of(session, platform.anna).response == Response.DELEGATED
