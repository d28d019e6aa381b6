"""Action items that stay open across sessions until the minutes of a later session close them:
which are open, their numbers, and closing or reopening them in later minutes."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.i18n import in_language_of
from eventsys.minutes.errors import MinutesError, MinutesFrozen, frozen_message
from eventsys.minutes.models import ActionItem, Minutes, MinutesTopic
from eventsys.sessions.models import Session

MAX_CLOSING_NOTE_LENGTH = 2000


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


@dataclass(frozen=True)
class CarriedOverItem:
    """An action item from an earlier session's minutes, with its number and that session."""

    item: ActionItem
    number: str
    session: Session


def carried_over(session: Session) -> list[CarriedOverItem]:
    """Action items from earlier sessions that were open when this session's minutes were
    written (see `open_before`), each with the session it comes from."""
    items = open_before(session)
    session_ids = {item.topic.minutes.session_id for item in items}
    sessions = {
        earlier.id: earlier
        for earlier in db.session.scalars(
            sa.select(Session).where(Session.id.in_(sorted(session_ids)))
        )
    }
    return [
        CarriedOverItem(item, number(item), sessions[item.topic.minutes.session_id])
        for item in items
    ]


def _check_carried_over(item: ActionItem, minutes: Minutes) -> None:
    if minutes.frozen:
        raise MinutesFrozen(frozen_message())
    if item.topic.minutes.session.starts_at >= minutes.session.starts_at:
        raise MinutesError(
            _(
                "Only action items from earlier sessions can be closed or reopened here; "
                "change this session's own action items in its TOPs."
            )
        )


def close(item: ActionItem, note: str, user: User, minutes: Minutes | None = None) -> None:
    """Close an open action item with a note: in `minutes` (of a later session), or without
    them on the list of action items; records who closed it.

    Raises MinutesError if it is already closed or the note is too long.
    """
    with in_language_of(user):
        if not item.is_open:
            raise MinutesError(_("This action item has already been closed."))
        note = note.strip()
        if len(note) > MAX_CLOSING_NOTE_LENGTH:
            raise MinutesError(
                _(
                    "The note can have at most %(count)d characters.",
                    count=MAX_CLOSING_NOTE_LENGTH,
                )
            )
    item.closed_at = utcnow()
    item.closed_in = minutes
    item.closed_by = user
    item.closed_note = note
    db.session.flush()
    audit.record(
        "action_item.closed",
        item,
        f"{number(item)} closed {_place(minutes)}",
        {"closed_note": ["", note]},
    )


def reopen(item: ActionItem, minutes: Minutes | None = None) -> None:
    """Open a closed action item again (where it was closed: in `minutes`, or on the list)."""
    note = item.closed_note
    item.closed_at = None
    item.closed_in = None
    item.closed_by = None
    item.closed_note = ""
    db.session.flush()
    audit.record(
        "action_item.reopened",
        item,
        f"{number(item)} reopened {_place(minutes)}",
        {"closed_note": [note, ""]},
    )


def _place(minutes: Minutes | None) -> str:
    if minutes is None:
        return "on the list of action items"
    return f"in the minutes of session {minutes.session_id}"


def close_action_item(item: ActionItem, minutes: Minutes, note: str, user: User) -> None:
    """Close an action item from an earlier session in these minutes, with a note.

    Raises MinutesFrozen if these minutes are approved, and MinutesError if the item is not
    from an earlier session, is already closed, or the note is too long.
    """
    with in_language_of(user):
        _check_carried_over(item, minutes)
    close(item, note, user, minutes)


def reopen_action_item(item: ActionItem, minutes: Minutes, user: User) -> None:
    """Undo closing an action item in these minutes: it is open again.

    Raises MinutesFrozen if these minutes are approved, and MinutesError unless the item is
    from an earlier session and was closed in these minutes.
    """
    with in_language_of(user):
        _check_carried_over(item, minutes)
        if item.closed_in_minutes_id != minutes.id:
            raise MinutesError(_("This action item was not closed in these minutes."))
    reopen(item, minutes)
