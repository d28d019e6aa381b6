"""Everything the platform holds about one expert (Art. 15 GDPR), as plain data.

One query per kind of record, whatever the expert's history, so the page and the downloads stay
cheap. Approved minutes are records the platform must keep and offer to the federal archive;
the export names each approved version that mentions the expert, so that the person knows
where their name remains.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventsys.attendance.models import Attendee
from eventsys.charters.models import CharterVersion, ConsultationComment
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.models import DeputyProposal, Invitation, InvitationAnswer
from eventsys.minutes.models import Minutes, MinutesComment, MinutesVersion
from eventsys.outbox.models import OutboxMessage
from eventsys.replies.models import CounterProposal, InboundMessage
from eventsys.sessions.models import Session

SCHEMA = "eventsys.privacy-export/1"


@dataclass(frozen=True)
class KeptRecord:
    """An approved minutes version that names the expert and stays as it is."""

    session_title: str
    session_starts_at: datetime
    version_number: int
    approved_at: datetime | None


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def expert_export(expert: Expert, exported_at: datetime) -> dict[str, Any]:
    """All data about `expert`, grouped by kind, with times in ISO 8601 (UTC)."""
    return {
        "schema": SCHEMA,
        "exported_at": _time(exported_at),
        "directory": _directory(expert),
        "invitations": _invitations(expert),
        "attendance": _attendance(expert),
        "minutes_comments": _minutes_comments(expert),
        "consultation_comments": _consultation_comments(expert),
        "mail_sent_to_them": _mail_sent(expert),
        "mail_received_from_them": _mail_received(expert),
        "kept_records": [
            {
                "session": record.session_title,
                "session_starts_at": _time(record.session_starts_at),
                "minutes_version": record.version_number,
                "approved_at": _time(record.approved_at),
            }
            for record in kept_records(expert)
        ],
    }


def _directory(expert: Expert) -> dict[str, Any]:
    return {
        "salutation": expert.salutation.value,
        "title": expert.title,
        "first_name": expert.first_name,
        "last_name": expert.last_name,
        "email": expert.email,
        "organisation": expert.organisation.name,
        "stakeholder_group": expert.organisation.stakeholder_group.value,
        "function": expert.function,
        "language": expert.language,
        "timezone": expert.timezone,
        "deputy": expert.deputy.email if expert.deputy else None,
        "working_groups": sorted(group.name for group in expert.working_groups),
        "active": expert.active,
        "calendar_feed": expert.feed_token is not None,
        "created_at": _time(expert.created_at),
        "updated_at": _time(expert.updated_at),
    }


def _invitations(expert: Expert) -> list[dict[str, Any]]:
    invitations = db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.expert_id == expert.id)
        .options(
            selectinload(Invitation.session),
            selectinload(Invitation.answers),
            selectinload(Invitation.deputy_proposal),
        )
        .order_by(Invitation.invited_at, Invitation.id)
    ).all()
    proposals = _counter_proposals([invitation.id for invitation in invitations])
    return [
        {
            "session": invitation.session.title,
            "session_starts_at": _time(invitation.session.starts_at),
            "invited_at": _time(invitation.invited_at),
            "answer": invitation.response.value,
            "answered_at": _time(invitation.responded_at),
            "comment": invitation.comment,
            "withdrawn_at": _time(invitation.withdrawn_at),
            "answers_given": [_answer(answer) for answer in invitation.answers],
            "deputy_named": _deputy_named(invitation.deputy_proposal),
            "times_proposed": proposals.get(invitation.id, []),
        }
        for invitation in invitations
    ]


def _counter_proposals(invitation_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The other times the invitee proposed from their calendar (METHOD:COUNTER), by
    invitation, in one query."""
    proposals: dict[int, list[dict[str, Any]]] = {}
    rows = db.session.scalars(
        sa.select(CounterProposal)
        .where(CounterProposal.invitation_id.in_(invitation_ids))
        .order_by(CounterProposal.received_at, CounterProposal.id)
    )
    for proposal in rows:
        proposals.setdefault(proposal.invitation_id, []).append(
            {
                "received_at": _time(proposal.received_at),
                "starts_at": _time(proposal.starts_at) or proposal.start_written,
                "ends_at": _time(proposal.ends_at) or proposal.end_written,
                "comment": proposal.comment,
            }
        )
    return proposals


def _deputy_named(proposal: DeputyProposal | None) -> dict[str, Any] | None:
    if proposal is None:
        return None
    return {
        "name": proposal.full_name,
        "email": proposal.email,
        "named_at": _time(proposal.proposed_at),
        "state": proposal.state.value,
    }


def _answer(answer: InvitationAnswer) -> dict[str, Any]:
    return {
        "answer": answer.response.value,
        "channel": answer.channel.value,
        "comment": answer.comment,
        "received_at": _time(answer.received_at),
        "for_version": answer.sequence,
    }


def _attendance(expert: Expert) -> list[dict[str, Any]]:
    attendees = db.session.scalars(
        sa.select(Attendee)
        .where(sa.or_(Attendee.expert_id == expert.id, Attendee.deputy_for_id == expert.id))
        .options(selectinload(Attendee.session))
        .order_by(Attendee.id)
    ).all()
    return [
        {
            "session": attendee.session.title,
            "session_starts_at": _time(attendee.session.starts_at),
            "status": attendee.status.value,
            "as_deputy": attendee.expert_id == expert.id and attendee.deputy_for_id is not None,
            "represented_by_deputy": attendee.deputy_for_id == expert.id,
        }
        for attendee in attendees
    ]


def _minutes_comments(expert: Expert) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(MinutesComment, Minutes)
        .join(Minutes, Minutes.id == MinutesComment.minutes_id)
        .where(MinutesComment.expert_id == expert.id)
        .options(selectinload(Minutes.session))
        .order_by(MinutesComment.id)
    ).all()
    return [
        {
            "session": minutes.session.title,
            "minutes_version": comment.version_number,
            "text": comment.text,
        }
        for comment, minutes in rows
    ]


def _consultation_comments(expert: Expert) -> list[dict[str, Any]]:
    rows = db.session.execute(
        sa.select(ConsultationComment, CharterVersion)
        .join(CharterVersion, CharterVersion.id == ConsultationComment.version_id)
        .where(ConsultationComment.expert_id == expert.id)
        .options(selectinload(CharterVersion.charter))
        .order_by(ConsultationComment.id)
    ).all()
    return [
        {
            "charter": version.charter.title_de,
            "version": version.label,
            "text": comment.text,
        }
        for comment, version in rows
    ]


def _mail_sent(expert: Expert) -> list[dict[str, Any]]:
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .where(sa.func.lower(OutboxMessage.recipient) == expert.email.lower())
        .order_by(OutboxMessage.id)
    ).all()
    return [
        {
            "kind": message.kind,
            "subject": message.subject,
            "queued_at": _time(message.created_at),
            "sent_at": _time(message.sent_at),
            "state": message.state.value,
        }
        for message in messages
    ]


def _mail_received(expert: Expert) -> list[dict[str, Any]]:
    address = expert.email.lower()
    messages = db.session.scalars(
        sa.select(InboundMessage)
        .outerjoin(Invitation, Invitation.id == InboundMessage.invitation_id)
        .where(
            sa.or_(
                sa.func.lower(InboundMessage.sender).contains(address),
                sa.func.lower(InboundMessage.attendee) == address,
                Invitation.expert_id == expert.id,
            )
        )
        .order_by(InboundMessage.id)
    ).all()
    return [
        {
            "received_at": _time(message.received_at),
            "subject": message.subject,
            "outcome": message.outcome.value,
        }
        for message in messages
    ]


def kept_records(expert: Expert) -> list[KeptRecord]:
    """The approved minutes versions of sessions the expert attended (or was excused from):
    frozen records that an erasure leaves as they are."""
    sessions_of_expert = sa.select(Attendee.session_id).where(
        sa.or_(Attendee.expert_id == expert.id, Attendee.deputy_for_id == expert.id)
    )
    rows = db.session.execute(
        sa.select(
            Session.title, Session.starts_at, MinutesVersion.number, MinutesVersion.approved_at
        )
        .join(Minutes, Minutes.id == MinutesVersion.minutes_id)
        .join(Session, Session.id == Minutes.session_id)
        .where(Minutes.session_id.in_(sessions_of_expert))
        .order_by(Session.starts_at, MinutesVersion.number)
    ).all()
    return [KeptRecord(*row) for row in rows]
