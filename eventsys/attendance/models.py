"""One line of a session's attendance list: an expert (perhaps as someone's deputy) or a guest."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.attendance.states import AttendanceStatus
from eventsys.auth.models import User
from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.experts.models import Expert
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.sessions.models import Session


class Attendee(db.Model):
    __tablename__ = "attendees"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    # Empty for a guest who was not invited and is not in the directory.
    expert_id: Mapped[int | None] = mapped_column(sa.ForeignKey("experts.id", ondelete="RESTRICT"))
    invitation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("invitations.id", ondelete="SET NULL")
    )
    # The expert this attendee stands in for ("in Vertretung für …").
    deputy_for_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("experts.id", ondelete="SET NULL")
    )
    guest_name: Mapped[str] = mapped_column(sa.String(200), default="")
    guest_organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    guest_stakeholder_group: Mapped[StakeholderGroup | None] = mapped_column(
        enum_column(StakeholderGroup, "guest_stakeholder_group")
    )
    status: Mapped[AttendanceStatus] = mapped_column(
        enum_column(AttendanceStatus, "attendance_status"), default=AttendanceStatus.EXPECTED
    )
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[Session] = relationship()
    expert: Mapped[Expert | None] = relationship(foreign_keys=[expert_id])
    invitation: Mapped[Invitation | None] = relationship()
    deputy_for: Mapped[Expert | None] = relationship(foreign_keys=[deputy_for_id])
    marked_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("session_id", "expert_id", name="uq_attendees_session_expert"),
        sa.CheckConstraint(
            "expert_id IS NOT NULL OR guest_name <> ''", name="ck_attendees_someone"
        ),
    )

    @property
    def is_guest(self) -> bool:
        return self.expert_id is None

    @property
    def display_name(self) -> str:
        return self.expert.full_name if self.expert is not None else self.guest_name

    @property
    def organisation_name(self) -> str:
        if self.expert is not None:
            return self.expert.organisation.name if self.expert.organisation else ""
        return self.guest_organisation

    @property
    def stakeholder_group(self) -> StakeholderGroup | None:
        if self.expert is not None and self.expert.organisation is not None:
            return self.expert.organisation.stakeholder_group
        return self.guest_stakeholder_group

    def __repr__(self) -> str:
        return f"<Attendee {self.id} {self.display_name!r} {self.status.value}>"
