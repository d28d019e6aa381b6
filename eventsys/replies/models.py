"""Every message that arrives is kept, with what was done with it and why."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.replies.states import Outcome, Source


class InboundMessage(db.Model):
    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    source: Mapped[Source] = mapped_column(enum_column(Source, "inbound_source"))
    # SHA-256 of the raw bytes: the same message fed twice is recognised, and kept only once.
    digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    message_id: Mapped[str] = mapped_column(sa.String(998), default="")
    sender: Mapped[str] = mapped_column(sa.String(998), default="")
    subject: Mapped[str] = mapped_column(sa.String(998), default="")
    raw_message: Mapped[bytes] = mapped_column(sa.LargeBinary)
    method: Mapped[str] = mapped_column(sa.String(20), default="")  # REPLY, COUNTER, or ""
    calendar_uid: Mapped[str] = mapped_column(sa.String(500), default="")
    attendee: Mapped[str] = mapped_column(sa.String(320), default="")
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome, "inbound_outcome"), index=True)
    # Why: a sentence for the person reading the queue.
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    invitation: Mapped[Invitation | None] = relationship()

    def __repr__(self) -> str:
        return f"<InboundMessage {self.id} {self.method or 'plain'} {self.outcome.value}>"
