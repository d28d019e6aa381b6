"""Receiving answers that arrive by mail: each message is stored once (recognised by the
SHA-256 of its bytes) with its outcome and the reasons why (codes and values, see `reasons`).

Calendar replies and counter-proposals are handed to `calendar_answers`; what is not a calendar
answer (plain mail, delivery reports, automatic replies, unreadable calendar parts) is judged
here, and what cannot be settled waits for a person. A calendar part that was cut off or
whose times cannot be read is never applied, whatever answer it gives. These functions change
state and flush; the caller commits.
"""

import hashlib
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from eventsys.extensions import db
from eventsys.replies.authenticity import sender_problem
from eventsys.replies.calendar_answers import decide_counter, decide_reply
from eventsys.replies.matching import (
    Decision,
    answering_invitations,
    calendar_entry_for_uid,
    chosen_attendee,
    invitation_answered_by_mail,
    invitation_answered_by_subject,
    invitation_label,
    with_link,
)
from eventsys.replies.models import InboundMessage
from eventsys.replies.parsing import CalendarReply, ParsedMessage, clean_text, parse_message
from eventsys.replies.reasons import Reason, reason
from eventsys.replies.states import Outcome, Source

log = logging.getLogger(__name__)

ERROR_DETAIL_CHARS = 200


@dataclass(frozen=True)
class Receipt:
    message: InboundMessage
    repeated: bool  # the same bytes had arrived before; `message` is the earlier one


def stored_language():
    """What goes into a reason's values as text (an error's message) is written in the
    platform's language, whoever's action wrote it, so that the queue reads in one language."""
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


def size_refusal(raw: bytes) -> str | None:
    """Why a mail server's message is refused before anything is stored (it is longer than
    REPLIES_MAX_MESSAGE_BYTES), in English for the mail server's log; None when it may be taken
    in. The mail server then returns it to its sender, who learns that it did not arrive."""
    limit = int(current_app.config["REPLIES_MAX_MESSAGE_BYTES"])
    if len(raw) > limit:
        return f"the message is longer than the {limit} bytes taken in"
    return None


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
        reasons=[],
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
            decision = Decision.because(
                Outcome.NEEDS_REVIEW,
                reason("unexpected_error", error=clean_text(describe_error(error))),
            )
    message.outcome = decision.outcome
    message.reasons = [_clean(item.as_data()) for item in decision.reasons]
    message.invitation_id = decision.invitation.id if decision.invitation else None
    db.session.flush()
    log.info("Inbound message %s: %s", message.id, message.outcome.value)
    return Receipt(message, repeated=False)


def _clean(value):
    """A reason's data with every text made safe to store (see `clean_text`)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    return value


def _decide(message: InboundMessage, parsed: ParsedMessage) -> Decision:
    if not parsed.looks_like_mail:
        if not message.raw_message.strip():
            return Decision.because(Outcome.NEEDS_REVIEW, reason("empty"))
        return Decision.because(Outcome.NEEDS_REVIEW, reason("not_mail"))
    if parsed.delivery_report:
        return _delivery_report(parsed)
    calendar = parsed.calendar
    if calendar is None:
        return _without_calendar(parsed)
    if parsed.unsound_calendars:
        return _unsound_calendar(message, parsed, calendar)
    if calendar.method == "REPLY":
        return decide_reply(message, parsed, calendar)
    if calendar.method == "COUNTER":
        return decide_counter(message, parsed, calendar)
    if not calendar.method:
        return with_link(parsed, reason("no_method"))
    return with_link(parsed, reason("other_method", method=calendar.method))


def _unsound_calendar(
    message: InboundMessage, parsed: ParsedMessage, calendar: CalendarReply
) -> Decision:
    """A calendar part that was cut off or names times that cannot be read: whatever its
    PARTSTAT says, the rest of it cannot be trusted either, so a person decides. The invitation
    its UID and ATTENDEE name (or the mail it answers) is linked, so that it is chosen
    already."""
    reasons: list[Reason] = []
    for unsound in parsed.unsound_calendars:
        if unsound.unclosed:
            missing = ", ".join(f"END:{name}" for name in unsound.unclosed[:3])
            reasons.append(reason("calendar_incomplete", missing=missing))
        for name, value in unsound.unreadable_times[:3]:
            reasons.append(reason("calendar_bad_time", property=name, value=value[:100]))
    # Two parts with the same defect (inline and attached) say it once.
    reasons = list({(item.code, str(item.values)): item for item in reasons}.values())
    invitation = None
    entry = calendar_entry_for_uid(calendar.uid)
    if entry is not None:
        answering = answering_invitations(entry)
        attendee = chosen_attendee(calendar, answering)
        if attendee is not None:
            message.attendee = attendee.address[:320]
            invitation = answering.get(attendee.address)
            problem = sender_problem(parsed, attendee) if invitation is not None else None
            if problem is not None:
                reasons.append(problem)
    invitation = invitation or invitation_answered_by_mail(parsed)
    return Decision(Outcome.NEEDS_REVIEW, reasons, invitation)


def _problems(parsed: ParsedMessage) -> str:
    return "; ".join(parsed.problems)


def _without_calendar(parsed: ParsedMessage) -> Decision:
    invitation = invitation_answered_by_mail(parsed)
    if parsed.auto_reply:
        return Decision.because(
            Outcome.IGNORED, reason("auto_reply", reason=parsed.auto_reply), invitation
        )
    if parsed.calendar_parts:
        reasons = [reason("calendar_unreadable", problems=_problems(parsed))]
        if invitation is not None:
            reasons.append(reason("answers_mail_about", **invitation_label(invitation)))
        return Decision(Outcome.NEEDS_REVIEW, reasons, invitation)
    # A plain reply from an invitee's own address, its subject that of their invitation mail
    # with "AW:" before it, is linked too: then the answer is one click.
    invitation = invitation or invitation_answered_by_subject(parsed)
    if invitation is not None:
        return Decision.because(
            Outcome.NEEDS_REVIEW,
            reason("plain_linked", **invitation_label(invitation)),
            invitation,
        )
    reasons = [reason("plain_unlinked")]
    if parsed.problems:
        reasons.append(reason("problems", problems=_problems(parsed)))
    return Decision(Outcome.NEEDS_REVIEW, reasons)


def _delivery_report(parsed: ParsedMessage) -> Decision:
    invitation = invitation_answered_by_mail(parsed)
    reasons = [reason("delivery_report")]
    if invitation is not None:
        reasons.append(reason("delivery_concerns", **invitation_label(invitation)))
    return Decision(Outcome.NEEDS_REVIEW, reasons, invitation)
