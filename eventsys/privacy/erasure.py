"""Erasure (Art. 17 GDPR): the directory entry made anonymous, the person's mails and comments
deleted, the counts kept.

What stays: the rows that make up counts (invitations and their answers, attendance, the
recipients of a consultation), now pointing at an anonymous entry; and the approved minutes,
which are records the platform must keep and offer to the federal archive. Their text is frozen
(by the service and by database triggers) and still names the person; a redacting correction of
the minutes remains possible. Like the other services, this changes state and flushes; the
caller commits.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from eventsys.audit import services as audit
from eventsys.audit.models import AuditEntry
from eventsys.charters.models import ConsultationComment
from eventsys.documents.models import PreparedDocument
from eventsys.experts.models import Expert, working_group_members
from eventsys.experts.salutations import Salutation
from eventsys.extensions import db
from eventsys.invitations.models import DeputyProposal, Invitation, InvitationAnswer
from eventsys.minutes.models import MinutesComment
from eventsys.outbox.models import OutboxMessage
from eventsys.privacy.export import KeptRecord, kept_records
from eventsys.replies.models import InboundMessage

ERASED_LAST_NAME = "Gelöschte Person {id}"
ERASED_ADDRESS = "geloescht-{id}@erased.invalid"


class ErasureError(ValueError):
    """An erasure that cannot be done, with the reason."""


@dataclass(frozen=True)
class ErasureReport:
    mails_sent_deleted: int
    mails_received_deleted: int
    comments_deleted: int
    kept_records: list[KeptRecord]


def is_erased(expert: Expert) -> bool:
    return expert.email == ERASED_ADDRESS.format(id=expert.id)


def erase_expert(expert: Expert) -> ErasureReport:
    """Erase what the platform holds about `expert` (see the module's text).

    Raises ErasureError when the entry has been erased already.
    """
    if is_erased(expert):
        raise ErasureError("This entry has been erased already.")
    address = expert.email.lower()
    kept = kept_records(expert)
    invitation_ids = sa.select(Invitation.id).where(Invitation.expert_id == expert.id)

    received = db.session.execute(
        sa.delete(InboundMessage).where(
            sa.or_(
                sa.func.lower(InboundMessage.sender).contains(address),
                sa.func.lower(InboundMessage.attendee) == address,
                InboundMessage.invitation_id.in_(invitation_ids),
            )
        )
    ).rowcount
    sent = db.session.execute(
        sa.delete(OutboxMessage).where(sa.func.lower(OutboxMessage.recipient) == address)
    ).rowcount
    comments = db.session.execute(
        sa.delete(MinutesComment).where(MinutesComment.expert_id == expert.id)
    ).rowcount
    comments += db.session.execute(
        sa.delete(ConsultationComment).where(ConsultationComment.expert_id == expert.id)
    ).rowcount
    db.session.execute(
        sa.update(Invitation).where(Invitation.expert_id == expert.id).values(comment="")
    )
    db.session.execute(
        sa.update(InvitationAnswer)
        .where(InvitationAnswer.invitation_id.in_(invitation_ids))
        .values(comment="")
    )
    # Deputies this person named (someone else's data, there only for this invitation), and
    # proposals that name this person as someone's deputy.
    db.session.execute(
        sa.delete(DeputyProposal).where(
            sa.or_(
                DeputyProposal.invitation_id.in_(invitation_ids),
                sa.func.lower(DeputyProposal.email) == address,
            )
        )
    )
    # Prepared PDFs (drafts, sign-in sheets) are copies that may name the person; any of them is
    # rendered again, from what is left, when next asked for.
    db.session.execute(sa.delete(PreparedDocument))
    db.session.execute(
        sa.delete(working_group_members).where(working_group_members.c.expert_id == expert.id)
    )
    db.session.execute(
        sa.update(Expert).where(Expert.deputy_id == expert.id).values(deputy_id=None)
    )
    # Old values in the audit trail would keep the name and address; the entries themselves
    # (who changed what when) stay.
    db.session.execute(
        sa.update(AuditEntry)
        .where(AuditEntry.entity_type == Expert.__tablename__, AuditEntry.entity_id == expert.id)
        .values(changes={}, summary="(erased)")
    )
    expert.salutation = Salutation.NONE
    expert.title = ""
    expert.first_name = ""
    expert.last_name = ERASED_LAST_NAME.format(id=expert.id)
    expert.email = ERASED_ADDRESS.format(id=expert.id)
    expert.function = ""
    expert.deputy_id = None
    expert.feed_token = None
    expert.active = False
    db.session.flush()
    db.session.expire(expert)
    audit.record(
        "privacy.erased",
        expert,
        f"personal data erased: {sent} mails sent, {received} received, {comments} comments",
    )
    db.session.flush()
    return ErasureReport(sent, received, comments, kept)
