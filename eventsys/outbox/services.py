"""Queueing mail in the outbox and delivering what is due.

A message is written to the database in the same transaction as the change that causes it, so
that a change without its mail (or a mail about a change that was rolled back) cannot happen.
Either the finished message is stored (`queue`), or, for the mails of a bulk change such as
inviting a thousand experts, only what it is about (`queue_for_composition`): a registered
composer writes the message from the data after the commit, so the organiser's request does not
wait for a thousand mails to be rendered.

After the commit the outbox is processed by the function the application factory handed it
(`init_app`: a thread of this process, or a Celery task when CELERY_BROKER_URL is set): pending
messages are composed, then due ones delivered — claim a batch, send it over one SMTP
connection, record each outcome. A failed attempt is retried with exponential back-off
until `OUTBOX_MAX_ATTEMPTS`.

What reaches a header is checked, and every message is parsed back before it is stored and
again before it is sent (`headers`); links point to our own host only (`links`).
"""

import contextvars
import logging
import smtplib
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context, has_request_context
from flask_sqlalchemy.session import Session
from sqlalchemy.orm import SessionTransaction

from eventsys.database import utcnow
from eventsys.extensions import db, mail
from eventsys.outbox import headers, kinds, links, rehearsal
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.outbox.outcomes import OutcomeWriter
from eventsys.outbox.seals import Sealer
from eventsys.outbox.skeletons import Written
from eventsys.outbox.transmission import transmit

log = logging.getLogger(__name__)

CLAIM_DURATION = timedelta(minutes=10)
BATCH_SIZE = 200
COMPOSE_BATCH_SIZE = 100
_pending_kick = "outbox_kick_pending"
_START_DELIVERY = "outbox_start_delivery"  # key in app.extensions

Composer = Callable[["OutboxMessage"], EmailMessage | Written]
Preparer = Callable[[list["OutboxMessage"]], None]
_composers: dict[str, Composer] = {}
_preparers: dict[str, Preparer] = {}
_shared_in_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "outbox_shared_in_batch", default=None
)


def register_composer(
    *kinds: str, prepare: Preparer | None = None
) -> Callable[[Composer], Composer]:
    """Declare the function that writes the messages of `kinds` queued for composition.

    It gets the outbox row (kind, recipient, invitation_id, message_id) and returns the message,
    which must carry the row's Message-ID: replies find their invitation by it. It may return
    a `skeletons.Written` instead: bytes it has checked itself (see `skeletons`), stored as
    they are. `prepare`, if given, gets each batch's rows of these kinds first, to load what
    they need with a few queries rather than a few for each.
    """

    def register(composer: Composer) -> Composer:
        for kind in kinds:
            _composers[kind] = composer
            if prepare is not None:
                _preparers[kind] = prepare
        return composer

    return register


def composed_kinds() -> frozenset[str]:
    """The kinds of mail written after the commit (by a registered composer)."""
    return frozenset(_composers)


def compose(
    recipient: str | Address,
    subject: str,
    text: str,
    html: str | None = None,
    sender: str | Address | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """A plain (and optionally HTML) message ready for `queue`.

    `recipient` and `sender` are an address, ``Name <address>`` or a `headers.mailbox`; the
    subject and display names are made one line of literal text (`headers.header_text`).
    Raises headers.UnsafeHeader for an address that cannot go into a header.
    """
    message = EmailMessage()
    from_mailbox = _as_mailbox(sender or current_app.config["MAIL_DEFAULT_SENDER"])
    headers.set_mailbox(message, "From", from_mailbox)
    headers.set_mailbox(message, "To", _as_mailbox(recipient))
    headers.set_text(message, "Subject", subject)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = headers.checked_message_id(
        message_id or new_message_id(from_mailbox.addr_spec)
    )
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def _as_mailbox(value: str | Address) -> Address:
    if isinstance(value, Address):
        return headers.mailbox(value.addr_spec, value.display_name)
    return headers.parse_mailbox(value)


def new_message_id(sender: str) -> str:
    """A fresh Message-ID in the domain of `sender` (an address or ``Name <address>``)."""
    return make_msgid(domain=_message_id_domain(sender))


def _message_id_domain(sender: str) -> str:
    try:
        address = headers.parse_mailbox(sender).addr_spec
    except headers.UnsafeHeader:
        address = ""
    return address.rpartition("@")[2] or "localhost"


def queue(kind: str, message: EmailMessage, invitation_id: int | None = None) -> OutboxMessage:
    """Store `message` in the current transaction; it is delivered once the transaction commits.

    Raises headers.UnsafeHeader if its headers do not read back as composed, and
    links.LinkHostUnknown in a request whose host the links (built from it) must not follow.
    """
    kinds.require_name(kind)
    links.require_link_host()
    raw_message = headers.serialise(message)
    entry = OutboxMessage(
        kind=kind,
        invitation_id=invitation_id,
        sender=str(message["From"]),
        recipient=message["To"].addresses[0].addr_spec,
        subject=str(message["Subject"])[: headers.SUBJECT_COLUMN_LENGTH],
        message_id=str(message["Message-ID"]),
        raw_message=raw_message,
    )
    _seal(entry, Sealer(current_app))
    db.session.add(entry)
    db.session.info[_pending_kick] = True
    rehearsal.note_queued(entry)
    return entry


def queue_for_composition(
    kind: str,
    recipient: str,
    sender: str,
    invitation_id: int | None = None,
    details: dict | None = None,
) -> OutboxMessage:
    """Store, in the current transaction, that a message of `kind` is owed to `recipient`; the
    composer registered for `kind` writes it after the commit. The Message-ID is fixed now, so
    that the message can be referred to (and answered) before it is written. `details` (JSON)
    is what the message must say that the state after the commit no longer shows.

    Raises LookupError for a kind without composer, headers.UnsafeHeader for an address that
    cannot go into a header, and links.LinkHostUnknown in a request whose host the links must
    not follow.
    """
    (entry,) = queue_many_for_composition(kind, sender, [(recipient, invitation_id)], details)
    return entry


def queue_many_for_composition(
    kind: str,
    sender: str,
    recipients: list[tuple[str, int | None]],
    details: dict | None = None,
) -> list[OutboxMessage]:
    """`queue_for_composition` for many recipients at once, each with the invitation its
    message belongs to (or None): the sender is checked once, the rows added together."""
    if kind not in _composers:
        raise LookupError(f"no composer registered for mail of kind {kind!r}")
    kinds.require_name(kind)
    link_base = links.link_base_of_request()
    sender = str(_as_mailbox(sender))
    domain = _message_id_domain(sender)
    entries = [
        OutboxMessage(
            kind=kind,
            invitation_id=invitation_id,
            sender=sender,
            recipient=headers.mailbox(recipient).addr_spec,
            subject="",
            message_id=make_msgid(domain=domain),
            raw_message=None,
            details=details,
            # Where SERVER_NAME is not set, the links are built for the request's address,
            # which `link_base_of_request` gives only for a host in TRUSTED_HOSTS.
            link_base=link_base,
        )
        for recipient, invitation_id in recipients
    ]
    db.session.add_all(entries)
    if entries:
        db.session.info[_pending_kick] = True
    for entry in entries:
        rehearsal.note_queued(entry)
    return entries


def compose_pending(limit: int = COMPOSE_BATCH_SIZE) -> int:
    """Write the messages queued for composition; return how many were written.

    A message whose composer fails, or whose headers do not read back as composed, is marked
    failed with the reason (an admin sees it in the outbox); the others are written. Each batch
    is committed on its own.
    """
    written = 0
    while True:
        taken, batch_written = _compose_batch(limit)
        written += batch_written
        if not taken:
            return written


def shared_in_batch() -> dict:
    """A place for composers to keep what the messages of one batch have in common (a rendering,
    a skeleton); it lasts for the batch, within one transaction's view of the data. Outside a
    batch (a preview), a new one each time."""
    shared = _shared_in_batch.get()
    return {} if shared is None else shared


def _compose_batch(limit: int) -> tuple[int, int]:
    """Write the next `limit` messages waiting for composition and commit; return how many
    were taken and how many of them written (the others are marked failed)."""
    claimed = _claim(_waiting_for_composition, limit)
    pending = list(
        db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
        )
    )
    for entry in pending:
        entry.claimed_until = None  # released with the commit that stores the message
    written = 0
    sealer = Sealer(current_app)
    scope = _shared_in_batch.set({})
    # The rows written so far are flushed once, at the commit, not before each composer's query.
    try:
        with db.session.no_autoflush:
            _prepare(pending)
            for entry in pending:
                written += _compose_one(entry, sealer)
    finally:
        _shared_in_batch.reset(scope)
    db.session.commit()
    return len(pending), written


def _waiting_for_composition(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        OutboxMessage.raw_message.is_(None),
        OutboxMessage.state == DeliveryState.QUEUED,
        # Claimed by a composer that is at it, or that died and whose claim has expired.
        sa.or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
    )


Waiting = Callable[[datetime], sa.ColumnElement[bool]]


def _claim(waiting: Waiting, limit: int, **values) -> list[int]:
    """Mark up to `limit` messages for which `waiting(now)` holds as ours for `CLAIM_DURATION`
    (setting `values` too), and commit; return their ids.

    The claim is a conditional update (still waiting?), so that two workers (Celery) never take
    the same message: on PostgreSQL each skips the rows another has locked; elsewhere the second
    waits for the first's lock, then finds those rows taken and looks again."""
    for _attempt in range(5):
        now = utcnow()
        candidate_ids = list(
            db.session.scalars(
                sa.select(OutboxMessage.id)
                .where(waiting(now))
                .order_by(OutboxMessage.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        if not candidate_ids:
            db.session.commit()
            return []
        # One statement for the batch; RETURNING (PostgreSQL, SQLite 3.35+) tells which rows
        # were still ours to take.
        claimed = list(
            db.session.scalars(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id.in_(candidate_ids), waiting(now))
                .values(claimed_until=now + CLAIM_DURATION, **values)
                .returning(OutboxMessage.id)
                .execution_options(synchronize_session=False)
            )
        )
        db.session.commit()
        if claimed:
            return sorted(claimed)
    return []


def _prepare(entries: list[OutboxMessage]) -> None:
    by_preparer: dict[Preparer, list[OutboxMessage]] = {}
    for entry in entries:
        preparer = _preparers.get(entry.kind)
        if preparer is not None:
            by_preparer.setdefault(preparer, []).append(entry)
    for preparer, its_entries in by_preparer.items():
        preparer(its_entries)


def _compose_one(entry: OutboxMessage, sealer: Sealer) -> bool:
    """Write one message waiting for composition into its row, sealed; or mark the row failed
    with the reason. Returns whether it was written."""
    try:
        with _link_context(entry.link_base):
            message = _composers[entry.kind](entry)
        written = message if isinstance(message, Written) else Written.of(message)
    except links.LinkHostUnknown:
        log.warning("Outbox message %s has links to an untrusted host", entry.id)
        entry.state = DeliveryState.FAILED
        entry.last_error = (
            f"compose: refused, links would point to {entry.link_base!r}, which neither "
            "SERVER_NAME nor TRUSTED_HOSTS names"
        )[:2000]
        return False
    except headers.UnsafeHeader as error:
        log.warning("Outbox message %s refused: %s", entry.id, error)
        entry.state = DeliveryState.FAILED
        entry.last_error = f"compose: refused, {error}"[:2000]
        return False
    except Exception as error:  # one broken message must not hold back the others
        log.exception("Composing outbox message %s failed", entry.id)
        entry.state = DeliveryState.FAILED
        entry.last_error = f"compose: {error}"[:2000]
        return False
    entry.sender = written.sender
    entry.recipient = written.recipient
    entry.subject = written.subject[: headers.SUBJECT_COLUMN_LENGTH]
    entry.raw_message = written.raw
    _seal(entry, sealer)
    return True


def _seal(entry: OutboxMessage, sealer: Sealer) -> None:
    """Seal a message just written and read back, with the envelope its row records."""
    entry.seal = sealer.seal(
        entry.raw_message, entry.sender, entry.recipient, entry.subject, entry.message_id
    )


def preview_mail(action: Callable[[], object]) -> rehearsal.MailPreview:
    """What `action` would mail, counted and shown, with nothing sent and nothing kept: the
    transaction is rolled back (see `rehearsal`)."""

    def compose_one(entry: OutboxMessage) -> EmailMessage:
        if entry.raw_message is not None:
            return message_from_bytes(entry.raw_message, policy=default_policy)
        with _link_context(entry.link_base):
            message = _composers[entry.kind](entry)
        if isinstance(message, Written):
            return message_from_bytes(message.raw, policy=default_policy)
        return message

    return rehearsal.rehearse(action, compose_one)


def _link_context(link_base: str | None):
    """Where SERVER_NAME is not configured, links are built for the address the change was
    made from, if its host is (still) one of TRUSTED_HOSTS; raises links.LinkHostUnknown if
    it is not."""
    if current_app.config.get("SERVER_NAME") or not link_base:
        return nullcontext()
    links.check_stored_link_base(link_base)
    return current_app.test_request_context(base_url=link_base)


# The first batch is small, so that the first mail of a large run leaves within moments; later
# ones are larger, so that composing and sending alternate without much overhead.
FIRST_COMPOSE_BATCH = 20
# How long the deliverer waits for the composer's next batch when nothing is due.
_WAIT_FOR_COMPOSER = 0.02


def process() -> tuple[int, int]:
    """Compose what is pending and deliver what is due (if a mail server is configured); return
    how many were sent and how many failed.

    Composing and sending run side by side: while this thread writes the messages batch by
    batch (the first batch small), a second one sends each batch as soon as it is committed.
    Sending mostly waits for the mail server, which is when composing gets on, so a large run
    takes about as long as the slower of the two, not the sum of both.
    """
    if not delivery_configured(current_app):
        compose_pending()
        return 0, 0
    app = current_app._get_current_object()
    composed_all = threading.Event()
    outcome = _Outcome()
    deliverer = threading.Thread(
        target=_deliver_while_composing, args=(app, composed_all, outcome), daemon=True
    )
    deliverer.start()
    try:
        limit = FIRST_COMPOSE_BATCH
        while _compose_batch(limit)[0]:
            limit = COMPOSE_BATCH_SIZE
    finally:
        composed_all.set()
        deliverer.join()
    if outcome.error is not None:
        raise outcome.error  # e.g. the database went away: the caller (a task) tries again
    return outcome.sent, outcome.failed


@dataclass
class _Outcome:
    sent: int = 0
    failed: int = 0
    error: Exception | None = None


def _deliver_while_composing(app: Flask, composed_all: threading.Event, outcome: _Outcome) -> None:
    """Deliver what is due until the composer has finished and nothing more is due, counting
    into `outcome`; an error ends delivery and is handed to the composer's thread."""
    with app.app_context():
        try:
            while True:
                # Read before delivering: what the last batch committed is then still sent.
                finished = composed_all.is_set()
                sent, failed = deliver_due()
                outcome.sent += sent
                outcome.failed += failed
                if finished:
                    return
                if not sent and not failed:
                    composed_all.wait(_WAIT_FOR_COMPOSER)
        except Exception as error:
            outcome.error = error
        finally:
            db.session.remove()


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
    message.last_error = ""
    db.session.info[_pending_kick] = True
    return True


def init_app(app: Flask, start_delivery: Callable[[Flask], None]) -> None:
    """Give `app`'s outbox the function that starts delivery once a transaction that queued
    mail has committed: `deliver_in_thread`, or a broker's task (see `create_app`); and the
    page that tells staff why mail with links was refused."""
    app.extensions[_START_DELIVERY] = start_delivery
    links.register_error_page(app)


def deliver_in_thread(app: Flask) -> None:
    """Process the outbox in a thread of this process; requests do not wait for it unless
    OUTBOX_DELIVERY is "inline"."""
    # SQL cannot run inside the after-commit hook, so the work gets a thread (and a session)
    # of its own.
    thread = threading.Thread(target=_process_in_thread, args=(app,), daemon=True)
    thread.start()
    # A command line tool ends when its command returns, and a daemon thread with it: there the
    # command waits for its mail.
    if app.config["OUTBOX_DELIVERY"] == "inline" or not has_request_context():
        thread.join()


def _after_commit(session: Session) -> None:
    """Start delivering once a transaction that queued mail has committed."""
    if session.in_nested_transaction():
        return  # a savepoint released (the hook hears those too): the transaction goes on
    if not session.info.pop(_pending_kick, False) or not has_app_context():
        return
    app = current_app._get_current_object()
    app.extensions[_START_DELIVERY](app)


def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    # A savepoint rolled back leaves the outer transaction's mail queued (mail queued inside
    # the savepoint went with it; a delivery started for nothing finds nothing due).
    if not previous.nested:
        session.info.pop(_pending_kick, None)


sa.event.listen(Session, "after_commit", _after_commit)
sa.event.listen(Session, "after_soft_rollback", _after_rollback)


def _process_in_thread(app: Flask) -> None:
    with app.app_context():
        try:
            process()
        except Exception:  # the next run retries; a thread has nobody to report to but the log
            log.exception("Background mail delivery failed")


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        OutboxMessage.raw_message.is_not(None),
        sa.or_(
            sa.and_(
                OutboxMessage.state == DeliveryState.QUEUED, OutboxMessage.next_attempt_at <= now
            ),
            # A deliverer that died mid-batch leaves its claim behind; it expires and is retried.
            sa.and_(
                OutboxMessage.state == DeliveryState.SENDING, OutboxMessage.claimed_until < now
            ),
        ),
    )


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the `attempts`-th failure: 1, 2, 4 … minutes, at most six hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def deliver_due(limit: int = BATCH_SIZE) -> tuple[int, int]:
    """Send every due message; return how many were sent and how many failed (or were refused)
    this time."""
    sent = failed = 0
    while True:
        batch = _claim(_due, limit, state=DeliveryState.SENDING)
        if not batch:
            return sent, failed
        batch_sent, batch_failed, batch_refused = _send_batch(batch)
        sent += batch_sent
        failed += batch_failed + batch_refused
        if batch_failed and not batch_sent:
            return sent, failed  # the server is down; stop hammering it until the next run


def _send_batch(message_ids: list[int]) -> tuple[int, int, int]:
    """Send the claimed messages over one SMTP connection and record each outcome; return how
    many were sent, failed and refused.

    A message whose stored headers are not what the outbox wrote (`headers.check_stored`) is
    refused: marked failed with the reason, never sent, and the batch goes on. Each outcome is
    committed before the server takes the next message's content (it is written while the
    server answers that message's envelope), so a deliverer that crashes can send at most the
    one message in flight a second time.
    """
    sent = failed = refused = 0
    messages = db.session.execute(
        sa.select(
            OutboxMessage.id,
            OutboxMessage.sender,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.message_id,
            OutboxMessage.raw_message,
            OutboxMessage.seal,
            OutboxMessage.attempts,
        )
        .where(OutboxMessage.id.in_(message_ids))
        .order_by(OutboxMessage.id)
    ).all()
    db.session.commit()  # ends the read, so that SQLite lets the outcome writer in
    try:
        connection = mail.connect()
        connection.__enter__()
    except (OSError, smtplib.SMTPException) as error:
        for message in messages:
            db.session.execute(_failure(message.id, message.attempts, f"connect: {error}"))
        db.session.commit()
        return 0, len(messages), 0
    table = OutboxMessage.__table__
    sealer = Sealer(current_app)
    try:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as outcomes:
            writer = OutcomeWriter(outcomes)
            try:
                for message in messages:
                    problem = _stored_message_problem(message, sealer)
                    if problem:
                        writer.execute(_refusal(message.id, message.attempts, problem))
                        refused += 1
                        continue
                    try:
                        transmit(
                            connection.host,
                            message.sender,
                            message.recipient,
                            message.raw_message,
                            before_content=writer.settle,
                        )
                    except (OSError, smtplib.SMTPException) as error:
                        writer.execute(_failure(message.id, message.attempts, str(error)))
                        failed += 1
                        # SMTPException is an OSError too; only a lost connection ends the batch.
                        connection_lost = isinstance(
                            error, smtplib.SMTPServerDisconnected
                        ) or not isinstance(error, smtplib.SMTPException)
                        if connection_lost:
                            break
                    else:
                        writer.sent(message.id, message.attempts + 1)
                        sent += 1
            finally:
                writer.close()
            # Not attempted because the connection broke: back in the queue, no attempt used.
            # (After an unexpected error nothing more is written: the claims expire and are
            # retried.)
            outcomes.execute(
                table.update()
                .where(table.c.id.in_(message_ids), table.c.state == DeliveryState.SENDING)
                .values(state=DeliveryState.QUEUED, claimed_until=None)
            )
    finally:
        try:
            connection.__exit__(None, None, None)
        except (OSError, smtplib.SMTPException):
            log.warning("SMTP connection did not close cleanly")
    return sent, failed, refused


def _stored_message_problem(message: sa.Row, sealer: Sealer) -> str:
    """Why a stored message must not be sent (its headers were changed after the outbox wrote
    them), or "" if it may. One whose seal holds is as the outbox wrote and checked it; any
    other is read in full (`seals`)."""
    if sealer.holds(
        message.seal,
        message.raw_message,
        message.sender,
        message.recipient,
        message.subject,
        message.message_id,
    ):
        return ""
    try:
        headers.check_stored(
            message.raw_message,
            sender=message.sender,
            recipient=message.recipient,
            subject=message.subject,
            message_id=message.message_id,
        )
    except headers.UnsafeHeader as error:
        return str(error)
    except Exception as error:  # whatever a changed message makes the parser do, it is not sent
        return f"the stored message cannot be read: {error!r}"
    return ""


def _refusal(message_id: int, attempts_before: int, reason: str) -> sa.Executable:
    """The update recording that a stored message was refused: failed at once, not retried
    (sending it later would not make it right); an admin sees the reason."""
    log.warning("Outbox message %s refused before delivery: %s", message_id, reason)
    table = OutboxMessage.__table__
    return (
        table.update()
        .where(table.c.id == message_id)
        .values(
            state=DeliveryState.FAILED,
            attempts=attempts_before + 1,
            last_error=f"refused before delivery: {reason}"[:2000],
            claimed_until=None,
        )
    )


def _failure(message_id: int, attempts_before: int, error: str) -> sa.Executable:
    """The update recording a failed attempt: back-off, or given up after the last one."""
    attempts = attempts_before + 1
    values = {"attempts": attempts, "last_error": error[:2000], "claimed_until": None}
    if attempts >= current_app.config["OUTBOX_MAX_ATTEMPTS"]:
        values["state"] = DeliveryState.FAILED
    else:
        values["state"] = DeliveryState.QUEUED
        values["next_attempt_at"] = utcnow() + retry_delay(attempts)
    table = OutboxMessage.__table__
    log.warning("Delivery of message %s failed (attempt %s): %s", message_id, attempts, error)
    return table.update().where(table.c.id == message_id).values(**values)
