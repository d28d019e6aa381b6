"""Minutes, their parts per TOP, and the frozen versions that approval creates.

The working copy (Minutes with its topics, decisions, action items and recommendations) is what
the secretariat edits. Approval writes a MinutesVersion: the whole text as JSON; its PDF,
rendered once from that text outside the request, is written into it when it is ready. Versions
are never changed or deleted (but for that one write of the PDF), and while minutes are approved
or published their working copy is frozen too; database triggers (migrations 0004 and 0017)
enforce both, so that no code path, and no hand-written SQL, can alter the record.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.auth.models import User
from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.experts.models import Expert, Organisation
from eventsys.extensions import db
from eventsys.localtime import platform_zone
from eventsys.minutes.states import MinutesState
from eventsys.sessions.models import AgendaItem, Session


class Guideline(db.Model):
    """A chapter of the charter that recommendations belong to (by default the four
    guidelines of the Smart City Charta, added by the migration)."""

    __tablename__ = "guidelines"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(unique=True)
    title_de: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str] = mapped_column(sa.String(300))

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_de

    def __repr__(self) -> str:
        return f"<Guideline {self.id} {self.number}>"


class Minutes(db.Model):
    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="RESTRICT"), unique=True
    )
    state: Mapped[MinutesState] = mapped_column(
        enum_column(MinutesState, "minutes_state"), default=MinutesState.DRAFT
    )
    # The version being written, or the last one approved.
    version_number: Mapped[int] = mapped_column(default=1)
    correction_reason: Mapped[str] = mapped_column(sa.Text, default="")
    opening: Mapped[str] = mapped_column(sa.Text, default="")
    closing: Mapped[str] = mapped_column(sa.Text, default="")
    next_session_date: Mapped[date | None]
    comment_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Raised by every save: a save based on an older revision is a conflict, not an overwrite.
    revision: Mapped[int] = mapped_column(default=1)
    # The secretariat asked the session's organisers to approve (cleared on approval).
    approval_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approval_requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    session: Mapped[Session] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    approval_requested_by: Mapped[User | None] = relationship(
        foreign_keys=[approval_requested_by_id]
    )
    topics: Mapped[list["MinutesTopic"]] = relationship(
        back_populates="minutes",
        order_by="MinutesTopic.position",
        cascade="all, delete-orphan",
    )
    versions: Mapped[list["MinutesVersion"]] = relationship(
        back_populates="minutes", order_by="MinutesVersion.number"
    )

    @property
    def frozen(self) -> bool:
        return self.state.frozen

    @property
    def last_comment_day(self) -> date | None:
        """The last day (in Berlin) on which comments are accepted: the deadline is the first
        instant of the day after."""
        if self.comment_deadline is None:
            return None
        last_instant = self.comment_deadline - timedelta(microseconds=1)
        return last_instant.astimezone(platform_zone()).date()

    def __repr__(self) -> str:
        return f"<Minutes {self.id} of session {self.session_id} {self.state} r{self.revision}>"


class MinutesTopic(db.Model):
    """The minutes of one TOP."""

    __tablename__ = "minutes_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    agenda_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_items.id", ondelete="SET NULL")
    )
    position: Mapped[int]  # the TOP number
    title: Mapped[str] = mapped_column(sa.String(300))
    discussion: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown

    minutes: Mapped[Minutes] = relationship(back_populates="topics")
    agenda_item: Mapped[AgendaItem | None] = relationship()
    decisions: Mapped[list["Decision"]] = relationship(
        back_populates="topic", order_by="Decision.position", cascade="all, delete-orphan"
    )
    action_items: Mapped[list["ActionItem"]] = relationship(
        back_populates="topic", order_by="ActionItem.position", cascade="all, delete-orphan"
    )
    recommendations: Mapped[list["Recommendation"]] = relationship(
        back_populates="topic", order_by="Recommendation.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("minutes_id", "position", name="uq_minutes_topics_position"),
    )

    def __repr__(self) -> str:
        return f"<MinutesTopic {self.id} TOP {self.position} of minutes {self.minutes_id}>"


class Decision(db.Model):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes_topics.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)

    topic: Mapped[MinutesTopic] = relationship(back_populates="decisions")

    def __repr__(self) -> str:
        return f"<Decision {self.id} {self.position} in topic {self.topic_id}>"


class ActionItem(db.Model):
    """An Aufgabe: text, an owner (an expert or an organisation) and a due date. It stays open
    across sessions until closed; the minutes of the session it was closed in say so."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes_topics.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    owner_expert_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("experts.id", ondelete="SET NULL")
    )
    owner_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    due_date: Mapped[date | None] = mapped_column(index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Closed in the minutes of a later session, or (None) on the list of action items.
    closed_in_minutes_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("minutes.id", ondelete="SET NULL")
    )
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    closed_note: Mapped[str] = mapped_column(sa.Text, default="")
    # The due date the owner was last reminded of: a new due date earns a new reminder.
    reminded_for_due_date: Mapped[date | None]

    topic: Mapped[MinutesTopic] = relationship(back_populates="action_items")
    owner_expert: Mapped[Expert | None] = relationship()
    owner_organisation: Mapped[Organisation | None] = relationship()
    closed_in: Mapped[Minutes | None] = relationship(foreign_keys=[closed_in_minutes_id])
    closed_by: Mapped[User | None] = relationship()

    @property
    def owner_name(self) -> str:
        if self.owner_expert is not None:
            return self.owner_expert.full_name
        if self.owner_organisation is not None:
            return self.owner_organisation.name
        return ""

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def __repr__(self) -> str:
        state = "open" if self.closed_at is None else "closed"
        return f"<ActionItem {self.id} {self.position} in topic {self.topic_id} {state}>"


class Recommendation(db.Model):
    """A Handlungsempfehlung for the charter, numbered E-<session>.<TOP>.<n>."""

    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes_topics.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    guideline_id: Mapped[int] = mapped_column(sa.ForeignKey("guidelines.id", ondelete="RESTRICT"))
    actors: Mapped[str] = mapped_column(sa.String(500), default="")  # e.g. "Kommunen, Länder"

    topic: Mapped[MinutesTopic] = relationship(back_populates="recommendations")
    guideline: Mapped[Guideline] = relationship()

    @property
    def number(self) -> str:
        topic = self.topic
        return f"E-{topic.minutes.session_id}.{topic.position}.{self.position}"

    def __repr__(self) -> str:
        return f"<Recommendation {self.id} {self.position} in topic {self.topic_id}>"


class MinutesVersion(db.Model):
    """An approved version: the text as it was approved (JSON) and its PDF. Never changed,
    but for the PDF and its SHA-256, written once when the PDF has been rendered (None until
    then; see `eventsys.minutes.approved_pdf`)."""

    __tablename__ = "minutes_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id", ondelete="RESTRICT"))
    number: Mapped[int]
    reason: Mapped[str] = mapped_column(sa.Text, default="")  # why a correction was made
    content: Mapped[dict] = mapped_column(sa.JSON)
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="RESTRICT")
    )
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    minutes: Mapped[Minutes] = relationship(back_populates="versions")
    approved_by: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("minutes_id", "number", name="uq_minutes_versions_number"),
        sa.CheckConstraint("(pdf IS NULL) = (pdf_sha256 IS NULL)", name="pdf_with_checksum"),
    )

    def __repr__(self) -> str:
        return f"<MinutesVersion {self.id} {self.number} of minutes {self.minutes_id}>"


class MinutesComment(db.Model):
    """A comment by an attendee on a circulated draft, on one TOP or on the whole."""

    __tablename__ = "minutes_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("minutes_topics.id", ondelete="SET NULL")
    )
    expert_id: Mapped[int] = mapped_column(sa.ForeignKey("experts.id", ondelete="CASCADE"))
    version_number: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The secretariat took the comment into account (or answered it outside the platform).
    dealt_with_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    dealt_with_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    minutes: Mapped[Minutes] = relationship()
    topic: Mapped[MinutesTopic | None] = relationship()
    expert: Mapped[Expert] = relationship()
    dealt_with_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<MinutesComment {self.id} by expert {self.expert_id} on minutes {self.minutes_id}>"
