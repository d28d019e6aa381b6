"""Answers as organisers read them in notices and on the session page: who, what, when."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from eventsys.auth.models import User
from eventsys.experts.models import Expert, Organisation
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.states import AttendanceMode, Channel, Response


@dataclass(frozen=True)
class AnswerLine:
    """One recorded answer, with the invitee's name and organisation."""

    answer_id: int
    invitation_id: int
    session_id: int
    name: str
    organisation: str
    response: Response
    attendance_mode: AttendanceMode | None
    channel: Channel
    comment: str
    received_at: datetime
    recorded_by_id: int | None


def answer_lines_query() -> sa.Select:
    """The answers with what a line needs, in one query (add conditions and an order)."""
    return (
        sa.select(
            InvitationAnswer.id,
            InvitationAnswer.invitation_id,
            Invitation.session_id,
            Expert.title,
            Expert.first_name,
            Expert.last_name,
            Organisation.name,
            InvitationAnswer.response,
            InvitationAnswer.attendance_mode,
            InvitationAnswer.channel,
            InvitationAnswer.comment,
            InvitationAnswer.received_at,
            InvitationAnswer.recorded_by_id,
        )
        .join(Invitation, Invitation.id == InvitationAnswer.invitation_id)
        .join(Expert, Expert.id == Invitation.expert_id)
        .join(Organisation, Organisation.id == Expert.organisation_id)
    )


def answer_line(row: sa.Row) -> AnswerLine:
    """An `AnswerLine` from a row of `answer_lines_query` (extra columns after it are left)."""
    (
        answer_id,
        invitation_id,
        session_id,
        title,
        first_name,
        last_name,
        organisation,
        response,
        attendance_mode,
        channel,
        comment,
        received_at,
        recorded_by_id,
    ) = tuple(row)[:13]
    return AnswerLine(
        answer_id=answer_id,
        invitation_id=invitation_id,
        session_id=session_id,
        name=" ".join(part for part in (title, first_name, last_name) if part),
        organisation=organisation,
        response=Response(response),
        attendance_mode=AttendanceMode(attendance_mode) if attendance_mode else None,
        channel=Channel(channel),
        comment=comment,
        received_at=received_at,
        recorded_by_id=recorded_by_id,
    )


def not_recorded_by(user: User) -> sa.ColumnElement[bool]:
    """Answers someone other than `user` recorded: nobody needs telling what they set by hand
    themselves."""
    return sa.or_(
        InvitationAnswer.recorded_by_id.is_(None), InvitationAnswer.recorded_by_id != user.id
    )
