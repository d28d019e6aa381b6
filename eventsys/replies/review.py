"""What the review queue shows: stored messages by outcome, the counter-proposals for a
session, and the invitations a person may assign a message to."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.replies.matching import calendar_entry_for_uid, describe_time
from eventsys.replies.models import InboundMessage
from eventsys.replies.parsing import parse_message
from eventsys.replies.states import Outcome
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionStatus


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
            sa.func.lower(InboundMessage.calendar_uid).in_(
                sa.union(
                    sa.select(sa.literal(session.ical_uid.lower())),
                    sa.select(sa.func.lower(Invitation.ical_uid)).where(
                        Invitation.session_id == session.id, Invitation.ical_uid.is_not(None)
                    ),
                )
            ),
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
    entry = calendar_entry_for_uid(message.calendar_uid)
    return entry.session if entry is not None else None


def invitation_choices_for(message: InboundMessage) -> list[Invitation]:
    """Invitations a person may assign `message` to: those of its session, or, when no session
    is known, those of every session still ahead and not cancelled."""
    query = (
        sa.select(Invitation)
        .join(Invitation.session)
        .join(Invitation.expert)
        .where(Invitation.withdrawn_at.is_(None))
        .options(selectinload(Invitation.expert), selectinload(Invitation.session))
        .order_by(Session.starts_at, Session.id, Expert.sort_key, Expert.id)
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
