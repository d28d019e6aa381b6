"""Sessions and their agenda items."""

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.auth.models import User
from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.sessions.states import SessionKind, SessionStatus


def new_calendar_uid() -> str:
    return f"{uuid.uuid4()}@eventsys"


session_organisers = sa.Table(
    "session_organisers",
    db.metadata,
    sa.Column("session_id", sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Session(db.Model):
    """A meeting of the platform: a plenary, a workshop or a working group's meeting."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    # For the international partners: shown to readers of English wherever given.
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind, "session_kind"))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue_address: Mapped[str] = mapped_column(sa.String(300), default="")
    venue_room: Mapped[str] = mapped_column(sa.String(200), default="")
    online_url: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus, "session_status"), default=SessionStatus.PLANNED, index=True
    )
    # Seats in the room; online participants never take one (see online_capacity).
    capacity: Mapped[int | None]
    # An optional limit of its own for those who take part online in a hybrid session.
    online_capacity: Mapped[int | None]
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One UID forever for the session's calendar entry; SEQUENCE grows with every change of
    # time or place (RFC 5546), so that calendars replace the entry instead of adding one.
    ical_uid: Mapped[str] = mapped_column(sa.String(255), unique=True, default=new_calendar_uid)
    ical_sequence: Mapped[int] = mapped_column(default=0)
    # The SEQUENCE of the last change of time, date or place: answers given for it or a later
    # version stay valid; a change of title or description raises only ical_sequence.
    major_change_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    # The agenda changed since the invitees' calendars last got it: organisers send the update
    # when they are done editing, instead of one mail per edited item.
    agenda_changed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    reminders_enabled: Mapped[bool] = mapped_column(default=True)
    # Owners of this session's action items are reminded before their due dates.
    action_item_reminders_enabled: Mapped[bool] = mapped_column(
        default=True, server_default=sa.true()
    )
    # Asks Outlook not to offer "propose a new time" (X-MICROSOFT-DISALLOW-COUNTER in the
    # invitation), for sessions whose time is not up for negotiation.
    counter_proposals_blocked: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    copied_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisers: Mapped[list[User]] = relationship(secondary=session_organisers, order_by=User.name)
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="session",
        order_by="AgendaItem.position",
        cascade="all, delete-orphan",
    )

    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint(
            "online_capacity IS NULL OR online_capacity > 0", name="online_capacity_positive"
        ),
    )

    def __repr__(self) -> str:
        return f"<Session {self.id} {self.starts_at:%Y-%m-%d} {self.title!r}>"

    def title_for(self, language: str) -> str:
        """The title a reader of `language` sees: the English one for English, where given."""
        return self.title_en if language == "en" and self.title_en else self.title

    def description_for(self, language: str) -> str:
        """The description a reader of `language` sees: the English one for English, where
        given (an English title alone does not hide the German description)."""
        return self.description_en if language == "en" and self.description_en else self.description

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def agenda_duration(self) -> timedelta:
        return timedelta(minutes=sum(item.duration_minutes for item in self.agenda_items))

    @property
    def is_hybrid(self) -> bool:
        return bool(self.venue_address and self.online_url)

    @property
    def is_online_only(self) -> bool:
        return bool(self.online_url and not self.venue_address)


class AgendaItem(db.Model):
    """A TOP (Tagesordnungspunkt); `position` 1 is TOP 1."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("sessions.id", ondelete="CASCADE"))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    presenter_expert_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("experts.id", ondelete="SET NULL"), index=True
    )
    presenter_text: Mapped[str] = mapped_column(sa.String(200), default="")
    duration_minutes: Mapped[int] = mapped_column(default=30)

    session: Mapped[Session] = relationship(back_populates="agenda_items")
    presenter_expert: Mapped[Expert | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("session_id", "position", name="uq_agenda_items_session_position"),
        sa.CheckConstraint("position > 0", name="position_positive"),
        sa.CheckConstraint(
            "duration_minutes >= 0 AND duration_minutes <= 1440", name="duration_range"
        ),
    )

    def __repr__(self) -> str:
        return f"<AgendaItem {self.id} TOP {self.position} of session {self.session_id}>"

    def title_for(self, language: str) -> str:
        """The item's title for a reader of `language`: the English one for English, where
        given."""
        return self.title_en if language == "en" and self.title_en else self.title

    @property
    def presenter(self) -> str:
        """Who presents the item: the expert's name, or the free text."""
        if self.presenter_expert is not None:
            return self.presenter_expert.full_name
        return self.presenter_text
