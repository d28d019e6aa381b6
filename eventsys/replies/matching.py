"""Matching an inbound message to what it is about: the session by calendar UID, the
invitation by ATTENDEE address or by the mail it answers (In-Reply-To/References), and the
`Decision` that the receiving code stores with the message.
"""

import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventsys.calendar_reading import CalendarAttendee
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.outbox.models import OutboxMessage
from eventsys.replies.models import InboundMessage
from eventsys.replies.parsing import CalendarReply, ParsedMessage, parse_message
from eventsys.replies.reasons import Reason
from eventsys.replies.states import Outcome
from eventsys.sessions.models import Session

# "AW: ", "Re: ", "RE: ", "Antwort: " and the like, as mail programs put them before the subject
# they answer, possibly several times ("AW: AW: …", "Re[2]: …").
_REPLY_PREFIX = re.compile(r"^\s*(?:re|aw|antw|antwort|sv)(?:\[\d+\])?\s*:\s*", re.I)
# Mails a reply subject is compared with: so many of the sender's most recent ones.
MAILS_COMPARED = 50


@dataclass
class Decision:
    outcome: Outcome
    reasons: list[Reason] = field(default_factory=list)
    invitation: Invitation | None = None

    @classmethod
    def because(
        cls, outcome: Outcome, reason: Reason, invitation: Invitation | None = None
    ) -> "Decision":
        return cls(outcome, [reason], invitation)


def invitation_answered_by_mail(parsed: ParsedMessage) -> Invitation | None:
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


def invitation_label(invitation: Invitation) -> dict[str, str]:
    return {"invitee": invitation.expert.email, "session": invitation.session.title}


def with_link(parsed: ParsedMessage, reason: Reason) -> Decision:
    return Decision(Outcome.NEEDS_REVIEW, [reason], invitation_answered_by_mail(parsed))


def answered_subject(subject: str) -> str | None:
    """The subject a reply's subject answers ("AW: Einladung: X" answers "Einladung: X"),
    compared without letter case and with runs of spaces as one; None when it names no reply."""
    stripped, replies = subject, 0
    while (match := _REPLY_PREFIX.match(stripped)) is not None:
        stripped, replies = stripped[match.end() :], replies + 1
    if not replies:
        return None
    return comparable_subject(stripped) or None


def comparable_subject(subject: str) -> str:
    return " ".join(subject.split()).casefold()


def invitation_answered_by_subject(parsed: ParsedMessage) -> Invitation | None:
    """The invitation whose mail this one answers by its subject ("AW:" and the subject of a
    mail to that invitee) when it comes from the invitee's own address; of several, the one
    most recently mailed."""
    answered = answered_subject(parsed.subject)
    if answered is None or not parsed.sender:
        return None
    mails = db.session.execute(
        sa.select(OutboxMessage.subject, OutboxMessage.invitation_id)
        .join(Invitation, Invitation.id == OutboxMessage.invitation_id)
        .join(Expert, Expert.id == Invitation.expert_id)
        .where(
            Expert.email == parsed.sender,
            Invitation.withdrawn_at.is_(None),
            OutboxMessage.subject != "",
        )
        .order_by(OutboxMessage.id.desc())
        .limit(MAILS_COMPARED)
    )
    for subject, invitation_id in mails:
        if comparable_subject(subject) == answered:
            return db.session.get(Invitation, invitation_id)
    return None


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


@dataclass(frozen=True)
class CalendarEntry:
    """What a reply's UID names: one invitee's calendar entry, or the session's shared UID,
    which invitations sent before they had UIDs of their own carry."""

    session: Session
    invitation: Invitation | None  # whose own UID it is; None for the session's shared UID


def calendar_entry_for_uid(uid: str) -> CalendarEntry | None:
    """The calendar entry `uid` names (exactly, else ignoring letter case): an invitation's
    own, when it names exactly one, else a session's; None when it names neither."""
    if not uid:
        return None
    invitations = list(
        db.session.scalars(sa.select(Invitation).where(Invitation.ical_uid == uid).limit(2))
    )
    if not invitations:
        invitations = list(
            db.session.scalars(
                sa.select(Invitation)
                .where(sa.func.lower(Invitation.ical_uid) == uid.lower())
                .limit(2)
            )
        )
    if len(invitations) == 1:
        return CalendarEntry(invitations[0].session, invitations[0])
    session = session_for_uid(uid)
    return CalendarEntry(session, None) if session is not None else None


def answering_invitations(entry: CalendarEntry) -> dict[str, Invitation]:
    """By attendee address, the invitations a reply in `entry` may answer: the invitation whose
    entry it is and that of the deputy its invitee named; for the session's shared UID, the
    invitations sent with it (before invitations had UIDs of their own) and their deputies'.
    """
    if entry.invitation is not None:
        holders = [entry.invitation]
    else:
        holders = list(
            db.session.scalars(
                sa.select(Invitation)
                .where(Invitation.session_id == entry.session.id, Invitation.ical_uid.is_(None))
                .options(
                    selectinload(Invitation.expert),
                    selectinload(Invitation.delegated_to).selectinload(Invitation.expert),
                )
                .order_by(Invitation.id)
            )
        )
    answering: dict[str, Invitation] = {}
    for holder in holders:
        answering.setdefault(holder.expert.email.lower(), holder)
    for holder in holders:
        deputy = holder.delegated_to
        if deputy is not None and deputy.withdrawn_at is None:
            answering.setdefault(deputy.expert.email.lower(), deputy)
    return answering


def invitations_by_address(session: Session, addresses: list[str]) -> dict[str, Invitation]:
    if not addresses:
        return {}
    invitations = db.session.scalars(
        sa.select(Invitation)
        .join(Invitation.expert)
        .where(Invitation.session_id == session.id, Expert.email.in_(addresses))
        .options(selectinload(Invitation.expert))
    )
    return {invitation.expert.email: invitation for invitation in invitations}


def chosen_attendee(
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


def answer_written_later(
    invitation: Invitation, calendar: CalendarReply
) -> InvitationAnswer | None:
    """The recorded answer, if it came from a calendar reply that is still valid for the
    session and that its client wrote after this one (DTSTAMP): mails can overtake each
    other."""
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
        # Only an answer still valid for the session as it is now can overrule this one.
        or latest.sequence < invitation.session.major_change_sequence
    ):
        return None
    return latest if previous.dtstamp > calendar.dtstamp else None
