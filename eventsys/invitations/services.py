"""Inviting experts, recording their answers, and keeping every calendar in step.

All functions change state, flush, write the audit trail and queue mail in the current
transaction; the caller commits, so a change and the mail it causes are stored together.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eventsys import signals
from eventsys.audit import services as audit
from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.mail import MailKind, queue_invitation_mail
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.states import AttendanceMode, Channel, Response
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionStatus


class InvitationError(ValueError):
    """A user-facing reason why an invitation or an answer was refused."""


def _current_user_id() -> int | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id
    return None


def lock_session(session: Session) -> None:
    """Serialise changes to one session's invitations (capacity, waitlist).

    PostgreSQL locks the row; SQLite has no row locks, so a write to the row takes the
    database's write lock, which equally makes a second writer wait until we commit.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(Session.id).where(Session.id == session.id).with_for_update())
    else:
        db.session.execute(
            sa.update(Session)
            .where(Session.id == session.id)
            .values(ical_sequence=Session.ical_sequence)
        )


def invitations_of(session: Session, include_withdrawn: bool = False) -> list[Invitation]:
    query = (
        sa.select(Invitation)
        .where(Invitation.session_id == session.id)
        .options(selectinload(Invitation.expert).selectinload(Expert.organisation))
        .order_by(Invitation.id)
    )
    if not include_withdrawn:
        query = query.where(Invitation.withdrawn_at.is_(None))
    return list(db.session.scalars(query))


@dataclass
class InviteResult:
    invited: list[Invitation]
    already_invited: list[Expert]
    inactive: list[Expert]


def invite_experts(
    session: Session, experts: Iterable[Expert], kind: str = MailKind.INVITATION
) -> InviteResult:
    """Invite each expert once; send each a calendar invitation (mail of `kind`) in their
    language.

    Experts already invited are skipped (and reported); a withdrawn invitation is renewed as if
    new. Raises InvitationError for a cancelled or past session.
    """
    if session.status == SessionStatus.CANCELLED:
        raise InvitationError(_("The session is cancelled; nobody can be invited."))
    if session.ends_at <= utcnow():
        raise InvitationError(_("The session is over; nobody can be invited any more."))
    lock_session(session)
    existing = {
        invitation.expert_id: invitation
        for invitation in invitations_of(session, include_withdrawn=True)
    }
    result = InviteResult([], [], [])
    seen: set[int] = set()
    for expert in experts:
        if expert.id in seen:
            continue
        seen.add(expert.id)
        if not expert.active:
            result.inactive.append(expert)
            continue
        invitation = existing.get(expert.id)
        if invitation is not None and invitation.withdrawn_at is None:
            result.already_invited.append(expert)
            continue
        if invitation is None:
            invitation = Invitation(session=session, expert=expert)
            db.session.add(invitation)
        invitation.withdrawn_at = None
        # A renewed invitation starts afresh: the answer given before the withdrawal is kept
        # in the history (InvitationAnswer), not shown or exported as the current one.
        invitation.response = Response.NEEDS_ACTION
        invitation.responded_sequence = None
        invitation.responded_at = None
        invitation.channel = None
        invitation.comment = ""
        invitation.attendance_mode = None
        invitation.delegated_to_id = None
        invitation.invited_at = utcnow()
        invitation.invited_by_id = _current_user_id()
        db.session.flush()
        queue_invitation_mail(invitation, kind)
        audit.record(
            "invitation.sent",
            invitation,
            f"{expert.email} invited to session {session.id}",
        )
        result.invited.append(invitation)
    return result


def withdraw_invitation(invitation: Invitation) -> None:
    """Take back an invitation; the expert gets a cancellation for their calendar."""
    if invitation.withdrawn_at is not None:
        raise InvitationError(_("This invitation has already been withdrawn."))
    lock_session(invitation.session)
    was_confirmed_place = invitation.response == Response.ACCEPTED and not invitation.is_waitlisted
    invitation.withdrawn_at = utcnow()
    invitation.waitlisted_at = None
    queue_invitation_mail(invitation, MailKind.WITHDRAWAL)
    audit.record(
        "invitation.withdrawn", invitation, f"Invitation of {invitation.expert.email} withdrawn"
    )
    if was_confirmed_place:
        fill_free_places(invitation.session)


def confirmed_count(session: Session) -> int:
    """Acceptances holding a place (not waiting)."""
    return db.session.scalar(
        sa.select(sa.func.count(Invitation.id)).where(
            Invitation.session_id == session.id,
            Invitation.withdrawn_at.is_(None),
            Invitation.response == Response.ACCEPTED,
            Invitation.waitlisted_at.is_(None),
        )
    )


def fill_free_places(session: Session) -> list[Invitation]:
    """Move the earliest waiting acceptances up while places are free, telling each."""
    if session.capacity is None:
        waiting_limit = None
    else:
        waiting_limit = session.capacity - confirmed_count(session)
        if waiting_limit <= 0:
            return []
    query = (
        sa.select(Invitation)
        .where(
            Invitation.session_id == session.id,
            Invitation.withdrawn_at.is_(None),
            Invitation.waitlisted_at.is_not(None),
        )
        .order_by(Invitation.waitlisted_at, Invitation.id)
        .limit(waiting_limit)
    )
    moved = list(db.session.scalars(query))
    for invitation in moved:
        invitation.waitlisted_at = None
        queue_invitation_mail(invitation, MailKind.MOVED_UP)
        audit.record(
            "invitation.moved_up",
            invitation,
            f"{invitation.expert.email} moved up from the waiting list",
        )
    db.session.flush()
    return moved


@dataclass(frozen=True)
class AnswerOutcome:
    changed: bool  # False when the same answer had been recorded already
    waitlisted: bool = False


def record_answer(
    invitation: Invitation,
    response: Response,
    channel: Channel,
    comment: str = "",
    attendance_mode: AttendanceMode | None = None,
    sequence: int | None = None,
    inbound_message_id: int | None = None,
) -> AnswerOutcome:
    """Record an answer; with a capacity, an acceptance beyond it goes to the waiting list.

    `sequence` is the session version the answer refers to (a calendar reply's SEQUENCE);
    None means the current one. The same answer twice counts once. Raises InvitationError for
    a withdrawn invitation or a cancelled session.
    """
    session = invitation.session
    if invitation.withdrawn_at is not None:
        raise InvitationError(_("This invitation has been withdrawn."))
    if session.status == SessionStatus.CANCELLED:
        raise InvitationError(_("The session has been cancelled."))
    if response == Response.NEEDS_ACTION:
        raise InvitationError(_("Please choose an answer."))
    lock_session(session)
    db.session.refresh(invitation)
    sequence = session.ical_sequence if sequence is None else sequence
    comment = comment.strip()
    if (
        invitation.response == response
        and invitation.responded_sequence == sequence
        and invitation.comment == comment
        and invitation.attendance_mode == attendance_mode
    ):
        return AnswerOutcome(changed=False, waitlisted=invitation.is_waitlisted)

    previous = invitation.response
    held_place = previous == Response.ACCEPTED and not invitation.is_waitlisted
    needs_place = response == Response.ACCEPTED and not held_place and not invitation.is_waitlisted
    # Counted before this invitation changes: once flushed, it would count as holding a place.
    full = (
        needs_place
        and session.capacity is not None
        and confirmed_count(session) >= session.capacity
    )
    invitation.response = response
    invitation.responded_sequence = sequence
    invitation.responded_at = utcnow()
    invitation.channel = channel
    invitation.comment = comment
    invitation.attendance_mode = attendance_mode
    db.session.add(
        InvitationAnswer(
            invitation=invitation,
            response=response,
            sequence=sequence,
            channel=channel,
            comment=comment,
            attendance_mode=attendance_mode,
            recorded_by_id=_current_user_id(),
            inbound_message_id=inbound_message_id,
        )
    )
    waitlisted = False
    if response == Response.ACCEPTED:
        if not needs_place:
            waitlisted = invitation.is_waitlisted
        elif full:
            invitation.waitlisted_at = utcnow()
            waitlisted = True
            db.session.flush()
            queue_invitation_mail(invitation, MailKind.WAITLISTED)
    else:
        invitation.waitlisted_at = None
    db.session.flush()
    audit.record(
        "invitation.answered",
        invitation,
        f"{invitation.expert.email}: {response.value} via {channel.value}",
        {"response": [previous.value, response.value]},
    )
    signals.answer_recorded.send(invitation, previous=previous)
    if held_place and response != Response.ACCEPTED:
        fill_free_places(session)
    return AnswerOutcome(changed=True, waitlisted=waitlisted)


def send_deputy(invitation: Invitation, deputy: Expert, comment: str = "") -> Invitation:
    """The invitee sends `deputy` instead: the answer is recorded as delegated and the deputy
    gets an invitation of their own (see `invite_deputy`). Raises InvitationError for an
    unsuitable deputy."""
    record_answer(invitation, Response.DELEGATED, Channel.LINK, comment=comment)
    return invite_deputy(invitation, deputy)


def invite_deputy(invitation: Invitation, deputy: Expert) -> Invitation:
    """Give `deputy` an invitation of their own, standing in for `invitation`'s invitee.

    An invitation names at most one deputy: a deputy named earlier, invited only as a deputy,
    is withdrawn (and gets a cancellation). Raises InvitationError for an unsuitable deputy.
    """
    if deputy.id == invitation.expert_id:
        raise InvitationError(_("Please name someone else as your deputy."))
    if not deputy.active:
        raise InvitationError(_("This person is no longer in the directory."))
    session = invitation.session
    lock_session(session)
    existing = db.session.scalar(
        sa.select(Invitation).where(
            Invitation.session_id == session.id, Invitation.expert_id == deputy.id
        )
    )
    if existing is not None and existing.withdrawn_at is None:
        deputy_invitation = existing
    else:
        result = invite_experts(session, [deputy], kind=MailKind.DEPUTY_INVITED)
        deputy_invitation = result.invited[0]
        deputy_invitation.invited_as_deputy = True
    previous = invitation.delegated_to
    invitation.delegated_to_id = deputy_invitation.id
    db.session.flush()
    if previous is not None and previous.id != deputy_invitation.id:
        _release_deputy(previous)
    return deputy_invitation


def _release_deputy(deputy_invitation: Invitation) -> None:
    """Withdraw an invitation that was made only for a deputy no one names any more."""
    if not deputy_invitation.invited_as_deputy or deputy_invitation.withdrawn_at is not None:
        return
    still_named = db.session.scalar(
        sa.select(sa.func.count(Invitation.id)).where(
            Invitation.delegated_to_id == deputy_invitation.id,
            Invitation.response == Response.DELEGATED,
        )
    )
    if not still_named:
        withdraw_invitation(deputy_invitation)


def release_deputy_of(invitation: Invitation) -> None:
    """The invitee answers for themselves again: a deputy invited only for them is withdrawn."""
    previous = invitation.delegated_to
    if previous is None:
        return
    invitation.delegated_to_id = None
    db.session.flush()
    _release_deputy(previous)


def session_moved(session: Session) -> int:
    """After a change of time or place: SEQUENCE + 1 and an update to everyone who has not
    declined, asking them to confirm again. Returns how many updates were queued."""
    session.ical_sequence += 1
    for invitation in invitations_of(session):
        invitation.eve_reminder_sent_at = None
        invitation.deadline_reminder_sent_at = None
    db.session.flush()
    count = 0
    for invitation in invitations_of(session):
        if invitation.response in (Response.DECLINED, Response.DELEGATED):
            continue
        queue_invitation_mail(invitation, MailKind.UPDATE)
        count += 1
    audit.record(
        "session.update_sent",
        session,
        f"Update (SEQUENCE {session.ical_sequence}) sent to {count} invitees",
    )
    return count


def session_cancelled(session: Session) -> int:
    """After a cancellation: SEQUENCE + 1 and METHOD:CANCEL to every invitee."""
    session.ical_sequence += 1
    db.session.flush()
    invitations = invitations_of(session)
    for invitation in invitations:
        queue_invitation_mail(invitation, MailKind.CANCELLATION)
    audit.record(
        "session.cancellation_sent",
        session,
        f"Cancellation (SEQUENCE {session.ical_sequence}) sent to {len(invitations)} invitees",
    )
    return len(invitations)
