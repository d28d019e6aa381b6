"""Charters, their chapters, the pool of recommendations, frozen versions and consultation.

A recommendation of approved minutes enters each charter's pool as a Clause: the wording the
charter uses, which the secretariat may edit, and one ClauseOrigin per recommendation it was
made from (several, once duplicates are merged). The origin keeps the wording as the minutes
approved it, the session, the TOP and the minutes version, so that every sentence of the
charter can be traced back to the meeting that produced it.

"Freeze a draft" writes a CharterVersion: the whole text as JSON (see `content.py`) plus one
VersionClause row per recommendation it contains, which is what provenance queries use.
Database triggers (migration 0005) keep a version's text, number and rows unchangeable.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.auth.models import User
from eventsys.charters.states import ClauseStatus, CommentStatus, VersionState
from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.minutes.models import Guideline, MinutesVersion
from eventsys.sessions.models import Session


class Charter(db.Model):
    """A text the platform agrees on: the Smart City Charta, later a data strategy."""

    __tablename__ = "charters"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_de: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    preamble_de: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown
    preamble_en: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    # Raised by every change to the working text, so that the draft page knows whether it
    # differs from the last frozen version without comparing texts.
    revision: Mapped[int] = mapped_column(default=1)

    created_by: Mapped[User | None] = relationship()
    chapters: Mapped[list["Chapter"]] = relationship(
        back_populates="charter",
        order_by="Chapter.position",
        cascade="all, delete-orphan",
    )
    versions: Mapped[list["CharterVersion"]] = relationship(
        back_populates="charter",
        order_by="(CharterVersion.major, CharterVersion.minor)",
    )

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_de

    def __repr__(self) -> str:
        return f"<Charter {self.id} {self.title_de!r}>"


class Chapter(db.Model):
    """A chapter of a charter, in order, with its introduction. A chapter made for a guideline
    is where the pool suggests that guideline's recommendations go."""

    __tablename__ = "charter_chapters"

    id: Mapped[int] = mapped_column(primary_key=True)
    charter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("charters.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    title_de: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    introduction_de: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown
    introduction_en: Mapped[str] = mapped_column(sa.Text, default="")
    guideline_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("guidelines.id", ondelete="SET NULL")
    )

    charter: Mapped[Charter] = relationship(back_populates="chapters")
    guideline: Mapped[Guideline | None] = relationship()
    clauses: Mapped[list["Clause"]] = relationship(
        back_populates="chapter",
        order_by="(Clause.position, Clause.id)",
        primaryjoin="and_(Chapter.id == Clause.chapter_id, Clause.status == 'active')",
        viewonly=True,
    )

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_de

    def introduction(self, language: str) -> str:
        return (
            self.introduction_en
            if language == "en" and self.introduction_en
            else self.introduction_de
        )

    def __repr__(self) -> str:
        return f"<Chapter {self.id} {self.position} of charter {self.charter_id}>"


class Clause(db.Model):
    """A recommendation in a charter's pool: the charter's wording and where it came from."""

    __tablename__ = "charter_clauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    charter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("charters.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[ClauseStatus] = mapped_column(
        enum_column(ClauseStatus, "clause_status"), default=ClauseStatus.ACTIVE
    )
    # None while unassigned: then it waits in the pool and is not part of the text.
    chapter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("charter_chapters.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)  # order within the chapter
    text_de: Mapped[str] = mapped_column(sa.Text)
    text_en: Mapped[str] = mapped_column(sa.Text, default="")
    set_aside_reason: Mapped[str] = mapped_column(sa.Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("charter_clauses.id", ondelete="SET NULL")
    )
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    charter: Mapped[Charter] = relationship()
    chapter: Mapped[Chapter | None] = relationship(foreign_keys=[chapter_id])
    merged_into: Mapped["Clause | None"] = relationship(remote_side=[id])
    updated_by: Mapped[User | None] = relationship()
    origins: Mapped[list["ClauseOrigin"]] = relationship(
        back_populates="clause",
        order_by="(ClauseOrigin.session_id, ClauseOrigin.topic_position, ClauseOrigin.id)",
    )

    def text(self, language: str) -> str:
        return self.text_en if language == "en" and self.text_en else self.text_de

    def __repr__(self) -> str:
        return f"<Clause {self.id} of charter {self.charter_id} {self.status}>"


class ClauseOrigin(db.Model):
    """One recommendation of approved minutes that a clause was made from, with its wording as
    the minutes approved it. A later approved version of the same minutes updates it."""

    __tablename__ = "charter_clause_origins"

    id: Mapped[int] = mapped_column(primary_key=True)
    charter_id: Mapped[int] = mapped_column(sa.ForeignKey("charters.id", ondelete="CASCADE"))
    clause_id: Mapped[int] = mapped_column(
        sa.ForeignKey("charter_clauses.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="RESTRICT"), index=True
    )
    minutes_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes_versions.id", ondelete="RESTRICT")
    )
    recommendation_number: Mapped[str] = mapped_column(sa.String(40))  # E-<session>.<TOP>.<n>
    topic_position: Mapped[int]
    topic_title: Mapped[str] = mapped_column(sa.String(300))
    original_text: Mapped[str] = mapped_column(sa.Text)
    actors: Mapped[str] = mapped_column(sa.String(500), default="")
    guideline_number: Mapped[int | None]
    # Set when a corrected version of the minutes changed the wording after the clause was
    # made: the secretariat should look at it again.
    source_changed: Mapped[bool] = mapped_column(default=False)

    clause: Mapped[Clause] = relationship(back_populates="origins")
    session: Mapped[Session] = relationship()
    minutes_version: Mapped[MinutesVersion] = relationship()

    __table_args__ = (
        sa.UniqueConstraint(
            "charter_id", "recommendation_number", name="uq_charter_clause_origins_number"
        ),
    )

    def __repr__(self) -> str:
        return f"<ClauseOrigin {self.recommendation_number} → clause {self.clause_id}>"


class CharterVersion(db.Model):
    """A frozen, numbered version (Fassung 0.1, 0.2, …, 1.0) of a charter's whole text."""

    __tablename__ = "charter_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    charter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("charters.id", ondelete="RESTRICT"), index=True
    )
    major: Mapped[int]
    minor: Mapped[int]
    state: Mapped[VersionState] = mapped_column(
        enum_column(VersionState, "charter_version_state"), default=VersionState.WORKING_DRAFT
    )
    note: Mapped[str] = mapped_column(sa.Text, default="")  # what changed, in a sentence
    content: Mapped[dict] = mapped_column(sa.JSON)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    consultation_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The first instant after the last day on which comments are taken.
    consultation_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    charter: Mapped[Charter] = relationship(back_populates="versions")
    frozen_by: Mapped[User | None] = relationship()
    clauses: Mapped[list["VersionClause"]] = relationship(
        back_populates="version", order_by="VersionClause.id"
    )

    __table_args__ = (
        sa.UniqueConstraint("charter_id", "major", "minor", name="uq_charter_versions_number"),
    )

    @property
    def label(self) -> str:
        return f"{self.major}.{self.minor}"

    def __repr__(self) -> str:
        return f"<CharterVersion {self.label} of charter {self.charter_id} {self.state}>"


class VersionClause(db.Model):
    """That a frozen version contains a clause, under which number (e.g. "2.3")."""

    __tablename__ = "charter_version_clauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("charter_versions.id", ondelete="RESTRICT"), index=True
    )
    clause_id: Mapped[int] = mapped_column(
        sa.ForeignKey("charter_clauses.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[str] = mapped_column(sa.String(20))

    version: Mapped[CharterVersion] = relationship(back_populates="clauses")
    clause: Mapped[Clause] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("version_id", "clause_id", name="uq_charter_version_clauses_clause"),
    )

    def __repr__(self) -> str:
        return f"<VersionClause {self.number} of version {self.version_id}>"


class ConsultationComment(db.Model):
    """An expert's comment on a version in consultation: on one recommendation, one chapter,
    or (both None) the whole; and what the secretariat made of it."""

    __tablename__ = "charter_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("charter_versions.id", ondelete="RESTRICT"), index=True
    )
    expert_id: Mapped[int] = mapped_column(sa.ForeignKey("experts.id", ondelete="CASCADE"))
    chapter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("charter_chapters.id", ondelete="SET NULL")
    )
    clause_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("charter_clauses.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[CommentStatus] = mapped_column(
        enum_column(CommentStatus, "charter_comment_status"), default=CommentStatus.OPEN
    )
    answer: Mapped[str] = mapped_column(sa.Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    version: Mapped[CharterVersion] = relationship()
    expert: Mapped[Expert] = relationship()
    chapter: Mapped[Chapter | None] = relationship()
    clause: Mapped[Clause | None] = relationship()
    answered_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ConsultationComment {self.id} on version {self.version_id} {self.status}>"


class ConsultationRecipient(db.Model):
    """An expert a version was sent to for consultation: who may comment through the link."""

    __tablename__ = "charter_consultation_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("charter_versions.id", ondelete="RESTRICT"), index=True
    )
    expert_id: Mapped[int] = mapped_column(sa.ForeignKey("experts.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[CharterVersion] = relationship()
    expert: Mapped[Expert] = relationship()

    __table_args__ = (
        sa.UniqueConstraint(
            "version_id", "expert_id", name="uq_charter_consultation_recipients_expert"
        ),
    )

    def __repr__(self) -> str:
        return f"<ConsultationRecipient expert {self.expert_id} of version {self.version_id}>"
