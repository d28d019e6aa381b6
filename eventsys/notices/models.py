"""Each organiser's choice per session, and the mails sent because of it."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.auth.models import User
from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.extensions import db
from eventsys.invitations.models import InvitationAnswer
from eventsys.labels import LabelledEnum
from eventsys.outbox.models import OutboxMessage


class NoticeChoice(LabelledEnum):
    """How an organiser hears about the answers to one session."""

    EACH = "each", _l("A mail for each answer")
    DIGEST = "digest", _l("One mail a day with the day's answers")
    NONE = "none", _l("No mail; I look on the session page")


# Without a choice of their own, organisers get the daily digest. A mail per answer would flood
# an inbox for a large session (a 10,000-person plenary sends thousands of answers in its first
# days); no mail at all would leave the people responsible unaware of answers that arrive by
# calendar reply. One mail a day keeps them informed at any size; each can choose otherwise.
DEFAULT_CHOICE = NoticeChoice.DIGEST


class AnswerNoticePreference(db.Model):
    """One organiser's choice for one session; no row means `DEFAULT_CHOICE`."""

    __tablename__ = "answer_notice_preferences"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    choice: Mapped[NoticeChoice] = mapped_column(enum_column(NoticeChoice, "answer_notice_choice"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return (
            f"<AnswerNoticePreference user {self.user_id} session {self.session_id} "
            f"{self.choice.value}>"
        )


class AnswerNoticeMail(db.Model):
    """A mail telling one organiser about one answer; its composer reads the answer from here.

    Unique per answer and organiser, so that no organiser hears of the same answer twice.
    """

    __tablename__ = "answer_notice_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        sa.ForeignKey("invitation_answers.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    outbox_message_id: Mapped[int] = mapped_column(
        sa.ForeignKey("outbox_messages.id", ondelete="CASCADE"), unique=True
    )

    answer: Mapped[InvitationAnswer] = relationship()
    user: Mapped[User] = relationship()
    outbox_message: Mapped[OutboxMessage] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("answer_id", "user_id", name="uq_answer_notice_mails_answer_user"),
    )

    def __repr__(self) -> str:
        return f"<AnswerNoticeMail {self.id} answer {self.answer_id} to user {self.user_id}>"


class AnswerDigest(db.Model):
    """A daily digest sent to one organiser: the answers recorded up to `covered_until`.

    Unique per organiser and Berlin day, and written in the transaction that queues the mail:
    a second run that day finds it and sends nothing; a run that crashed before its commit left
    neither, so the next run sends the digest.
    """

    __tablename__ = "answer_digests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(sa.Date)
    covered_from: Mapped[datetime] = mapped_column(UTCDateTime)
    covered_until: Mapped[datetime] = mapped_column(UTCDateTime)
    answers: Mapped[int]
    outbox_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )

    __table_args__ = (
        sa.UniqueConstraint("user_id", "day", name="uq_answer_digests_user_day"),
        sa.CheckConstraint("covered_until > covered_from", name="covers_a_time"),
    )

    def __repr__(self) -> str:
        return f"<AnswerDigest {self.id} user {self.user_id} {self.day} {self.answers} answers>"
