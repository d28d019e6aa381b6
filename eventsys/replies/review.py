"""What the review queue shows: stored messages by outcome, the counter-proposals for a
session, and the invitations a person may assign a message to."""

import sqlalchemy as sa
from sqlalchemy.orm import defer, selectinload

from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.replies.matching import (
    calendar_entry_for_uid,
    invitation_answered_by_mail,
    invitation_answered_by_subject,
)
from eventsys.replies.models import CounterProposal, InboundMessage
from eventsys.replies.parsing import parse_message
from eventsys.replies.states import Outcome
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionStatus


def counter_proposals_for(session: Session, open_only: bool = True) -> list[CounterProposal]:
    """Counter-proposals (METHOD:COUNTER) of `session`'s invitees, newest first, for its
    organisers: those not yet dealt with, unless `open_only` is False. One query."""
    query = (
        sa.select(CounterProposal)
        .join(CounterProposal.invitation)
        .where(Invitation.session_id == session.id, Invitation.withdrawn_at.is_(None))
        .options(
            selectinload(CounterProposal.invitation).selectinload(Invitation.expert),
            selectinload(CounterProposal.dealt_with_by),
        )
        .order_by(CounterProposal.received_at.desc(), CounterProposal.id.desc())
    )
    if open_only:
        query = query.where(CounterProposal.dealt_with_at.is_(None))
    return list(db.session.scalars(query))


def counter_proposal_of(session: Session, proposal_id: int) -> CounterProposal | None:
    proposal = db.session.get(CounterProposal, proposal_id)
    if proposal is None or proposal.invitation.session_id != session.id:
        return None
    return proposal


def list_messages(outcome: Outcome | None, page: int, per_page: int = 50):
    """A page of stored messages, newest first; all outcomes when `outcome` is None."""
    query = sa.select(InboundMessage).order_by(
        InboundMessage.received_at.desc(), InboundMessage.id.desc()
    )
    if outcome is not None:
        query = query.where(InboundMessage.outcome == outcome)
    query = query.options(
        # The raw mail (attachments can be megabytes) is read only on a message's own page.
        defer(InboundMessage.raw_message),
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
    """The obvious match, chosen already in the assignment: the linked invitation; else the
    one whose mail it answers (In-Reply-To or References, or "AW:" and that mail's subject from
    the invitee's address), for a message stored before such replies were linked; else the one
    whose invitee is its ATTENDEE or wrote it."""
    if message.invitation is not None and message.invitation in choices:
        return message.invitation
    parsed = parse_message(message.raw_message)
    answered = invitation_answered_by_mail(parsed) or invitation_answered_by_subject(parsed)
    if answered is not None and answered in choices:
        return answered
    for address in (message.attendee, parsed.sender):
        match = next((i for i in choices if address and i.expert.email == address), None)
        if match is not None:
            return match
    return None
