"""Seals spare delivery a second reading of an unchanged message, and never let a changed one
through unread."""

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.outbox import services as outbox
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.outbox.seals import Sealer
from tests.invitations.conftest import make_expert, make_organisation, make_session
from tests.outbox.test_header_checks import add_header


@pytest.fixture
def app_config(mail_config):
    return mail_config


def stored(recipient: str = "anna@example.org") -> OutboxMessage:
    """A message stored while no mail server is configured, so that it waits."""
    entry = outbox.queue("test", outbox.compose(recipient, "Hallo", "Text"))
    db.session.commit()
    return entry


def holds(app, entry: OutboxMessage) -> bool:
    return Sealer(app).holds(
        entry.seal,
        entry.raw_message,
        entry.sender,
        entry.recipient,
        entry.subject,
        entry.message_id,
    )


def test_every_stored_message_is_sealed_queued_or_composed(app):
    app.config["MAIL_SERVER"] = None
    finished = stored()
    session = make_session()
    invitations.invite_experts(session, [make_expert("Clara", "Weiss", make_organisation())])
    db.session.commit()  # composes the invitation after the commit

    composed = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.id != finished.id)
    ).one()
    assert composed.raw_message is not None
    assert holds(app, finished) and holds(app, composed)


def test_a_seal_covers_the_envelope_as_well_as_the_message(app):
    app.config["MAIL_SERVER"] = None
    entry = stored()
    sealer = Sealer(app)
    fields = [entry.raw_message, entry.sender, entry.recipient, entry.subject, entry.message_id]
    assert sealer.holds(entry.seal, *fields)
    for index, changed in enumerate(
        [entry.raw_message + b" ", "evil@example.org", "evil@example.org", "Bitte", "<x@y>"]
    ):
        assert not sealer.holds(entry.seal, *fields[:index], changed, *fields[index + 1 :])
    # Fields are length-prefixed: moving text from one field to the next is a change too.
    assert not sealer.holds(entry.seal, entry.raw_message, entry.sender + "a", "", "", "")


def test_a_changed_envelope_under_the_old_seal_is_read_in_full_and_refused(app, smtp_server):
    app.config["MAIL_SERVER"] = None
    entry = stored()
    intact = stored("berta@example.org")
    # Only the row's recipient is changed; the stored message still names Anna.
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == entry.id)
        .values(recipient="evil@example.org")
    )
    db.session.commit()
    app.config["MAIL_SERVER"] = smtp_server.host

    assert outbox.process() == (1, 1)

    db.session.expire_all()
    assert entry.state == DeliveryState.FAILED
    assert "To is not the recipient" in entry.last_error
    assert intact.state == DeliveryState.SENT
    assert [mail.envelope_to for mail in smtp_server.sink.received] == [["berta@example.org"]]


def test_a_message_under_a_seal_of_the_apps_key_is_sent_without_a_second_reading(app, smtp_server):
    """What the seal vouches for is not read again: a change re-sealed with the application's
    key (which no one without SECRET_KEY can make) goes out as it stands. This is the whole
    saving, and why the key must stay in instance/."""
    app.config["MAIL_SERVER"] = None
    entry = stored()
    changed = add_header(entry.raw_message, b"X-Resealed: yes")
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == entry.id)
        .values(
            raw_message=changed,
            seal=Sealer(app).seal(
                changed, entry.sender, entry.recipient, entry.subject, entry.message_id
            ),
        )
    )
    db.session.commit()
    app.config["MAIL_SERVER"] = smtp_server.host

    assert outbox.process() == (1, 0)
    assert b"X-Resealed: yes" in smtp_server.sink.received[0].raw


def test_messages_sealed_before_a_new_secret_key_are_read_in_full_and_sent(app, smtp_server):
    app.config["MAIL_SERVER"] = None
    unchanged = stored()
    changed = stored("berta@example.org")
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == changed.id)
        .values(raw_message=add_header(changed.raw_message, b"Bcc: evil@example.org"))
    )
    db.session.commit()
    app.config["SECRET_KEY"] = "a key rotated while mail was waiting"
    app.config["MAIL_SERVER"] = smtp_server.host

    assert outbox.process() == (1, 1)

    db.session.expire_all()
    assert unchanged.state == DeliveryState.SENT
    assert changed.state == DeliveryState.FAILED
    assert [mail.envelope_to for mail in smtp_server.sink.received] == [["anna@example.org"]]


def test_a_message_stored_without_a_seal_is_read_in_full(app, smtp_server):
    app.config["MAIL_SERVER"] = None
    entry = stored()
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == entry.id)
        .values(raw_message=add_header(entry.raw_message, b"Reply-To: evil@example.org"), seal=None)
    )
    db.session.commit()
    app.config["MAIL_SERVER"] = smtp_server.host

    assert outbox.process() == (0, 1)
    db.session.expire_all()
    assert entry.last_error.startswith("refused before delivery: ")
