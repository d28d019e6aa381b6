"""Taking in answers that arrive by mail, and the decisions people make about them.

Every message is stored once (recognised by the SHA-256 of its bytes) with its outcome and a
sentence saying why. Calendar replies are matched to an invitation by the session's calendar UID
and the ATTENDEE address; what cannot be matched waits for a person. Like the other services,
these functions change state and flush; the caller commits.
"""

import hashlib
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eventsys.audit import services as audit
from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.i18n import format_local_datetime
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.services import InvitationError, record_answer, send_deputy
from eventsys.invitations.states import Channel, Response
from eventsys.outbox.models import OutboxMessage
from eventsys.replies.models import InboundMessage
from eventsys.replies.parsing import (
    CalendarAttendee,
    CalendarReply,
    CalendarTime,
    ParsedMessage,
    clean_text,
    parse_message,
)
from eventsys.replies.states import Outcome, Source
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionStatus

log = logging.getLogger(__name__)

ANSWERS = {
    "ACCEPTED": Response.ACCEPTED,
    "TENTATIVE": Response.TENTATIVE,
    "DECLINED": Response.DECLINED,
}
# What a person may decide for a message in the queue.
DECISIONS = ("accepted", "tentative", "declined", "ignore")
OPEN_OUTCOMES = (Outcome.NEEDS_REVIEW,)


class ReplyError(ValueError):
    """A user-facing reason why a decision about a message was refused."""


@dataclass(frozen=True)
class Receipt:
    message: InboundMessage
    repeated: bool  # the same bytes had arrived before; `message` is the earlier one


@dataclass
class Decision:
    outcome: Outcome
    explanation: str
    invitation: Invitation | None = None


def _stored_language():
    """Explanations are kept in the platform's language, whoever's action wrote them, so that
    the queue reads in one language."""
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def _column_text(value: str, length: int) -> str:
    return clean_text(value)[:length]


def _stored(digest: str) -> InboundMessage | None:
    return db.session.scalar(sa.select(InboundMessage).where(InboundMessage.digest == digest))


def ingest(raw: bytes, source: Source) -> InboundMessage:
    """Store one RFC 5322 message and act on it; see `receive`."""
    return receive(raw, source).message


def receive(raw: bytes, source: Source) -> Receipt:
    """Store one RFC 5322 message (once: the same bytes again return the earlier record) and
    decide what it means: apply a calendar reply, keep a stale or repeated one, or put it
    before a person. Never raises for what the message contains; database errors propagate
    and leave nothing stored, so that the sender (IMAP, a mail server's pipe) can try again.
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

    with _stored_language():
        try:
            with db.session.begin_nested():
                decision = _decide(message, parsed)
        except sa.exc.OperationalError:
            raise
        except Exception as error:
            log.exception("Inbound message %s could not be processed", message.id)
            decision = Decision(
                Outcome.NEEDS_REVIEW,
                _(
                    "An unexpected error occurred while processing this message, so it waits "
                    "for a person to decide. (%(error)s)",
                    error=type(error).__name__,
                ),
            )
    message.outcome = decision.outcome
    message.explanation = clean_text(decision.explanation)
    message.invitation_id = decision.invitation.id if decision.invitation else None
    db.session.flush()
    log.info("Inbound message %s: %s", message.id, message.outcome.value)
    return Receipt(message, repeated=False)


# --- Deciding ---------------------------------------------------------------------------------


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
        return _reply(message, parsed, calendar)
    if calendar.method == "COUNTER":
        return _counter(message, parsed, calendar)
    if not calendar.method:
        return _with_link(
            parsed,
            _(
                "The calendar part names no METHOD, so it is not an answer to an invitation. "
                "Please read it and decide."
            ),
        )
    return _with_link(
        parsed,
        _(
            "The calendar part has METHOD:%(method)s, which is not an answer to an invitation. "
            "Please read it and decide.",
            method=calendar.method,
        ),
    )


def _invitation_answered_by_mail(parsed: ParsedMessage) -> Invitation | None:
    """The invitation whose mail this message answers, found by In-Reply-To/References."""
    candidates = parsed.referenced_ids
    if not candidates:
        return None
    sent = {
        entry.message_id: entry.invitation_id
        for entry in db.session.scalars(
            sa.select(OutboxMessage).where(
                OutboxMessage.message_id.in_(candidates), OutboxMessage.invitation_id.is_not(None)
            )
        )
    }
    for candidate in candidates:
        if candidate in sent:
            return db.session.get(Invitation, sent[candidate])
    return None


def _invitation_label(invitation: Invitation) -> dict[str, str]:
    return {"invitee": invitation.expert.email, "session": invitation.session.title}


def _problems(parsed: ParsedMessage) -> str:
    return "; ".join(parsed.problems)


def _without_calendar(parsed: ParsedMessage) -> Decision:
    invitation = _invitation_answered_by_mail(parsed)
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
                **_invitation_label(invitation),
            )
        return Decision(Outcome.NEEDS_REVIEW, explanation, invitation)
    if invitation is not None:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "A plain e-mail without a calendar reply, answering the mail to %(invitee)s "
                "about “%(session)s”. Please read it and set the answer.",
                **_invitation_label(invitation),
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
    invitation = _invitation_answered_by_mail(parsed)
    explanation = _("A mail server reports that a message could not be delivered.")
    if invitation is not None:
        explanation += " " + _(
            "It concerns the mail to %(invitee)s about “%(session)s”; please check the address.",
            **_invitation_label(invitation),
        )
    return Decision(Outcome.NEEDS_REVIEW, explanation, invitation)


def _with_link(parsed: ParsedMessage, explanation: str) -> Decision:
    return Decision(Outcome.NEEDS_REVIEW, explanation, _invitation_answered_by_mail(parsed))


def session_for_uid(uid: str) -> Session | None:
    """The session whose calendar entry has `uid` (exactly, else ignoring letter case)."""
    if not uid:
        return None
    session = db.session.scalar(sa.select(Session).where(Session.ical_uid == uid))
    if session is None:
        session = db.session.scalar(
            sa.select(Session).where(sa.func.lower(Session.ical_uid) == uid.lower()).limit(1)
        )
    return session


def _invitations_by_address(session: Session, addresses: list[str]) -> dict[str, Invitation]:
    if not addresses:
        return {}
    invitations = db.session.scalars(
        sa.select(Invitation)
        .join(Invitation.expert)
        .where(Invitation.session_id == session.id, Expert.email.in_(addresses))
        .options(selectinload(Invitation.expert))
    )
    return {invitation.expert.email: invitation for invitation in invitations}


def _chosen_attendee(
    calendar: CalendarReply, invited: dict[str, Invitation]
) -> CalendarAttendee | None:
    """The attendee who answers: one we invited who states an answer, else one we invited,
    else whoever states an answer (a REPLY names one attendee, or the delegator and delegate).
    """
    attendees = calendar.attendees
    for wanted in (
        lambda a: a.address in invited and a.partstat not in ("", "NEEDS-ACTION"),
        lambda a: a.address in invited,
        lambda a: a.partstat not in ("", "NEEDS-ACTION"),
        lambda a: True,
    ):
        match = next((attendee for attendee in attendees if wanted(attendee)), None)
        if match is not None:
            return match
    return None


def _not_invited(parsed: ParsedMessage, session: Session, address: str, intro: str) -> Decision:
    explanation = intro
    expert = db.session.scalar(sa.select(Expert).where(Expert.email == address))
    if expert is not None:
        explanation += " " + _(
            "The address belongs to %(name)s in the directory.", name=expert.full_name
        )
    invitation = _invitation_answered_by_mail(parsed)
    from_invitee = _invitations_by_address(session, [parsed.sender]).get(parsed.sender)
    if invitation is not None and invitation.session_id == session.id:
        explanation += " " + _(
            "The mail answers the invitation sent to %(invitee)s; check whether this is their "
            "answer, given from another address.",
            **_invitation_label(invitation),
        )
    elif from_invitee is not None:
        invitation = from_invitee
        explanation += " " + _(
            "The mail comes from %(invitee)s, who was invited; check whether this is their "
            "answer, given from another address.",
            **_invitation_label(invitation),
        )
    else:
        invitation = None
    return Decision(Outcome.NEEDS_REVIEW, explanation, invitation)


def _reply(message: InboundMessage, parsed: ParsedMessage, calendar: CalendarReply) -> Decision:
    session = session_for_uid(calendar.uid)
    if session is None:
        return _with_link(
            parsed,
            _(
                "The calendar reply refers to an entry (UID %(uid)s) that belongs to no session "
                "here.",
                uid=calendar.uid,
            ),
        )
    invited = _invitations_by_address(
        session, [attendee.address for attendee in calendar.attendees]
    )
    attendee = _chosen_attendee(calendar, invited)
    if attendee is None:
        return _with_link(
            parsed,
            _(
                "The calendar reply about “%(session)s” names no attendee, so it is unclear "
                "whose answer it is.",
                session=session.title,
            ),
        )
    message.attendee = attendee.address[:320]
    invitation = invited.get(attendee.address)
    if invitation is None:
        return _not_invited(
            parsed,
            session,
            attendee.address,
            _(
                "%(attendee)s was never invited to “%(session)s”.",
                attendee=attendee.address,
                session=session.title,
            ),
        )
    labels = {"attendee": attendee.address, "session": session.title}
    if invitation.withdrawn_at is not None:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "The invitation of %(attendee)s to “%(session)s” had been withdrawn when this "
                "reply arrived; it is kept, not recorded.",
                **labels,
            ),
            invitation,
        )
    if session.status == SessionStatus.CANCELLED:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "“%(session)s” has been cancelled; the reply of %(attendee)s is kept, not "
                "recorded.",
                **labels,
            ),
            invitation,
        )
    # A reply without SEQUENCE is taken as answering the current version: dropping it would
    # lose an answer, and the clients INTEROP.md describes all echo SEQUENCE.
    sequence = session.ical_sequence if calendar.sequence is None else calendar.sequence
    if sequence < session.ical_sequence:
        return Decision(
            Outcome.STALE,
            _(
                "This reply answers version %(version)d of “%(session)s”, which has changed "
                "since (now version %(current)d). It is kept, not recorded: only an answer "
                "of %(attendee)s to the changed invitation counts.",
                version=sequence,
                current=session.ical_sequence,
                **labels,
            ),
            invitation,
        )
    # A client that counts further than we do still answers the current version.
    sequence = session.ical_sequence
    later = _answer_written_later(invitation, calendar)
    if later is not None:
        return Decision(
            Outcome.STALE,
            _(
                "%(attendee)s answered again after writing this reply (%(answer)s, already "
                "recorded); this earlier reply is kept, not recorded.",
                answer=later.response.label,
                **labels,
            ),
            invitation,
        )
    note = calendar.note_of(attendee)
    if attendee.partstat == "DELEGATED":
        return _delegation(message, invitation, attendee, note, sequence)
    response = ANSWERS.get(attendee.partstat)
    if response is None:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "The reply of %(attendee)s does not say whether they will come (PARTSTAT "
                "%(partstat)s).",
                partstat=attendee.partstat or "–",
                **labels,
            ),
            invitation,
        )
    same_answer = invitation.response == response and invitation.responded_sequence == sequence
    if not note and same_answer:
        # A reply without a note does not erase the note given with the same answer earlier.
        note = invitation.comment
    mode = invitation.attendance_mode if response != Response.DECLINED else None
    result = record_answer(
        invitation,
        response,
        Channel.CALENDAR,
        comment=note,
        attendance_mode=mode,
        sequence=sequence,
        inbound_message_id=message.id,
    )
    if not result.changed:
        return Decision(
            Outcome.DUPLICATE,
            _(
                "The same answer (%(answer)s) of %(attendee)s had been recorded already; "
                "nothing changed.",
                answer=response.label,
                **labels,
            ),
            invitation,
        )
    explanation = _(
        "Calendar reply of %(attendee)s recorded for “%(session)s”: %(answer)s.",
        answer=response.label,
        **labels,
    )
    if result.waitlisted:
        explanation += " " + _("The session is full; the acceptance is on the waiting list.")
    return Decision(Outcome.APPLIED, explanation, invitation)


def _answer_written_later(
    invitation: Invitation, calendar: CalendarReply
) -> InvitationAnswer | None:
    """The recorded answer, if it came from a calendar reply to the same version that its
    client wrote after this one (DTSTAMP): mails can overtake each other."""
    if not calendar.dtstamp.endswith("Z"):
        return None
    latest = db.session.scalar(
        sa.select(InvitationAnswer)
        .where(InvitationAnswer.invitation_id == invitation.id)
        .order_by(InvitationAnswer.received_at.desc(), InvitationAnswer.id.desc())
        .limit(1)
    )
    if latest is None or latest.inbound_message_id is None:
        return None
    earlier = db.session.get(InboundMessage, latest.inbound_message_id)
    previous = parse_message(earlier.raw_message).calendar if earlier is not None else None
    if (
        previous is None
        or previous.uid.lower() != calendar.uid.lower()
        or not previous.dtstamp.endswith("Z")
        or len(previous.dtstamp) != len(calendar.dtstamp)
        or latest.sequence != invitation.session.ical_sequence
    ):
        return None
    return latest if previous.dtstamp > calendar.dtstamp else None


def _delegation(
    message: InboundMessage,
    invitation: Invitation,
    attendee: CalendarAttendee,
    note: str,
    sequence: int,
) -> Decision:
    labels = {"attendee": attendee.address, "session": invitation.session.title}
    if not attendee.delegated_to:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "%(attendee)s delegated the invitation to “%(session)s” without naming a deputy.",
                **labels,
            ),
            invitation,
        )
    deputies = {
        expert.email: expert
        for expert in db.session.scalars(
            sa.select(Expert).where(Expert.email.in_(attendee.delegated_to))
        )
    }
    deputy = next((deputies[a] for a in attendee.delegated_to if a in deputies), None)
    if deputy is None:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "%(attendee)s wants to send %(deputy)s as a deputy to “%(session)s”, but that "
                "address is not in the directory. Add the person to the directory and invite "
                "them, or set the answer here.",
                deputy=", ".join(attendee.delegated_to),
                **labels,
            ),
            invitation,
        )
    labels["deputy"] = deputy.email
    previous_deputy = invitation.delegated_to
    try:
        with db.session.begin_nested():
            # Recorded first as the calendar answer it is; send_deputy then finds it in place.
            result = record_answer(
                invitation,
                Response.DELEGATED,
                Channel.CALENDAR,
                comment=note,
                sequence=sequence,
                inbound_message_id=message.id,
            )
            deputy_invitation = send_deputy(invitation, deputy, comment=note)
    except InvitationError as error:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "%(attendee)s wants to send %(deputy)s as a deputy to “%(session)s”: %(reason)s",
                reason=str(error),
                **labels,
            ),
            invitation,
        )
    if (
        not result.changed
        and previous_deputy is not None
        and previous_deputy.id == deputy_invitation.id
    ):
        return Decision(
            Outcome.DUPLICATE,
            _(
                "%(attendee)s had already named %(deputy)s as a deputy for “%(session)s”; "
                "nothing changed.",
                **labels,
            ),
            invitation,
        )
    return Decision(
        Outcome.APPLIED,
        _(
            "%(attendee)s sends %(deputy)s as a deputy to “%(session)s”; %(deputy)s has an "
            "invitation of their own.",
            **labels,
        ),
        invitation,
    )


def describe_time(time: CalendarTime | None) -> str:
    """A proposed time as our users read it (Berlin time), or as written when its zone is
    unknown."""
    if time is None:
        return "–"
    if time.moment is not None:
        return format_local_datetime(time.moment)
    return f"{time.value} ({time.tzid})" if time.tzid else time.value


def _counter(message: InboundMessage, parsed: ParsedMessage, calendar: CalendarReply) -> Decision:
    session = session_for_uid(calendar.uid)
    if session is None:
        return _with_link(
            parsed,
            _(
                "A counter-proposal for a calendar entry (UID %(uid)s) that belongs to no "
                "session here.",
                uid=calendar.uid,
            ),
        )
    invited = _invitations_by_address(session, [a.address for a in calendar.attendees])
    attendee = _chosen_attendee(calendar, invited)
    address = attendee.address if attendee else parsed.sender
    message.attendee = address[:320]
    invitation = invited.get(address)
    explanation = _(
        "%(attendee)s proposes another time for “%(session)s”: %(start)s to %(end)s. This is "
        "shown to the organisers with the session's invitations; the answer is not changed.",
        attendee=address or "?",
        session=session.title,
        start=describe_time(calendar.start),
        end=describe_time(calendar.end),
    )
    note = calendar.note_of(attendee)
    if note:
        explanation += " " + _("Note: “%(note)s”", note=note)
    if invitation is None:
        explanation += " " + _("The sender was not invited to this session.")
    return Decision(Outcome.COUNTER_PROPOSAL, explanation, invitation)


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CounterProposal:
    message: InboundMessage
    attendee: str
    start: str
    end: str
    note: str


def counter_proposals_for(session: Session) -> list[CounterProposal]:
    """Counter-proposals (METHOD:COUNTER) for `session`, newest first, for its organisers."""
    messages = db.session.scalars(
        sa.select(InboundMessage)
        .where(
            InboundMessage.outcome == Outcome.COUNTER_PROPOSAL,
            sa.func.lower(InboundMessage.calendar_uid) == session.ical_uid.lower(),
        )
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
    )
    proposals = []
    for message in messages:
        calendar = parse_message(message.raw_message).calendar
        if calendar is None:
            continue
        proposals.append(
            CounterProposal(
                message=message,
                attendee=message.attendee or message.sender,
                start=describe_time(calendar.start),
                end=describe_time(calendar.end),
                note=calendar.note_of(calendar.attendee_named(message.attendee)),
            )
        )
    return proposals


def list_messages(outcome: Outcome | None, page: int, per_page: int = 50):
    """A page of stored messages, newest first; all outcomes when `outcome` is None."""
    query = sa.select(InboundMessage).order_by(
        InboundMessage.received_at.desc(), InboundMessage.id.desc()
    )
    if outcome is not None:
        query = query.where(InboundMessage.outcome == outcome)
    query = query.options(
        selectinload(InboundMessage.invitation).selectinload(Invitation.expert),
        selectinload(InboundMessage.invitation).selectinload(Invitation.session),
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def count_by_outcome() -> dict[Outcome, int]:
    rows = db.session.execute(
        sa.select(InboundMessage.outcome, sa.func.count(InboundMessage.id)).group_by(
            InboundMessage.outcome
        )
    )
    return {outcome: count for outcome, count in rows}


def session_of(message: InboundMessage) -> Session | None:
    """The session a message is about: its invitation's, else the one its calendar UID names."""
    if message.invitation is not None:
        return message.invitation.session
    return session_for_uid(message.calendar_uid)


def invitation_choices_for(message: InboundMessage) -> list[Invitation]:
    """Invitations a person may assign `message` to: those of its session, or, when no session
    is known, those of every session still ahead and not cancelled."""
    query = (
        sa.select(Invitation)
        .join(Invitation.session)
        .join(Invitation.expert)
        .where(Invitation.withdrawn_at.is_(None))
        .options(selectinload(Invitation.expert), selectinload(Invitation.session))
        .order_by(Session.starts_at, Session.id, Expert.last_name, Expert.first_name)
    )
    session = session_of(message)
    if session is not None:
        query = query.where(Invitation.session_id == session.id)
    else:
        query = query.where(Session.ends_at > utcnow(), Session.status != SessionStatus.CANCELLED)
    return list(db.session.scalars(query))


def suggested_invitation(message: InboundMessage, choices: list[Invitation]) -> Invitation | None:
    """The linked invitation, else the one whose invitee wrote the message or is its ATTENDEE."""
    if message.invitation is not None:
        return message.invitation
    parsed = parse_message(message.raw_message)
    for address in (message.attendee, parsed.sender):
        match = next((i for i in choices if address and i.expert.email == address), None)
        if match is not None:
            return match
    return None


# --- Decisions by people ----------------------------------------------------------------------


def _signed_in_user():
    if has_request_context() and current_user.is_authenticated:
        return current_user
    return None


def decide(message: InboundMessage, decision: str, invitation: Invitation | None) -> None:
    """A person's decision about a message in the queue: record an answer (accepted, tentative,
    declined) for `invitation`, or set the message aside ("ignore"). Raises ReplyError when the
    message is not waiting for a decision or the decision cannot be carried out."""
    if message.outcome not in OPEN_OUTCOMES:
        raise ReplyError(_("This message has been dealt with already."))
    if decision not in DECISIONS:
        raise ReplyError(_("Please choose a decision."))
    person = _signed_in_user()
    user = person.name if person is not None else "system"
    if decision == "ignore":
        message.outcome = Outcome.IGNORED
        with _stored_language():
            note = _("Set aside by %(user)s.", user=user)
    else:
        if invitation is None:
            raise ReplyError(_("Please choose the invitation this message answers."))
        response = Response(decision)
        calendar = parse_message(message.raw_message).calendar
        comment = calendar.note_of(calendar.attendee_named(message.attendee)) if calendar else ""
        try:
            record_answer(
                invitation,
                response,
                Channel.MANUAL,
                comment=comment,
                attendance_mode=invitation.attendance_mode
                if response != Response.DECLINED
                else None,
                inbound_message_id=message.id,
            )
        except InvitationError as error:
            raise ReplyError(str(error)) from error
        message.invitation_id = invitation.id
        message.invitation = invitation
        message.outcome = Outcome.RESOLVED
        with _stored_language():
            note = _(
                "Decided by %(user)s: %(answer)s for %(invitee)s.",
                user=user,
                answer=response.label,
                invitee=invitation.expert.email,
            )
    message.decided_at = utcnow()
    message.decided_by_id = person.id if person is not None else None
    message.explanation = f"{message.explanation}\n{note}".strip()
    db.session.flush()
    audit.record(
        "reply.decided",
        message,
        f"Inbound message {message.id}: {decision}"
        + (f" for invitation {invitation.id}" if invitation and decision != "ignore" else ""),
        {"outcome": [Outcome.NEEDS_REVIEW.value, message.outcome.value]},
    )
