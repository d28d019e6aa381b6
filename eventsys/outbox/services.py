"""Queueing mail in the outbox and delivering what is due.

A message is written to the database in the same transaction as the change that causes it, so
that a change without its mail (or a mail about a change that was rolled back) cannot happen.
Delivery runs after the commit (in a thread, or as a Celery task when CELERY_BROKER_URL is set):
claim a batch, send it over one SMTP connection, record the outcomes. A failed attempt is
retried with exponential back-off until `OUTBOX_MAX_ATTEMPTS`.
"""

import email.policy
import logging
import smtplib
import threading
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session

from eventsys.database import utcnow
from eventsys.extensions import db, mail
from eventsys.outbox.models import DeliveryState, OutboxMessage

log = logging.getLogger(__name__)

CLAIM_DURATION = timedelta(minutes=10)
BATCH_SIZE = 200
# Outcomes are committed in groups: a commit waits for the disk (about as long as handing a
# message to the mail server), so committing after each message halved the delivery rate. The
# price: a deliverer that crashes may, once its claim expires, send up to this many messages a
# second time; a calendar takes a repeated invitation (same UID and SEQUENCE) as the same entry.
# The time limit keeps SQLite's write lock, held until the commit, short for the web requests.
COMMIT_EVERY_MESSAGES = 1
COMMIT_EVERY_SECONDS = 0.5
_pending_kick = "outbox_kick_pending"


def compose(
    recipient: str,
    subject: str,
    text: str,
    html: str | None = None,
    sender: str | None = None,
) -> EmailMessage:
    """A plain (and optionally HTML) message ready for `queue`."""
    message = EmailMessage()
    message["From"] = sender or current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=_sender_domain(message["From"]))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def _sender_domain(sender: str) -> str:
    addresses = getaddresses([sender])
    address = addresses[0][1] if addresses else ""
    return address.rpartition("@")[2] or "localhost"


def queue(kind: str, message: EmailMessage, invitation_id: int | None = None) -> OutboxMessage:
    """Store `message` in the current transaction; it is delivered once the transaction commits."""
    entry = OutboxMessage(
        kind=kind,
        invitation_id=invitation_id,
        sender=str(message["From"]),
        recipient=getaddresses([str(message["To"])])[0][1],
        subject=str(message["Subject"])[:300],
        message_id=str(message["Message-ID"]),
        # SMTP needs CRLF line ends; bare LF reaches the server as one endless line.
        raw_message=message.as_bytes(policy=email.policy.SMTP),
    )
    db.session.add(entry)
    db.session.info[_pending_kick] = True
    return entry


def delivery_configured(app: Flask) -> bool:
    return bool(app.config.get("MAIL_SERVER"))


def delivery_configured_here() -> bool:
    return delivery_configured(current_app)


def requeue(message: OutboxMessage) -> bool:
    """Give a message that exhausted its attempts a fresh start; False if it had not failed."""
    if message.state != DeliveryState.FAILED:
        return False
    message.state = DeliveryState.QUEUED
    message.attempts = 0
    message.next_attempt_at = utcnow()
    db.session.info[_pending_kick] = True
    return True


def _after_commit(session: Session) -> None:
    """Start delivering once a transaction that queued mail has committed."""
    if not session.info.pop(_pending_kick, False) or not has_app_context():
        return
    app = current_app._get_current_object()
    if not delivery_configured(app):
        return
    if app.config.get("CELERY_BROKER_URL"):
        from eventsys.tasks import enqueue_delivery  # only deployments with a broker need Celery

        enqueue_delivery(app)
        return
    # SQL cannot run inside this hook, so delivery gets a thread (and a session) of its own.
    thread = threading.Thread(target=_deliver_in_thread, args=(app,), daemon=True)
    thread.start()
    if app.config["OUTBOX_DELIVERY"] == "inline":
        thread.join()


def _after_rollback(session: Session) -> None:
    session.info.pop(_pending_kick, None)


sa.event.listen(Session, "after_commit", _after_commit)
sa.event.listen(Session, "after_soft_rollback", lambda session, previous: _after_rollback(session))


def _deliver_in_thread(app: Flask) -> None:
    with app.app_context():
        try:
            deliver_due()
        except Exception:  # the next run retries; a thread has nobody to report to but the log
            log.exception("Background mail delivery failed")


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(OutboxMessage.state == DeliveryState.QUEUED, OutboxMessage.next_attempt_at <= now),
        # A deliverer that died mid-batch leaves its claim behind; it expires and is retried.
        sa.and_(OutboxMessage.state == DeliveryState.SENDING, OutboxMessage.claimed_until < now),
    )


def _claim_due_batch(limit: int) -> list[int]:
    """Mark up to `limit` due messages as being sent by us; return their ids.

    The claim is a conditional update (still due?), so two deliverers never take the same
    message: the second waits for the first's row lock, then finds the row no longer due.
    """
    now = utcnow()
    candidate_ids = list(
        db.session.scalars(
            sa.select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
        )
    )
    if not candidate_ids:
        return []
    claim = (
        sa.update(OutboxMessage)
        .values(state=DeliveryState.SENDING, claimed_until=now + CLAIM_DURATION)
        .execution_options(synchronize_session=False)
    )
    # One statement for the batch; RETURNING (PostgreSQL, SQLite 3.35+) tells which rows were
    # still ours to take.
    claimed = list(
        db.session.scalars(
            claim.where(OutboxMessage.id.in_(candidate_ids), _due(now)).returning(OutboxMessage.id)
        )
    )
    db.session.commit()
    return sorted(claimed)


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the `attempts`-th failure: 1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def deliver_due(limit: int = BATCH_SIZE) -> tuple[int, int]:
    """Send every due message; return how many were sent and how many failed this time."""
    sent = failed = 0
    while True:
        batch = _claim_due_batch(limit)
        if not batch:
            return sent, failed
        batch_sent, batch_failed = _send_batch(batch)
        sent += batch_sent
        failed += batch_failed
        if batch_failed and not batch_sent:
            return sent, failed  # the server is down; stop hammering it until the next run


def _send_batch(message_ids: list[int]) -> tuple[int, int]:
    """Send the claimed messages over one SMTP connection and record each outcome.

    Rows are read as plain tuples and written with single UPDATE statements: ORM objects would
    all be expired by each commit and read again one by one, which costs more than sending.
    """
    sent = failed = 0
    messages = db.session.execute(
        sa.select(
            OutboxMessage.id,
            OutboxMessage.sender,
            OutboxMessage.recipient,
            OutboxMessage.raw_message,
            OutboxMessage.attempts,
        )
        .where(OutboxMessage.id.in_(message_ids))
        .order_by(OutboxMessage.id)
    ).all()
    try:
        connection = mail.connect()
        connection.__enter__()
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            _record_failure(message.id, message.attempts, f"connect: {error}")
        db.session.commit()
        return 0, len(messages)
    delivered: list[dict] = []  # outcomes not yet written, as rows for one bulk UPDATE
    uncommitted, last_commit = 0, time.monotonic()
    try:
        for message in messages:
            try:
                connection.host.sendmail(message.sender, [message.recipient], message.raw_message)
            except (OSError, smtplib.SMTPException) as error:
                _record_failure(message.id, message.attempts, str(error))
                failed += 1
                # SMTPException is an OSError too; only a lost connection ends the batch.
                connection_lost = isinstance(error, smtplib.SMTPServerDisconnected) or not (
                    isinstance(error, smtplib.SMTPException)
                )
                if connection_lost:
                    break
            else:
                delivered.append(
                    {
                        "id": message.id,
                        "state": DeliveryState.SENT,
                        "sent_at": utcnow(),
                        "attempts": message.attempts + 1,
                        "claimed_until": None,
                    }
                )
                sent += 1
            uncommitted += 1
            if (
                uncommitted >= COMMIT_EVERY_MESSAGES
                or time.monotonic() - last_commit >= COMMIT_EVERY_SECONDS
            ):
                _record_delivered(delivered)
                db.session.commit()
                uncommitted, last_commit = 0, time.monotonic()
        _record_delivered(delivered)
        # Not attempted because the connection broke: back in the queue, no attempt used. (After
        # an unexpected error nothing more is written: the claims expire and are retried.)
        db.session.execute(
            sa.update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(message_ids),
                OutboxMessage.state == DeliveryState.SENDING,
            )
            .values(state=DeliveryState.QUEUED, claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    finally:
        try:
            connection.__exit__(None, None, None)
        except (OSError, smtplib.SMTPException):
            log.warning("SMTP connection did not close cleanly")
    return sent, failed


def _record_delivered(delivered: list[dict]) -> None:
    """Write the outcomes in `delivered` in one statement (by primary key), then forget them."""
    if delivered:
        db.session.execute(sa.update(OutboxMessage), delivered)
        delivered.clear()


def _update(message_id: int, **values) -> None:
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _record_failure(message_id: int, attempts_before: int, error: str) -> None:
    attempts = attempts_before + 1
    values = {"attempts": attempts, "last_error": error[:2000], "claimed_until": None}
    if attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        values["state"] = DeliveryState.FAILED
    else:
        values["state"] = DeliveryState.QUEUED
        values["next_attempt_at"] = utcnow() + retry_delay(attempts)
    _update(message_id, **values)
    log.warning("Delivery of message %s failed (attempt %s): %s", message_id, attempts, error)
