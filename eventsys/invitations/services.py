"""Inviting experts, recording their answers, and keeping every calendar in step.

All functions change state, flush, write the audit trail and queue mail in the current
transaction; the caller commits, so a change and the mail it causes are stored together.
"""

import enum
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
from eventsys.invitations.mail import MailKind, queue_invitation_mail, queue_invitation_mails
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
    invited_at, invited_by_id = utcnow(), _current_user_id()
    # Without autoflush: reading an expert that was expired must not write the invitations
    # made so far one by one.
    with db.session.no_autoflush:
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
            invitation.entry_removed = False
            invitation.invited_at = invited_at
            invitation.invited_by_id = invited_by_id
            result.invited.append(invitation)
    # One flush for all (the invitations need their ids for the mail and the audit trail):
    # at 10,000 invitees a flush per invitation made the request take tens of seconds.
    db.session.flush()
    queue_invitation_mails(result.invited, kind)
    audit.record_many(
        (
            "invitation.sent",
            Invitation.__tablename__,
            invitation.id,
            f"{invitation.expert.email} invited to session {session.id}",
            None,
        )
        for invitation in result.invited
    )
    if result.invited:
        signals.experts_invited.send(
            session, experts=[invitation.expert for invitation in result.invited]
        )
    return result


def withdraw_invitation(invitation: Invitation) -> None:
    """Take back an invitation; the expert gets a cancellation for their calendar."""
    if invitation.withdrawn_at is not None:
        raise InvitationError(_("This invitation has already been withdrawn."))
    lock_session(invitation.session)
    was_confirmed_place = invitation.response == Response.ACCEPTED and not invitation.is_waitlisted
    invitation.withdrawn_at = utcnow()
    invitation.waitlisted_at = None
    # The cancellation must outrank the request the invitee's calendar holds.
    invitation.own_sequence += 1
    invitation.entry_removed = True
    queue_invitation_mail(invitation, MailKind.WITHDRAWAL)
    audit.record(
        "invitation.withdrawn", invitation, f"Invitation of {invitation.expert.email} withdrawn"
    )
    if was_confirmed_place:
        fill_free_places(invitation.session)


class Places(enum.Enum):
    """The two kinds of place an acceptance can take: a seat in the room, or a place online
    (in a hybrid session, for those who said they take part online)."""

    ROOM = "room"
    ONLINE = "online"


def places_for(mode: AttendanceMode | None) -> Places:
    # An acceptance that does not say how is counted in the room: a seat is the scarce kind.
    return Places.ONLINE if mode == AttendanceMode.ONLINE else Places.ROOM


def place_limit(session: Session, places: Places) -> int | None:
    """How many places of this kind there are; None for no limit."""
    return session.online_capacity if places is Places.ONLINE else session.capacity


def _in_places(places: Places) -> sa.ColumnElement[bool]:
    if places is Places.ONLINE:
        return Invitation.attendance_mode == AttendanceMode.ONLINE
    return sa.or_(
        Invitation.attendance_mode.is_(None), Invitation.attendance_mode != AttendanceMode.ONLINE
    )


def confirmed_count(session: Session, places: Places = Places.ROOM) -> int:
    """Acceptances holding a place of this kind (not waiting); by default, seats in the room."""
    return db.session.scalar(
        sa.select(sa.func.count(Invitation.id)).where(
            Invitation.session_id == session.id,
            Invitation.withdrawn_at.is_(None),
            Invitation.response == Response.ACCEPTED,
            Invitation.waitlisted_at.is_(None),
            _in_places(places),
        )
    )


def fill_free_places(session: Session) -> list[Invitation]:
    """Move the earliest waiting acceptances up while places of their kind are free, telling
    each."""
    moved: list[Invitation] = []
    for places in Places:
        limit = place_limit(session, places)
        waiting_limit = None if limit is None else limit - confirmed_count(session, places)
        if waiting_limit is not None and waiting_limit <= 0:
            continue
        query = (
            sa.select(Invitation)
            .where(
                Invitation.session_id == session.id,
                Invitation.withdrawn_at.is_(None),
                Invitation.waitlisted_at.is_not(None),
                _in_places(places),
            )
            .order_by(Invitation.waitlisted_at, Invitation.id)
            .limit(waiting_limit)
        )
        moved.extend(db.session.scalars(query))
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
    previous_places = places_for(invitation.attendance_mode)
    new_places = places_for(attendance_mode)
    held_place = previous == Response.ACCEPTED and not invitation.is_waitlisted
    # Waiting for a place of the kind asked for before keeps the place in the queue.
    keeps_turn = invitation.is_waitlisted and previous_places is new_places
    keeps_place = held_place and previous_places is new_places
    needs_place = response == Response.ACCEPTED and not keeps_place and not keeps_turn
    limit = place_limit(session, new_places)
    # Counted before this invitation changes: once flushed, it would count as holding a place.
    full = needs_place and limit is not None and confirmed_count(session, new_places) >= limit
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
    if held_place and not (response == Response.ACCEPTED and keeps_place):
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


def holds_entry(invitation: Invitation) -> bool:
    """Whether the invitee's calendar holds the session: it does unless we removed it (a
    withdrawal, or their own decline or deputy by link). A decline from a calendar program
    leaves the entry there, marked as declined, so it gets updates too."""
    return invitation.is_active and not invitation.entry_removed


def session_moved(session: Session, changes: dict | None = None, major: bool = True) -> int:
    """After a change that calendars must show: SEQUENCE + 1 and an update to everyone whose
    calendar holds the entry, saying what changed (`changes`: field to [old, new], as in the
    audit trail). A `major` change (time, date, place) asks everyone to answer again; a minor
    one (title, description, online link) keeps every answer. A session that has ended gets
    no update. Returns how many updates were queued."""
    if session.ends_at <= utcnow():
        return 0
    session.ical_sequence += 1
    session.agenda_changed = False  # every update carries the agenda as it is now
    if major:
        session.major_change_sequence = session.ical_sequence
    invitations = invitations_of(session)
    if major:
        for invitation in invitations:
            invitation.eve_reminder_sent_at = None
            invitation.deadline_reminder_sent_at = None
    db.session.flush()
    details = {"changes": changes or {}, "major": major}
    count = 0
    for invitation in invitations:
        if not holds_entry(invitation):
            continue
        queue_invitation_mail(invitation, MailKind.UPDATE, details)
        count += 1
    audit.record(
        "session.update_sent",
        session,
        f"{'Update' if major else 'Minor update'} (SEQUENCE {session.ical_sequence}) sent to "
        f"{count} invitees",
    )
    return count


def send_agenda_update(session: Session) -> int:
    """After the agenda was edited: one minor update to every calendar that holds the entry
    (answers stay valid). Returns how many were queued."""
    return session_moved(session, {"agenda": [None, None]}, major=False)


def session_cancelled(session: Session, reason: str = "") -> int:
    """After a cancellation: SEQUENCE + 1 and METHOD:CANCEL, with the organisers' `reason`, to
    everyone whose calendar holds the entry."""
    session.ical_sequence += 1
    db.session.flush()
    invitations = [invitation for invitation in invitations_of(session) if holds_entry(invitation)]
    details = {"reason": reason.strip()} if reason.strip() else None
    for invitation in invitations:
        queue_invitation_mail(invitation, MailKind.CANCELLATION, details)
    audit.record(
        "session.cancellation_sent",
        session,
        f"Cancellation (SEQUENCE {session.ical_sequence}) sent to {len(invitations)} invitees",
    )
    return len(invitations)


def confirm_to_invitee(invitation: Invitation) -> None:
    """After an answer through the link, a short confirmation that also puts the invitee's
    calendar right: the entry again for an acceptance, a CANCEL for a decline or a deputy (the
    deputy gets an invitation of their own). A place on the waiting list is told by its own
    mail."""
    if invitation.response in (Response.DECLINED, Response.DELEGATED):
        if not invitation.entry_removed:
            invitation.own_sequence += 1
            invitation.entry_removed = True
        queue_invitation_mail(invitation, MailKind.ANSWER_REMOVED)
    elif invitation.response in (Response.ACCEPTED, Response.TENTATIVE):
        if invitation.is_waitlisted:
            return
        if invitation.entry_removed:
            # The request must outrank the cancellation the calendar saw last.
            invitation.own_sequence += 1
            invitation.entry_removed = False
        queue_invitation_mail(invitation, MailKind.ANSWER_CONFIRMED)
    db.session.flush()
