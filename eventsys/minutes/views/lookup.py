"""Finding the minutes a URL names."""

import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.minutes.models import Minutes


def minutes_of_session_or_404(session_id: int) -> Minutes:
    return db.first_or_404(sa.select(Minutes).where(Minutes.session_id == session_id))
