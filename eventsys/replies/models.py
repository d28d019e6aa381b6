"""Every message that arrives is kept, with what was done with it and why."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.auth.models import User
from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.replies.reasons import Reason, render
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
    # Why, as reason codes and their values (see `reasons`), written in the reader's language
    # when shown; a decision a person makes adds one.
    reasons: Mapped[list] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
    # Why, as a sentence in the platform's language: only messages stored before the reasons
    # were kept as codes have one; it is shown before any reason added since.
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

    @property
    def why(self) -> str:
        """What was done with the message and why, in the current language."""
        return render(self.reasons or [], self.explanation)

    def add_reason(self, reason: Reason) -> None:
        # A new list, so that the JSON column is seen as changed.
        self.reasons = [*(self.reasons or []), reason.as_data()]


class CounterProposal(db.Model):
    """A new time an invitee proposed for a session (iMIP METHOD:COUNTER, Outlook's "propose
    new time"), shown to the organisers with the session's invitations until one of them marks
    it as dealt with. The invitee's answer stays as it was.

    What was proposed is kept here rather than read again from the message, whose raw text the
    retention rules empty after a while.
    """

    __tablename__ = "counter_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    # Erasing the message (the person's data) erases the proposal with it.
    inbound_message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("inbound_messages.id", ondelete="CASCADE"), unique=True
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The proposed times where their zone is known; otherwise None, and the time as written
    # (with its TZID) is shown instead.
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_written: Mapped[str] = mapped_column(sa.String(200), default="")
    end_written: Mapped[str] = mapped_column(sa.String(200), default="")
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    # The session's version the proposal was made for (its ical_sequence then).
    session_version: Mapped[int] = mapped_column(default=0)
    dealt_with_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dealt_with_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    invitation: Mapped[Invitation] = relationship()
    message: Mapped[InboundMessage] = relationship()
    dealt_with_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        state = "dealt with" if self.dealt_with_at else "open"
        return f"<CounterProposal {self.id} invitation {self.invitation_id} {state}>"

    @property
    def is_open(self) -> bool:
        return self.dealt_with_at is None
