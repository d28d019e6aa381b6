"""Invitation mails are queued as intentions in the change's transaction and written after the
commit, so that the organiser's request does not wait for every mail to be rendered."""

import pytest

from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.mail import MailKind
from eventsys.outbox import services as outbox
from eventsys.outbox.models import DeliveryState, OutboxMessage
from tests.conftest import sign_in
from tests.invitations.conftest import calendar_of, invitation_of, send_confirmed, text_of


def outbox_entries() -> list[OutboxMessage]:
    return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_the_intention_is_stored_with_the_change_and_written_after_the_commit(
    app, platform, smtp_server
):
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    app.extensions["mail"].server, app.extensions["mail"].port = smtp_server.host, smtp_server.port
    services.invite_experts(platform.session, [platform.anna, platform.claire])
    db.session.flush()
    anna_entry, claire_entry = outbox_entries()
    assert claire_entry.raw_message is None
    # Before the commit: the owed mail and its Message-ID, no text yet, nothing sent.
    assert anna_entry.raw_message is None and anna_entry.message_id
    assert anna_entry.recipient == platform.anna.email
    promised_id = anna_entry.message_id
    assert smtp_server.sink.received == []

    db.session.commit()
    db.session.expire_all()
    assert [entry.state for entry in outbox_entries()] == [DeliveryState.SENT] * 2
    (message,) = smtp_server.sink.messages_to(platform.anna.email)
    # Replies find their invitation by the Message-ID fixed at queueing time.
    assert message["Message-ID"] == promised_id
    assert message["Subject"] == f"Einladung: {platform.session.title}"
    assert calendar_of(message)["METHOD"] == "REQUEST"
    assert "://eventsys.test/rsvp/" in text_of(message)
    (english,) = smtp_server.sink.messages_to(platform.claire.email)
    assert english["Subject"] == f"Invitation: {platform.session.title}"


def test_without_server_name_links_point_where_the_organiser_was(app, platform, staff, client):
    app.config["SERVER_NAME"] = None
    sign_in(client, staff.organiser)
    # Only a host the configuration trusts (tests/outbox/test_link_host.py: any other is
    # refused).
    app.config["TRUSTED_HOSTS"] = ["termine.example.de"]
    response = client.post(
        f"/sessions/{platform.session.id}/invitations/new",
        data=send_confirmed(platform.anna),
        base_url="https://termine.example.de",
    )
    assert response.status_code == 302
    (entry,) = outbox_entries()
    assert entry.link_base == "https://termine.example.de/"
    assert entry.composed
    assert b"https://termine.example.de/rsvp/" in entry.raw_message.replace(b"=\r\n", b"")


def test_a_message_that_cannot_be_written_is_marked_failed_and_the_rest_go_out(
    app, platform, smtp_server
):
    services.invite_experts(platform.session, [platform.anna, platform.bernd])
    db.session.commit()  # no mail server yet: both are written and stay in the outbox
    first, second = outbox_entries()
    assert first.composed and second.composed

    # A withdrawal queued, then the invitation removed before its mail was written.
    invitation = invitation_of(platform.session, platform.anna)
    withdrawal = outbox.queue_for_composition(
        MailKind.WITHDRAWAL, platform.anna.email, "x@example.org", invitation_id=invitation.id
    )
    reminder = outbox.queue_for_composition(
        MailKind.DEADLINE_REMINDER,
        platform.bernd.email,
        "x@example.org",
        invitation_id=invitation_of(platform.session, platform.bernd).id,
    )
    withdrawal.invitation_id = None
    db.session.commit()
    db.session.expire_all()
    assert withdrawal.state == DeliveryState.FAILED
    assert "no longer exists" in withdrawal.last_error
    assert withdrawal.raw_message is None
    assert reminder.composed and reminder.state == DeliveryState.QUEUED


def test_an_unknown_kind_cannot_be_queued_for_composition(app):
    with pytest.raises(LookupError):
        outbox.queue_for_composition("no_such_kind", "a@example.org", "b@example.org")


def test_the_outbox_shows_a_message_still_being_written(app, platform, staff, client):
    entry = outbox.queue_for_composition(
        MailKind.INVITATION, platform.anna.email, "x@example.org", invitation_id=None
    )
    db.session.flush()
    # Written to the database without triggering the after-commit processing, as if the
    # process had stopped between the commit and the composition.
    db.session.info.pop("outbox_kick_pending")
    db.session.commit()
    sign_in(client, staff.admin)
    listing = client.get("/outbox/")
    assert listing.status_code == 200
    assert "Message being written" in listing.text
    page = client.get(f"/outbox/{entry.id}")
    assert page.status_code == 200
    assert platform.anna.email in page.text
    download = client.get(f"/outbox/{entry.id}.eml")
    assert download.status_code == 302
