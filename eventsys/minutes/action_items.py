"""Action items that stay open across sessions until the minutes of a later session close them."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventsys.extensions import db
from eventsys.minutes.models import ActionItem, Minutes, MinutesTopic
from eventsys.sessions.models import Session


def open_before(session: Session) -> list[ActionItem]:
    """Action items from the minutes of earlier sessions that were still open when this
    session's minutes were written: not closed, or closed in this session's own minutes."""
    own_minutes = sa.select(Minutes.id).where(Minutes.session_id == session.id).scalar_subquery()
    query = (
        sa.select(ActionItem)
        .join(ActionItem.topic)
        .join(MinutesTopic.minutes)
        .join(Minutes.session)
        .where(
            Session.starts_at < session.starts_at,
            sa.or_(
                ActionItem.closed_at.is_(None),
                ActionItem.closed_in_minutes_id == own_minutes,
            ),
        )
        .options(
            selectinload(ActionItem.owner_expert),
            selectinload(ActionItem.owner_organisation),
            selectinload(ActionItem.topic).selectinload(MinutesTopic.minutes),
        )
        .order_by(Session.starts_at, MinutesTopic.position, ActionItem.position)
    )
    return list(db.session.scalars(query))


def number(item: ActionItem) -> str:
    """A-<session>.<TOP>.<n>, the way recommendations are numbered E-…"""
    topic = item.topic
    return f"A-{topic.minutes.session_id}.{topic.position}.{item.position}"
