"""An invitation of one expert to one session, and the history of its answers."""

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.auth.models import User
from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.states import AttendanceMode, Channel, ProposalState, Response
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
    # True when the invitation was made because someone named this invitee as their deputy, so
    # that naming another deputy withdraws it; an invitation of their own stays.
    invited_as_deputy: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The deputy's own invitation, when this invitee sends one.
    delegated_to_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="SET NULL")
    )
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    eve_reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The UID of this invitee's calendar entry, with an unguessable part: a calendar reply that
    # names it can only come from someone who holds this invitee's copy. None for invitations
    # sent before invitations had UIDs of their own; those carry the session's UID.
    ical_uid: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    # Changes to this invitee's entry alone (a withdrawal, the removal after a decline) raise
    # its SEQUENCE above the session's, so that the invitee's calendar applies them.
    own_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # True once this invitee's calendar was sent a CANCEL for their own answer (a decline or a
    # deputy by link): updates then skip them, and an acceptance brings the entry back.
    entry_removed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

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
    deputy_proposal: Mapped["DeputyProposal | None"] = relationship(
        back_populates="invitation", cascade="all, delete-orphan"
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
    def calendar_uid(self) -> str:
        """The UID this invitee's calendar holds: the invitation's own, or for an invitation
        sent before those existed, the session's; requests and cancellations keep using it."""
        return self.ical_uid or self.session.ical_uid

    @property
    def is_waitlisted(self) -> bool:
        return self.waitlisted_at is not None

    @property
    def calendar_sequence(self) -> int:
        """The SEQUENCE of the entry in this invitee's calendar."""
        # Zero before the first flush (an invitation shown in a preview, not yet stored).
        return self.session.ical_sequence + (self.own_sequence or 0)

    def session_version(self, calendar_sequence: int) -> int:
        """The session's version (its ical_sequence) that a SEQUENCE seen in this invitee's
        calendar stands for. Should the invitee's own part have grown since, the result is
        lower, never higher: an answer is at worst taken as one to an earlier version."""
        return max(0, min(self.session.ical_sequence, calendar_sequence - (self.own_sequence or 0)))

    @property
    def answered_earlier_version(self) -> bool:
        """True when the answer was given before the session last moved (a change of time,
        date or place; a corrected title leaves answers valid)."""
        return (
            self.responded_sequence is not None
            and self.responded_sequence < self.session.major_change_sequence
        )


def new_invitation_uid(session_uid: str) -> str:
    """`<session UID>-<128 random bits>@<host>`: the session is recognisable to a reader, the
    random part makes the UID impossible to guess from the session's."""
    base, _at, host = session_uid.rpartition("@")
    if not base:
        base, host = session_uid, "eventsys"
    return f"{base}-{secrets.token_hex(16)}@{host}"


@event.listens_for(Invitation, "before_insert")
def _give_a_calendar_uid(_mapper, connection, invitation: Invitation) -> None:
    """Every invitation created from now on gets a calendar UID of its own."""
    if invitation.ical_uid:
        return
    session = invitation.__dict__.get("session")  # without loading it in the middle of a flush
    if session is not None:
        session_uid = session.ical_uid
    else:
        session_uid = connection.scalar(
            sa.select(Session.ical_uid).where(Session.id == invitation.session_id)
        )
    invitation.ical_uid = new_invitation_uid(session_uid or "")


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


class DeputyProposal(db.Model):
    """A deputy an invitee typed into their answer link: a guest of that invitation, kept apart
    from the directory until staff confirm them.

    A link must not let anyone add people to the directory or mail arbitrary addresses, so the
    typed person is only invited once staff have looked at them. One row per invitation: naming
    someone else replaces the earlier name.
    """

    __tablename__ = "deputy_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="CASCADE"), unique=True
    )
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str] = mapped_column(sa.String(254))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[ProposalState] = mapped_column(
        enum_column(ProposalState, "deputy_proposal_state"), default=ProposalState.PENDING
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    invitation: Mapped[Invitation] = relationship(back_populates="deputy_proposal")
    decided_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<DeputyProposal {self.id} invitation {self.invitation_id} {self.state.value}>"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_pending(self) -> bool:
        return self.state == ProposalState.PENDING
