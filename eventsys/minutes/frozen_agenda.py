"""Approved minutes keep the agenda items their TOPs came from (receiver of
`agenda_item_removing`): the database triggers would refuse the change the deletion makes to a
frozen TOP; this says why before anything is deleted."""

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.extensions import db
from eventsys.minutes.models import Minutes, MinutesTopic
from eventsys.minutes.states import FROZEN_STATES
from eventsys.sessions.models import AgendaItem
from eventsys.sessions.services import SessionError
from eventsys.signals import agenda_item_removing


@agenda_item_removing.connect
def keep_items_of_approved_minutes(item: AgendaItem, **_details) -> None:
    """Raise SessionError if approved (or published) minutes have a TOP from `item`."""
    referenced = db.session.scalar(
        sa.select(sa.func.count(MinutesTopic.id))
        .join(Minutes, Minutes.id == MinutesTopic.minutes_id)
        .where(MinutesTopic.agenda_item_id == item.id, Minutes.state.in_(FROZEN_STATES))
    )
    if referenced:
        raise SessionError(
            _(
                "TOP %(number)d stays on the agenda: the approved minutes of this session "
                "record it. To change the record, start a correction of the minutes.",
                number=item.position,
            )
        )
