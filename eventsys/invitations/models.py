"""An invitation of one expert to one session, and the history of its answers."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.auth.models import User
from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.states import AttendanceMode, Channel, Response
from eventsys.sessions.models import Session


class Invitation(db.Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    expert_id: Mapped[int] = mapped_column(
        sa.ForeignKey("experts.id", ondelete="RESTRICT"), index=True
    )
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    response: Mapped[Response] = mapped_column(
        enum_column(Response, "invitation_response"), default=Response.NEEDS_ACTION
    )
    # The session's iCalendar SEQUENCE the current answer was given for; an answer given for an
    # earlier version (before the session moved) is shown as such.
    responded_sequence: Mapped[int | None]
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[Channel | None] = mapped_column(enum_column(Channel, "response_channel"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    attendance_mode: Mapped[AttendanceMode | None] = mapped_column(
        enum_column(AttendanceMode, "attendance_mode")
    )
    # Set while an acceptance waits for a place; the order of arrival is the waitlist's order.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The deputy's own invitation, when this invitee sends one.
    delegated_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="SET NULL")
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    eve_reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[Session] = relationship()
    expert: Mapped[Expert] = relationship()
    invited_by: Mapped[User | None] = relationship()
    delegated_to: Mapped["Invitation | None"] = relationship(
        remote_side=[id], foreign_keys=[delegated_to_id]
    )
    answers: Mapped[list["InvitationAnswer"]] = relationship(
        back_populates="invitation",
        order_by="InvitationAnswer.received_at",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.UniqueConstraint("session_id", "expert_id", name="uq_invitations_session_expert"),
        sa.Index("ix_invitations_session_response", "session_id", "response"),
        sa.CheckConstraint(
            "waitlisted_at IS NULL OR response = 'accepted'", name="only_acceptances_wait"
        ),
    )

    def __repr__(self) -> str:
        return f"<Invitation {self.id} session {self.session_id} expert {self.expert_id}>"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def is_waitlisted(self) -> bool:
        return self.waitlisted_at is not None

    @property
    def answered_earlier_version(self) -> bool:
        """True when the answer was given before the session last moved."""
        return (
            self.responded_sequence is not None
            and self.responded_sequence < self.session.ical_sequence
        )


class InvitationAnswer(db.Model):
    """Every answer ever given, so that organisers see answers to earlier versions too."""

    __tablename__ = "invitation_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    response: Mapped[Response] = mapped_column(enum_column(Response, "answer_response"))
    sequence: Mapped[int]
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "answer_channel"))
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    attendance_mode: Mapped[AttendanceMode | None] = mapped_column(
        enum_column(AttendanceMode, "answer_attendance_mode")
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    inbound_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("inbound_messages.id", ondelete="SET NULL")
    )

    invitation: Mapped[Invitation] = relationship(back_populates="answers")
    recorded_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<InvitationAnswer {self.id} {self.response.value} seq {self.sequence}>"
