"""A message waiting for, or done with, delivery."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.extensions import db


class DeliveryState(enum.StrEnum):
    QUEUED = "queued"  # waiting for its first or next attempt
    SENDING = "sending"  # claimed by a deliverer until `claimed_until`
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt; an admin can requeue it


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(sa.String(50), index=True)
    sender: Mapped[str] = mapped_column(sa.String(320))
    recipient: Mapped[str] = mapped_column(sa.String(254), index=True)
    subject: Mapped[str] = mapped_column(sa.String(300))
    message_id: Mapped[str] = mapped_column(sa.String(300), unique=True)
    # Empty while the message waits for its composer (see services.queue_for_composition).
    raw_message: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # HMAC of the message and its envelope, so that delivery need not read it again (`seals`).
    seal: Mapped[str | None] = mapped_column(sa.String(64))
    # The site address its links point to, where SERVER_NAME does not say it.
    link_base: Mapped[str | None] = mapped_column(sa.String(300))
    state: Mapped[DeliveryState] = mapped_column(
        enum_column(DeliveryState, "delivery_state"), default=DeliveryState.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The invitation a message belongs to, for the organiser's mail log of each invitee.
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )

    # What the message says beyond the current state of what it is about, for its composer:
    # the old values of a change ("bisher: 10:00 Uhr"), the reason given for a cancellation.
    details: Mapped[dict | None] = mapped_column(sa.JSON)

    __table_args__ = (sa.Index("ix_outbox_messages_due", "state", "next_attempt_at"),)

    @property
    def composed(self) -> bool:
        return self.raw_message is not None

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} to {self.recipient} {self.state.value}>"
