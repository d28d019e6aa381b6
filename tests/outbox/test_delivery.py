"""The outbox keeps mail with the change that caused it and delivers it after the commit,
retrying through SMTP outages without losing or doubling a message."""

import itertools
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.outbox import outcomes, services
from eventsys.outbox.models import DeliveryState, OutboxMessage
from tests.invitations.conftest import make_expert, make_organisation, make_session
from tests.support.smtp import MailSink, free_port


@pytest.fixture
def app_config(mail_config):
    # Delivery is started by hand in these tests, to see each step.
    return mail_config | {"OUTBOX_DELIVERY": "inline"}


def queue_messages(count: int) -> list[OutboxMessage]:
    entries = [
        services.queue(
            "test", services.compose(f"person{n}@example.org", f"Betreff {n} – Grüße", "Hallo ✓")
        )
        for n in range(count)
    ]
    return entries


def test_mail_is_sent_after_commit_and_not_before(app, smtp_server):
    queue_messages(2)
    db.session.flush()
    assert smtp_server.sink.received == []  # nothing leaves before the commit
    db.session.commit()
    assert sorted(mail.envelope_to[0] for mail in smtp_server.sink.received) == [
        "person0@example.org",
        "person1@example.org",
    ]
    message = smtp_server.sink.received[0].message
    assert message["Subject"] == "Betreff 0 – Grüße"
    assert message.get_content().strip() == "Hallo ✓"
    states = db.session.scalars(db.select(OutboxMessage.state)).all()
    assert states == [DeliveryState.SENT, DeliveryState.SENT]


def test_rolled_back_change_sends_nothing(app, smtp_server):
    queue_messages(1)
    db.session.rollback()
    db.session.commit()
    assert smtp_server.sink.received == []
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_outage_is_retried_with_back_off_and_nothing_is_lost(app, smtp_server):
    smtp_server.sink.refuse = True
    queue_messages(3)
    db.session.commit()
    entries = db.session.scalars(db.select(OutboxMessage)).all()
    assert [entry.state for entry in entries] == [DeliveryState.QUEUED] * 3
    assert all(entry.attempts == 1 and "451" in entry.last_error for entry in entries)
    assert all(entry.next_attempt_at > utcnow() for entry in entries)

    # Not yet due: a run now sends nothing, even with the server back.
    smtp_server.sink.refuse = False
    assert services.deliver_due() == (0, 0)
    with freeze_time(utcnow() + timedelta(minutes=2)):
        assert services.deliver_due() == (3, 0)
        assert services.deliver_due() == (0, 0)  # and never twice
    assert len(smtp_server.sink.received) == 3


def test_unreachable_server_keeps_messages_queued(app, smtp_server):
    app.extensions["mail"].port = free_port()  # nobody listens there
    queue_messages(2)
    db.session.commit()
    entries = db.session.scalars(db.select(OutboxMessage)).all()
    assert [entry.state for entry in entries] == [DeliveryState.QUEUED] * 2
    assert all("connect" in entry.last_error for entry in entries)


def test_gives_up_after_the_last_attempt_and_can_be_requeued(app, smtp_server):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    smtp_server.sink.refuse = True
    (entry,) = queue_messages(1)
    db.session.commit()
    with freeze_time(utcnow() + timedelta(minutes=5)):
        services.deliver_due()
    db.session.refresh(entry)
    assert entry.state == DeliveryState.FAILED
    assert entry.attempts == 2

    smtp_server.sink.refuse = False
    assert services.requeue(entry)
    db.session.commit()
    db.session.refresh(entry)
    assert entry.state == DeliveryState.SENT
    assert len(smtp_server.sink.received) == 1


def test_a_deliverer_that_died_leaves_a_claim_that_expires(app, smtp_server):
    app.config["MAIL_SERVER"] = None  # queue without delivering, as if the worker crashed
    (entry,) = queue_messages(1)
    db.session.commit()
    entry.state = DeliveryState.SENDING
    entry.claimed_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    app.config["MAIL_SERVER"] = smtp_server.host
    assert services.deliver_due() == (0, 0)  # someone else's live claim is respected
    with freeze_time(utcnow() + timedelta(minutes=11)):
        assert services.deliver_due() == (1, 0)
    assert len(smtp_server.sink.received) == 1


def test_messages_use_crlf_and_carry_a_message_id(app, smtp_server):
    (entry,) = queue_messages(1)
    db.session.commit()
    raw = smtp_server.sink.received[0].raw
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert smtp_server.sink.received[0].message["Message-ID"] == entry.message_id


def test_cli_delivers_what_is_due(app, runner, smtp_server):
    app.config["MAIL_SERVER"] = None
    queue_messages(2)
    db.session.commit()
    assert smtp_server.sink.received == []
    app.config["MAIL_SERVER"] = smtp_server.host
    result = runner.invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert "Sent 2, failed 0" in result.output
    assert len(smtp_server.sink.received) == 2


def test_a_large_run_sends_its_first_mails_while_the_rest_are_still_being_written(
    app, _smtp_controller, smtp_server, monkeypatch
):
    """Composing and sending alternate batch by batch: the composer holds back its second batch
    until the first mail reaches the server (at most ten seconds); it does reach it, while most
    of the run is not written yet (a separate connection looks). A run that composed everything
    before sending would keep the composer waiting the full ten seconds."""
    observer = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    first_arrival = threading.Event()
    unwritten_at_first_arrival: list[int] = []
    arrived_while_composer_waited: list[bool] = []

    class WatchingSink(MailSink):
        async def handle_DATA(self, server, session, envelope):
            if not first_arrival.is_set():
                with observer.connect() as connection:
                    unwritten_at_first_arrival.append(
                        connection.scalar(
                            sa.select(sa.func.count(OutboxMessage.id)).where(
                                OutboxMessage.raw_message.is_(None)
                            )
                        )
                    )
                first_arrival.set()
            return await super().handle_DATA(server, session, envelope)

    compose_batch = services._compose_batch
    batches = itertools.count(1)

    def composing_after_the_first_arrival(limit: int):
        if next(batches) == 2:
            arrived_while_composer_waited.append(first_arrival.wait(timeout=10))
        return compose_batch(limit)

    monkeypatch.setattr(services, "_compose_batch", composing_after_the_first_arrival)
    _smtp_controller.handler.sink = sink = WatchingSink()
    session = make_session()
    organisation = make_organisation("Stadt Köln")
    experts = [make_expert(f"Person{n}", f"Nummer{n}", organisation) for n in range(150)]
    db.session.commit()
    try:
        invitations.invite_experts(session, experts)
        db.session.commit()
    finally:
        observer.dispose()

    assert len(sink.received) == 150
    assert arrived_while_composer_waited == [True]
    assert unwritten_at_first_arrival == [150 - services.FIRST_COMPOSE_BATCH]


def test_each_outcome_is_committed_before_the_next_message_is_accepted(
    app, _smtp_controller, smtp_server, monkeypatch
):
    """Outcomes are written alongside the next message's envelope, never after its content:
    whenever the server receives a message, every one it received before is recorded as sent
    (a separate connection looks), so a crash can repeat at most the message in flight. Each
    write is made slow here, as a busy database is, so that one not waited for would show."""
    slow_write = outcomes.SentRecorder.sent

    def sent_slowly(self, message_id: int, attempts: int) -> None:
        time.sleep(0.03)
        slow_write(self, message_id, attempts)

    monkeypatch.setattr(outcomes.SentRecorder, "sent", sent_slowly)
    observer = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    unrecorded_at_arrival: list[int] = []

    class WatchingSink(MailSink):
        async def handle_DATA(self, server, session, envelope):
            earlier = [mail.message["Message-ID"] for mail in self.received]
            with observer.connect() as connection:
                recorded = set(
                    connection.scalars(
                        sa.select(OutboxMessage.message_id).where(
                            OutboxMessage.state == DeliveryState.SENT
                        )
                    )
                )
            unrecorded_at_arrival.append(len(set(earlier) - recorded))
            return await super().handle_DATA(server, session, envelope)

    _smtp_controller.handler.sink = sink = WatchingSink()
    queue_messages(20)
    app.config["MAIL_SERVER"] = None
    db.session.commit()
    app.config["MAIL_SERVER"] = smtp_server.host
    try:
        assert services.deliver_due() == (20, 0)
    finally:
        observer.dispose()

    assert len(sink.received) == 20
    assert unrecorded_at_arrival == [0] * 20


def test_a_savepoint_inside_the_change_neither_sends_early_nor_holds_the_mail_back(
    app, smtp_server
):
    """Mail queued before a savepoint goes out when the whole transaction commits: not when
    the savepoint is released (the rows are not committed yet), and not only at some later
    run because the savepoint took the signal to deliver with it."""
    (queued,) = queue_messages(1)
    with db.session.begin_nested():
        services.queue("test", services.compose("in.savepoint@example.org", "Mit", "Text"))
    assert smtp_server.sink.received == []
    savepoint = db.session.begin_nested()
    services.queue("test", services.compose("rolled.back@example.org", "Weg", "Text"))
    savepoint.rollback()

    db.session.commit()

    recipients = sorted(mail.envelope_to[0] for mail in smtp_server.sink.received)
    assert recipients == ["in.savepoint@example.org", "person0@example.org"]
    db.session.expire_all()
    assert queued.state == DeliveryState.SENT
