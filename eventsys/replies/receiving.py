"""Receiving answers that arrive by mail: each message is stored once (recognised by the
SHA-256 of its bytes) with its outcome and a sentence saying why.

Calendar replies and counter-proposals are handed to `calendar_answers`; what is not a calendar
answer (plain mail, delivery reports, automatic replies, unreadable calendar parts) is judged
here, and what cannot be settled waits for a person. These functions change state and flush;
the caller commits.
"""

import hashlib
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from eventsys.extensions import db
from eventsys.replies.calendar_answers import decide_counter, decide_reply
from eventsys.replies.matching import (
    Decision,
    invitation_answered_by_mail,
    invitation_label,
    with_link,
)
from eventsys.replies.models import InboundMessage
from eventsys.replies.parsing import ParsedMessage, clean_text, parse_message
from eventsys.replies.states import Outcome, Source

log = logging.getLogger(__name__)

ERROR_DETAIL_CHARS = 200


@dataclass(frozen=True)
class Receipt:
    message: InboundMessage
    repeated: bool  # the same bytes had arrived before; `message` is the earlier one


def stored_language():
    """Explanations are kept in the platform's language, whoever's action wrote them, so that
    the queue reads in one language."""
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def _column_text(value: str, length: int) -> str:
    return clean_text(value)[:length]


def database_unreachable(error: BaseException) -> bool:
    """True when `error` means the database cannot be used at all (the connection was lost),
    rather than that one statement about one message failed: then every further message would
    fail the same way, and the caller stops and tries again later."""
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, sa.exc.SQLAlchemyError):
        return False
    try:
        with db.session.begin_nested():
            db.session.execute(sa.select(1))
    except sa.exc.SQLAlchemyError:
        return True
    return False


def describe_error(error: BaseException) -> str:
    """The kind of error and the first words of what it says, short enough for the queue (a
    database error's text would repeat a statement with all its values)."""
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    first_line = detail[0] if detail else ""
    if len(first_line) > ERROR_DETAIL_CHARS:
        first_line = first_line[:ERROR_DETAIL_CHARS] + "…"
    return f"{type(error).__name__}: {first_line}" if first_line else type(error).__name__


def _stored(digest: str) -> InboundMessage | None:
    return db.session.scalar(sa.select(InboundMessage).where(InboundMessage.digest == digest))


def ingest(raw: bytes, source: Source) -> InboundMessage:
    """Store one RFC 5322 message and act on it; see `receive`."""
    return receive(raw, source).message


def receive(raw: bytes, source: Source) -> Receipt:
    """Store one RFC 5322 message (once: the same bytes again return the earlier record) and
    decide what it means: apply a calendar reply, keep a stale or repeated one, or put it
    before a person. Never raises for what the message contains: when acting on it fails,
    even in the database, what it did is rolled back to a savepoint and the message is kept for
    a person with the error. Raises only when the database itself cannot be used (or the
    message cannot be stored); then nothing is stored, so that the sender (IMAP, a mail
    server's pipe) can try again.
    """
    digest = hashlib.sha256(raw).hexdigest()
    earlier = _stored(digest)
    if earlier is not None:
        return Receipt(earlier, repeated=True)

    parsed = parse_message(raw)
    calendar = parsed.calendar
    message = InboundMessage(
        source=source,
        digest=digest,
        raw_message=raw,
        message_id=_column_text(parsed.message_id, 998),
        sender=_column_text(parsed.sender_display, 998),
        subject=_column_text(parsed.subject, 998),
        method=_column_text(calendar.method, 20) if calendar else "",
        calendar_uid=_column_text(calendar.uid, 500) if calendar else "",
        outcome=Outcome.NEEDS_REVIEW,
        explanation="",
    )
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except sa.exc.IntegrityError:
        # Another process stored the same message a moment ago.
        earlier = _stored(digest)
        if earlier is None:
            raise
        return Receipt(earlier, repeated=True)

    with stored_language():
        try:
            with db.session.begin_nested():
                decision = _decide(message, parsed)
        except Exception as error:
            # The savepoint is rolled back: the message is kept, whatever it did is undone.
            if database_unreachable(error):
                raise
            log.exception("Inbound message %s could not be processed", message.id)
            decision = Decision(
                Outcome.NEEDS_REVIEW,
                _(
                    "An unexpected error occurred while processing this message, so it waits "
                    "for a person to decide. (%(error)s)",
                    error=describe_error(error),
                ),
            )
    message.outcome = decision.outcome
    message.explanation = clean_text(decision.explanation)
    message.invitation_id = decision.invitation.id if decision.invitation else None
    db.session.flush()
    log.info("Inbound message %s: %s", message.id, message.outcome.value)
    return Receipt(message, repeated=False)


def _decide(message: InboundMessage, parsed: ParsedMessage) -> Decision:
    if not parsed.looks_like_mail:
        if not message.raw_message.strip():
            return Decision(Outcome.NEEDS_REVIEW, _("The message is empty."))
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "This does not look like an e-mail: it has no sender, no subject and no "
                "calendar part."
            ),
        )
    if parsed.delivery_report:
        return _delivery_report(parsed)
    calendar = parsed.calendar
    if calendar is None:
        return _without_calendar(parsed)
    if calendar.method == "REPLY":
        return decide_reply(message, parsed, calendar)
    if calendar.method == "COUNTER":
        return decide_counter(message, parsed, calendar)
    if not calendar.method:
        return with_link(
            parsed,
            _(
                "The calendar part names no METHOD, so it is not an answer to an invitation. "
                "Please read it and decide."
            ),
        )
    return with_link(
        parsed,
        _(
            "The calendar part has METHOD:%(method)s, which is not an answer to an invitation. "
            "Please read it and decide.",
            method=calendar.method,
        ),
    )


def _problems(parsed: ParsedMessage) -> str:
    return "; ".join(parsed.problems)


def _without_calendar(parsed: ParsedMessage) -> Decision:
    invitation = invitation_answered_by_mail(parsed)
    if parsed.auto_reply:
        explanation = _(
            "An automatic reply (%(reason)s), such as an out-of-office notice; set aside.",
            reason=parsed.auto_reply,
        )
        return Decision(Outcome.IGNORED, explanation, invitation)
    if parsed.calendar_parts:
        explanation = _(
            "The message has a calendar part, but it could not be read: %(problems)s.",
            problems=_problems(parsed),
        )
        if invitation is not None:
            explanation += " " + _(
                "It answers the mail to %(invitee)s about “%(session)s”; please read it and "
                "set the answer.",
                **invitation_label(invitation),
            )
        return Decision(Outcome.NEEDS_REVIEW, explanation, invitation)
    if invitation is not None:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "A plain e-mail without a calendar reply, answering the mail to %(invitee)s "
                "about “%(session)s”. Please read it and set the answer.",
                **invitation_label(invitation),
            ),
            invitation,
        )
    explanation = _(
        "A plain e-mail that is neither a calendar reply nor an answer to one of our mails. "
        "Please read it and decide."
    )
    if parsed.problems:
        explanation += " " + _("Problems: %(problems)s.", problems=_problems(parsed))
    return Decision(Outcome.NEEDS_REVIEW, explanation)


def _delivery_report(parsed: ParsedMessage) -> Decision:
    invitation = invitation_answered_by_mail(parsed)
    explanation = _("A mail server reports that a message could not be delivered.")
    if invitation is not None:
        explanation += " " + _(
            "It concerns the mail to %(invitee)s about “%(session)s”; please check the address.",
            **invitation_label(invitation),
        )
    return Decision(Outcome.NEEDS_REVIEW, explanation, invitation)
