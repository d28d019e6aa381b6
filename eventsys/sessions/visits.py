"""When each staff member last opened a session's page, so that the page can show what
changed since (see `eventsys.notices.recent`)."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.auth.models import User
from eventsys.database import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.sessions.models import Session


class SessionVisit(db.Model):
    """One row per person and session: the last time they opened the session's page."""

    __tablename__ = "session_visits"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<SessionVisit user {self.user_id} session {self.session_id} {self.visited_at}>"


def record_visit(session: Session, user: User, now: datetime | None = None) -> datetime | None:
    """Record that `user` opens `session`'s page now; return when they opened it before (None
    the first time). The caller commits.

    One INSERT … ON CONFLICT DO UPDATE (SQLite and PostgreSQL both have it), so that two tabs
    opened at once cannot both insert the row and fail on its primary key.
    """
    now = now or utcnow()
    previous = db.session.scalar(
        sa.select(SessionVisit.visited_at).where(
            SessionVisit.user_id == user.id, SessionVisit.session_id == session.id
        )
    )
    dialect = sqlite if db.session.get_bind().dialect.name == "sqlite" else postgresql
    statement = dialect.insert(SessionVisit).values(
        user_id=user.id, session_id=session.id, visited_at=now
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "session_id"], set_={"visited_at": now}
        )
    )
    return previous
