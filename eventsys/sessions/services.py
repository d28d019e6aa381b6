"""Creating, changing and copying sessions and their agendas."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.sessions.models import Session


def upcoming_sessions(limit: int | None = None) -> list[Session]:
    """Sessions that have not ended yet, soonest first."""
    query = (
        sa.select(Session)
        .where(Session.ends_at >= utcnow())
        .order_by(Session.starts_at)
        .options(selectinload(Session.agenda_items))
        .limit(limit)
    )
    return list(db.session.scalars(query))


def past_sessions(limit: int | None = None) -> list[Session]:
    """Sessions that have ended, most recent first."""
    query = (
        sa.select(Session)
        .where(Session.ends_at < utcnow())
        .order_by(Session.starts_at.desc())
        .options(selectinload(Session.agenda_items))
        .limit(limit)
    )
    return list(db.session.scalars(query))
