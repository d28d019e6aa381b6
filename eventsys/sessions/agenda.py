"""A session's agenda: adding, changing, removing and moving its items (TOPs), and the
schedule that follows from their durations."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.audit import services as audit
from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.services import SessionError
from eventsys.signals import agenda_item_removing

AGENDA_ITEM_FIELDS = (
    "position",
    "title",
    "title_en",
    "description",
    "presenter_expert_id",
    "presenter_text",
    "duration_minutes",
)


@dataclass(frozen=True)
class AgendaItemDetails:
    """What an agenda item says; `presenter_expert` and `presenter_text` are alternatives."""

    title: str
    duration_minutes: int
    description: str = ""
    presenter_expert: Expert | None = None
    presenter_text: str = ""
    title_en: str = ""


def _current_agenda(session: Session) -> list[AgendaItem]:
    """The session's agenda as committed now, with the session row locked until commit.

    Two organisers changing one agenda at once would otherwise both compute the same new
    position and one of them would hit the unique constraint. Updating the session row makes
    the second writer wait for the first one's commit, on SQLite and PostgreSQL alike; the
    items are then read again so that positions reflect that commit.
    """
    db.session.execute(
        sa.update(Session).where(Session.id == session.id).values(updated_at=utcnow())
    )
    items = list(
        db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.session_id == session.id)
            .order_by(AgendaItem.position)
            .execution_options(populate_existing=True)
        )
    )
    db.session.expire(session, ["agenda_items"])
    return items


def _check_agenda_item(details: AgendaItemDetails) -> None:
    if details.presenter_expert is not None and details.presenter_text:
        raise SessionError(_("Choose an expert or type a presenter's name, not both."))
    if not 0 <= details.duration_minutes <= 24 * 60:
        raise SessionError(_("The duration must be between 0 and 1440 minutes."))


def _item_label(item: AgendaItem) -> str:
    return f"TOP {item.position} {item.title!r} of session {item.session_id}"


def _note_agenda_change(session_id: int) -> None:
    """Remember that the invitees' calendars show an older agenda (see Session.agenda_changed)."""
    session = db.session.get(Session, session_id)
    if session is not None:
        session.agenda_changed = True


def _position_after(agenda: list[AgendaItem]) -> int:
    """The first free position behind the last item."""
    return agenda[-1].position + 1 if agenda else 1


def add_agenda_item(session: Session, details: AgendaItemDetails) -> AgendaItem:
    """Append an item to the end of the session's agenda.

    Raises SessionError if both an expert and a free-text presenter are given.
    """
    _check_agenda_item(details)
    agenda = _current_agenda(session)
    item = AgendaItem(
        session_id=session.id,
        position=_position_after(agenda),
        title=details.title,
        title_en=details.title_en,
        description=details.description,
        presenter_expert=details.presenter_expert,
        presenter_text=details.presenter_text,
        duration_minutes=details.duration_minutes,
    )
    db.session.add(item)
    db.session.flush()
    _note_agenda_change(session.id)
    audit.record(
        "agenda_item.added",
        item,
        f"{_item_label(item)} added",
        audit.diff({}, audit.snapshot(item, AGENDA_ITEM_FIELDS)),
    )
    return item


def update_agenda_item(item: AgendaItem, details: AgendaItemDetails) -> None:
    """Change what an item says (not its place on the agenda), recording what changed.

    Raises SessionError if both an expert and a free-text presenter are given.
    """
    _check_agenda_item(details)
    before = audit.snapshot(item, AGENDA_ITEM_FIELDS)
    item.title = details.title
    item.title_en = details.title_en
    item.description = details.description
    item.presenter_expert = details.presenter_expert
    item.presenter_text = details.presenter_text
    item.duration_minutes = details.duration_minutes
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(item, AGENDA_ITEM_FIELDS))
    if changes:
        _note_agenda_change(item.session_id)
        audit.record("agenda_item.updated", item, f"{_item_label(item)} changed", changes)


def remove_agenda_item(item: AgendaItem) -> None:
    """Delete an item and close the gap: the items after it move up by one.

    Raises SessionError if someone else removed the item meanwhile, or if a feature that
    refers to it must keep it (approved minutes, through `agenda_item_removing`).
    """
    agenda = _current_agenda(item.session)
    if item not in agenda:
        raise SessionError(_("This agenda item has already been removed."))
    agenda_item_removing.send(item)
    _note_agenda_change(item.session_id)
    audit.record(
        "agenda_item.removed",
        item,
        f"{_item_label(item)} removed",
        audit.diff(audit.snapshot(item, AGENDA_ITEM_FIELDS), dict.fromkeys(AGENDA_ITEM_FIELDS)),
    )
    db.session.delete(item)
    db.session.flush()
    agenda.remove(item)
    # One flush per item, in ascending order: the unique (session, position) constraint is
    # checked row by row, and going upwards each item's new position is already free.
    for position, remaining in enumerate(agenda, start=1):
        if remaining.position != position:
            remaining.position = position
            db.session.flush()


def move_agenda_item(item: AgendaItem, direction: str) -> None:
    """Swap an item with its neighbour above ("up") or below ("down").

    Raises SessionError if the item is already first or last, or was removed meanwhile.
    """
    if direction not in ("up", "down"):
        raise ValueError(f"unknown direction {direction!r}")
    agenda = _current_agenda(item.session)
    if item not in agenda:
        raise SessionError(_("This agenda item has been removed meanwhile."))
    index = agenda.index(item)
    neighbour_index = index - 1 if direction == "up" else index + 1
    if not 0 <= neighbour_index < len(agenda):
        if direction == "up":
            raise SessionError(_("This item is already the first on the agenda."))
        raise SessionError(_("This item is already the last on the agenda."))
    neighbour = agenda[neighbour_index]
    old_position, new_position = item.position, neighbour.position
    # The unique constraint forbids two items on one position even for a moment, and positions
    # must stay positive: park the item behind the last one while the neighbour takes its place.
    item.position = _position_after(agenda)
    db.session.flush()
    neighbour.position = old_position
    db.session.flush()
    item.position = new_position
    db.session.flush()
    _note_agenda_change(item.session_id)
    audit.record(
        "agenda_item.moved",
        item,
        f"{_item_label(item)} moved {direction} (was TOP {old_position})",
        {"position": [old_position, new_position]},
    )


@dataclass(frozen=True)
class ScheduledItem:
    """An agenda item with the times it starts and ends if the agenda runs to plan."""

    item: AgendaItem
    starts_at: datetime
    ends_at: datetime


def scheduled_agenda(session: Session) -> list[ScheduledItem]:
    """The agenda with each item's planned start, counting from the session's start."""
    schedule = []
    clock = session.starts_at
    for item in session.agenda_items:
        ends_at = clock + timedelta(minutes=item.duration_minutes)
        schedule.append(ScheduledItem(item, clock, ends_at))
        clock = ends_at
    return schedule


def agenda_overrun(session: Session) -> timedelta:
    """How much longer the agenda is than the session (zero if it fits)."""
    return max(session.agenda_duration - session.duration, timedelta(0))
