"""What an expert can do with the signed link in their invitation: see where the invitation
stands, answer until the deadline, or send a deputy instead.

Experts have no accounts; the link is their only key. Whatever they do through it is recorded
in the audit trail under the link's owner.
"""

import enum
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.audit.services import acting_as
from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations import deputies, services
from eventsys.invitations.calendar import organizer_address
from eventsys.invitations.deputies import NewDeputy
from eventsys.invitations.models import DeputyProposal, Invitation
from eventsys.invitations.services import InvitationError
from eventsys.invitations.states import AttendanceMode, Channel, Response
from eventsys.sessions.states import SessionStatus

ACTOR_LABEL_LENGTH = 254  # AuditEntry.actor_label
# The answers a link offers; "delegated" is given by naming a deputy.
LINK_RESPONSES = (Response.ACCEPTED, Response.TENTATIVE, Response.DECLINED)


class LinkState(enum.StrEnum):
    OPEN = "open"  # answers are taken
    DEADLINE_PASSED = "deadline_passed"
    EXPIRED = "expired"  # the session is over
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    DEACTIVATED = "deactivated"  # the expert is no longer in the directory


def link_state(invitation: Invitation, expired: bool) -> LinkState:
    """Whether the link still takes answers, and if not, the reason to tell the expert.

    `expired` comes from reading the token (the session has ended). A cancellation or a
    withdrawal is named even after the session's date, as it says more than "expired".
    """
    session = invitation.session
    if not invitation.expert.active:
        # First: a person taken out of the directory is told nothing more about the session.
        return LinkState.DEACTIVATED
    if session.status == SessionStatus.CANCELLED:
        return LinkState.CANCELLED
    if not invitation.is_active:
        return LinkState.WITHDRAWN
    if expired:
        return LinkState.EXPIRED
    if session.rsvp_deadline is not None and utcnow() > session.rsvp_deadline:
        return LinkState.DEADLINE_PASSED
    return LinkState.OPEN


def waitlist_position(invitation: Invitation) -> int | None:
    """The invitation's place on the waiting list (1 is next to move up), or None."""
    if not invitation.is_waitlisted or not invitation.is_active:
        return None
    ahead = db.session.scalar(
        sa.select(sa.func.count(Invitation.id)).where(
            Invitation.session_id == invitation.session_id,
            Invitation.withdrawn_at.is_(None),
            Invitation.waitlisted_at.is_not(None),
            sa.or_(
                Invitation.waitlisted_at < invitation.waitlisted_at,
                sa.and_(
                    Invitation.waitlisted_at == invitation.waitlisted_at,
                    Invitation.id < invitation.id,
                ),
            ),
        )
    )
    return ahead + 1


@dataclass(frozen=True)
class Contact:
    """Whom an expert can turn to when the link no longer takes answers."""

    names: list[str]
    address: str


def contact_for(invitation: Invitation) -> Contact:
    return Contact(
        names=[user.name for user in invitation.session.organisers],
        address=organizer_address(),
    )


def usable_deputy(expert: Expert) -> Expert | None:
    """The deputy on record for `expert`, if that person can still be invited."""
    deputy = expert.deputy
    if deputy is None or not deputy.active or deputy.id == expert.id:
        return None
    return deputy


@dataclass(frozen=True)
class LinkAnswer:
    """What the expert submitted. For Response.DELEGATED, `new_deputy` None means the deputy
    on record."""

    response: Response
    comment: str = ""
    attendance_mode: AttendanceMode | None = None
    new_deputy: NewDeputy | None = None


@dataclass(frozen=True)
class LinkOutcome:
    changed: bool
    waitlisted: bool = False
    # The deputy on record, now invited; or the person typed in, waiting for staff.
    deputy: Expert | None = None
    proposal: DeputyProposal | None = None


def _delegate(invitation: Invitation, answer: LinkAnswer) -> LinkOutcome:
    expert = invitation.expert
    on_record = usable_deputy(expert)
    named = answer.new_deputy
    if named is not None and on_record is not None and named.email == on_record.email:
        named = None  # the deputy on record, typed out: the expert knows them already
    if named is None:
        if on_record is None:
            raise InvitationError(_("No deputy is on record for you. Please name one."))
        deputies.drop_proposal(invitation)
        services.send_deputy(invitation, on_record, comment=answer.comment)
        services.confirm_to_invitee(invitation)
        return LinkOutcome(changed=True, deputy=on_record)
    services.record_answer(invitation, Response.DELEGATED, Channel.LINK, comment=answer.comment)
    proposal = deputies.propose_deputy(invitation, named)
    services.confirm_to_invitee(invitation)
    return LinkOutcome(changed=True, proposal=proposal)


def answer_by_link(invitation: Invitation, expired: bool, answer: LinkAnswer) -> LinkOutcome:
    """Record what the expert answered through their link, or invite their deputy.

    Raises InvitationError when the link no longer takes answers (deadline passed, session
    over or cancelled, invitation withdrawn, expert deactivated) or the answer cannot be taken.
    """
    state = link_state(invitation, expired)
    if state is not LinkState.OPEN:
        raise InvitationError(_("Answers are no longer taken through this link."))
    with acting_as(f"link of {invitation.expert.email}"[:ACTOR_LABEL_LENGTH]):
        if answer.response == Response.DELEGATED:
            return _delegate(invitation, answer)
        if answer.response not in LINK_RESPONSES:
            raise InvitationError(_("Please choose an answer."))
        # Answering for oneself takes back a delegation: a link names at most one person.
        deputies.drop_proposal(invitation)
        services.release_deputy_of(invitation)
        mode = answer.attendance_mode if invitation.session.is_hybrid else None
        if answer.response == Response.DECLINED:
            mode = None
        outcome = services.record_answer(
            invitation, answer.response, Channel.LINK, comment=answer.comment, attendance_mode=mode
        )
        if outcome.changed:
            services.confirm_to_invitee(invitation)
        return LinkOutcome(changed=outcome.changed, waitlisted=outcome.waitlisted)
