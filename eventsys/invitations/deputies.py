"""Deputies an invitee names by typing a name and an address into their answer link.

Whoever holds a link could type any address, so what they type stays a proposal of that
invitation: nobody is added to the directory, nobody is mailed, and the page shows only what was
typed, never what the directory knows about that address. Staff confirm the proposal (the
person is then found in the directory or added to it, and invited) or decline it. The functions
flush and write the audit trail; the caller commits.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventsys.audit import services as audit
from eventsys.database import utcnow
from eventsys.experts import people
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.models import DeputyProposal, Invitation
from eventsys.invitations.services import InvitationError
from eventsys.invitations.states import ProposalState
from eventsys.sessions.models import Session


@dataclass(frozen=True)
class NewDeputy:
    """A person typed into the answer page."""

    first_name: str
    last_name: str
    email: str


def propose_deputy(invitation: Invitation, named: NewDeputy) -> DeputyProposal:
    """Keep `named` as the invitation's deputy until staff confirm; a name given before is
    replaced, and a deputy invited earlier only for this invitee is withdrawn."""
    email = named.email.strip().lower()
    if email == invitation.expert.email.lower():
        raise InvitationError(_("Please name someone else as your deputy."))
    services.release_deputy_of(invitation)
    proposal = invitation.deputy_proposal
    if proposal is None:
        proposal = DeputyProposal(invitation=invitation)
        db.session.add(proposal)
    proposal.first_name = named.first_name.strip()
    proposal.last_name = named.last_name.strip()
    proposal.email = email
    proposal.proposed_at = utcnow()
    proposal.state = ProposalState.PENDING
    proposal.decided_at = None
    proposal.decided_by_id = None
    db.session.flush()
    audit.record(
        "invitation.deputy_proposed",
        invitation,
        f"{invitation.expert.email} names {email} as deputy, to be confirmed",
    )
    return proposal


def drop_proposal(invitation: Invitation) -> None:
    """The invitee answers for themselves or names their deputy on record: a proposal still
    waiting is no longer wanted."""
    proposal = invitation.deputy_proposal
    if proposal is None or not proposal.is_pending:
        return
    invitation.deputy_proposal = None
    db.session.flush()
    audit.record(
        "invitation.deputy_proposal_dropped",
        invitation,
        f"{invitation.expert.email} no longer names {proposal.email} as deputy",
    )


def pending_proposals(session: Session) -> list[DeputyProposal]:
    """The proposals of `session`'s invitations that wait for staff, oldest first."""
    return list(
        db.session.scalars(
            sa.select(DeputyProposal)
            .join(DeputyProposal.invitation)
            .where(
                Invitation.session_id == session.id,
                Invitation.withdrawn_at.is_(None),
                DeputyProposal.state == ProposalState.PENDING,
            )
            .options(selectinload(DeputyProposal.invitation).selectinload(Invitation.expert))
            .order_by(DeputyProposal.proposed_at, DeputyProposal.id)
        )
    )


@dataclass(frozen=True)
class ProposalToDecide:
    """A pending proposal with what the directory holds at its address, for staff only."""

    proposal: DeputyProposal
    known_as: Expert | None


def proposals_to_decide(session: Session) -> list[ProposalToDecide]:
    proposals = pending_proposals(session)
    if not proposals:
        return []
    known = {
        expert.email: expert
        for expert in db.session.scalars(
            sa.select(Expert)
            .where(Expert.email.in_({proposal.email for proposal in proposals}))
            .options(selectinload(Expert.organisation))
        )
    }
    return [ProposalToDecide(proposal, known.get(proposal.email)) for proposal in proposals]


def proposal_of(session: Session, proposal_id: int) -> DeputyProposal | None:
    proposal = db.session.get(DeputyProposal, proposal_id)
    if proposal is None or proposal.invitation.session_id != session.id:
        return None
    return proposal


def confirm_proposal(
    proposal: DeputyProposal,
    decided_by_id: int | None,
    first_name: str = "",
    last_name: str = "",
) -> Invitation:
    """Invite the proposed deputy: the expert with that address, or a new directory entry in
    the invitee's organisation, named `first_name` `last_name` where staff corrected the name
    (an empty one keeps the proposal's). Raises InvitationError (or DirectoryError for details
    the directory refuses) when that cannot be done."""
    if not proposal.is_pending:
        raise InvitationError(_("This deputy has already been dealt with."))
    if first_name.strip():
        proposal.first_name = first_name.strip()
    if last_name.strip():
        proposal.last_name = last_name.strip()
    invitation = proposal.invitation
    deputy = people.find_expert_by_email(proposal.email)
    if deputy is None:
        invitee = invitation.expert
        deputy = people.create_expert(
            people.ExpertDetails(
                first_name=proposal.first_name,
                last_name=proposal.last_name,
                email=proposal.email,
                organisation=invitee.organisation,
                language=invitee.language,
                timezone=invitee.timezone,
            )
        )
    elif not deputy.active:
        raise InvitationError(
            _(
                "%(email)s belongs to a deactivated directory entry. Reactivate it first, "
                "or do not confirm this deputy.",
                email=proposal.email,
            )
        )
    deputy_invitation = services.invite_deputy(invitation, deputy)
    _decide(proposal, ProposalState.CONFIRMED, decided_by_id)
    return deputy_invitation


def decline_proposal(proposal: DeputyProposal, decided_by_id: int | None) -> None:
    """Leave the proposed person uninvited; the invitee's answer stays as they gave it."""
    if not proposal.is_pending:
        raise InvitationError(_("This deputy has already been dealt with."))
    _decide(proposal, ProposalState.DECLINED, decided_by_id)


def _decide(proposal: DeputyProposal, state: ProposalState, decided_by_id: int | None) -> None:
    proposal.state = state
    proposal.decided_at = utcnow()
    proposal.decided_by_id = decided_by_id
    db.session.flush()
    audit.record(
        f"invitation.deputy_{state.value}",
        proposal.invitation,
        f"Deputy {proposal.email} for {proposal.invitation.expert.email}: {state.value}",
    )
