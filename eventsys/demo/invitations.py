"""Invitations for the demo's next plenary, with a believable mix of answers, so that a
newcomer sees the organiser's view, the outbox and the waiting list at work."""

import sqlalchemy as sa

from eventsys.experts.models import Expert, Organisation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import AttendanceMode, Channel, Response
from eventsys.sessions.models import Session

# (every n-th invitee, answer, comment): deterministic, so that two runs tell the same story.
ANSWER_PATTERN = [
    (2, Response.ACCEPTED, ""),
    (5, Response.DECLINED, "Leider terminlich verhindert."),
    (7, Response.TENTATIVE, "Ich komme voraussichtlich erst zur Mittagspause."),
]


def invite_to_next_plenary(plenary_title: str) -> tuple[int, int]:
    """Invite the national experts to the demo plenary and record some answers, once.

    Returns how many invitations and answers were created; nothing if the plenary already has
    invitations (or does not exist).
    """
    session = db.session.scalar(sa.select(Session).where(Session.title == plenary_title))
    if session is None or db.session.scalar(
        sa.select(sa.func.count(Invitation.id)).where(Invitation.session_id == session.id)
    ):
        return 0, 0
    experts = db.session.scalars(
        sa.select(Expert)
        .join(Organisation)
        .where(
            Expert.active.is_(True),
            Organisation.stakeholder_group != StakeholderGroup.INTERNATIONAL_PARTNERS,
        )
        .order_by(Expert.last_name, Expert.first_name)
    ).all()
    invited = invitations.invite_experts(session, experts).invited
    answers = 0
    for number, invitation in enumerate(invited, start=1):
        for every, response, comment in ANSWER_PATTERN:
            if number % every == 0:
                mode = AttendanceMode.IN_PERSON if response == Response.ACCEPTED else None
                invitations.record_answer(
                    invitation, response, Channel.LINK, comment=comment, attendance_mode=mode
                )
                answers += 1
                break
    return len(invited), answers
