"""Matching an inbound message to what it is about: the session by calendar UID, the
invitation by ATTENDEE address or by the mail it answers (In-Reply-To/References), and the
`Decision` that the receiving code stores with the message.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventsys.calendar_reading import CalendarAttendee, CalendarTime
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.i18n import format_local_datetime
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.outbox.models import OutboxMessage
from eventsys.replies.models import InboundMessage
from eventsys.replies.parsing import CalendarReply, ParsedMessage, parse_message
from eventsys.replies.states import Outcome
from eventsys.sessions.models import Session


@dataclass
class Decision:
    outcome: Outcome
    explanation: str
    invitation: Invitation | None = None


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


def with_link(parsed: ParsedMessage, explanation: str) -> Decision:
    return Decision(Outcome.NEEDS_REVIEW, explanation, invitation_answered_by_mail(parsed))


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


def describe_time(time: CalendarTime | None) -> str:
    """A proposed time as our users read it (Berlin time), or as written when its zone is
    unknown."""
    if time is None:
        return "–"
    if time.moment is not None:
        return format_local_datetime(time.moment)
    return f"{time.value} ({time.tzid})" if time.tzid else time.value
