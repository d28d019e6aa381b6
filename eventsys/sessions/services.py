"""Creating, changing and copying sessions and their agendas."""

from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, selectinload

from eventsys import signals
from eventsys.access import PLANNERS
from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.localtime import from_utc, to_utc
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.states import SessionKind, SessionStatus

# Sessions are planned, entered and shown in German time, wherever the organiser sits.
SESSION_TIME_ZONE = "Europe/Berlin"

AGENDA_ITEM_FIELDS = (
    "position",
    "title",
    "description",
    "presenter_expert_id",
    "presenter_text",
    "duration_minutes",
)
# A confirmed or held session needs a place people can go to; a planned one often has its
# date long before its room, and a cancelled one needs none.
STATUSES_NEEDING_A_PLACE = frozenset({SessionStatus.CONFIRMED, SessionStatus.HELD})
PAST_SESSIONS_PER_PAGE = 20


class SessionError(ValueError):
    """A user-facing reason why a session or its agenda could not be changed."""


class InvalidSessionDetails(SessionError):
    """Details that break the rules for a session; `problems` maps each field to its message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class SessionDetails:
    """Everything an organiser enters about a session; instants are timezone-aware."""

    title: str
    kind: SessionKind
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    venue_address: str = ""
    venue_room: str = ""
    online_url: str = ""
    status: SessionStatus = SessionStatus.PLANNED
    capacity: int | None = None
    rsvp_deadline: datetime | None = None
    organisers: list[User] = field(default_factory=list)


# Every detail an organiser enters is worth a line in the audit trail.
SESSION_FIELDS = tuple(detail.name for detail in fields(SessionDetails))


@dataclass(frozen=True)
class AgendaItemDetails:
    """What an agenda item says; `presenter_expert` and `presenter_text` are alternatives."""

    title: str
    duration_minutes: int
    description: str = ""
    presenter_expert: Expert | None = None
    presenter_text: str = ""


def check_session_details(details: SessionDetails) -> None:
    """Raise InvalidSessionDetails, naming every broken rule, unless `details` are consistent."""
    problems: dict[str, str] = {}
    if details.ends_at <= details.starts_at:
        problems["ends_at"] = _("The session must end after it starts.")
    if details.rsvp_deadline is not None and details.rsvp_deadline >= details.starts_at:
        problems["rsvp_deadline"] = _("The reply deadline must be before the session starts.")
    if details.capacity is not None and details.capacity < 1:
        problems["capacity"] = _("The capacity must be at least 1.")
    if (
        details.status in STATUSES_NEEDING_A_PLACE
        and not details.venue_address
        and not details.online_url
    ):
        problems["venue_address"] = _(
            "A confirmed or held session needs a venue address or an online link."
        )
    if any(user.role not in PLANNERS for user in details.organisers):
        problems["organisers"] = _("Only organisers and administrators can be responsible.")
    if problems:
        raise InvalidSessionDetails(problems)


def _apply_details(session: Session, details: SessionDetails) -> None:
    for name in SESSION_FIELDS:
        setattr(session, name, getattr(details, name))


def _session_snapshot(session: Session) -> dict:
    """The audited fields of `session`; organisers as sorted ids, since their order is not news."""
    values = audit.snapshot(session, SESSION_FIELDS)
    values["organisers"] = sorted(values["organisers"])
    return values


def create_session(details: SessionDetails) -> Session:
    """Add a session; raises InvalidSessionDetails if the details break a rule."""
    check_session_details(details)
    session = Session()
    _apply_details(session, details)
    db.session.add(session)
    db.session.flush()
    audit.record(
        "session.created",
        session,
        f"Session {session.title!r} created",
        audit.diff({}, _session_snapshot(session)),
    )
    return session


def update_session(session: Session, details: SessionDetails) -> None:
    """Change a session's details, recording old and new values of what changed, and tell
    the features that care (`signals.session_changed`: invitees get calendar updates).

    Raises InvalidSessionDetails if the new details break a rule.
    """
    check_session_details(details)
    before = _session_snapshot(session)
    _apply_details(session, details)
    changes = audit.diff(before, _session_snapshot(session))
    if changes:
        db.session.flush()
        audit.record("session.updated", session, f"Session {session.title!r} changed", changes)
        signals.session_changed.send(session, changes=changes)


def copy_session(original: Session, details: SessionDetails) -> Session:
    """A new, planned session with `details` and a copy of `original`'s agenda.

    Raises InvalidSessionDetails if the details break a rule.
    """
    details = replace(details, status=SessionStatus.PLANNED)
    check_session_details(details)
    copy = Session(copied_from_id=original.id)
    _apply_details(copy, details)
    copy.agenda_items = [
        AgendaItem(
            position=position,
            title=item.title,
            description=item.description,
            presenter_expert_id=item.presenter_expert_id,
            presenter_text=item.presenter_text,
            duration_minutes=item.duration_minutes,
        )
        for position, item in enumerate(original.agenda_items, start=1)
    ]
    db.session.add(copy)
    db.session.flush()
    audit.record(
        "session.copied",
        copy,
        f"Session {copy.title!r} copied from session {original.id} "
        f"with {len(copy.agenda_items)} agenda items",
        audit.diff({}, _session_snapshot(copy) | {"copied_from_id": original.id}),
    )
    return copy


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
        description=details.description,
        presenter_expert=details.presenter_expert,
        presenter_text=details.presenter_text,
        duration_minutes=details.duration_minutes,
    )
    db.session.add(item)
    db.session.flush()
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
    item.description = details.description
    item.presenter_expert = details.presenter_expert
    item.presenter_text = details.presenter_text
    item.duration_minutes = details.duration_minutes
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(item, AGENDA_ITEM_FIELDS))
    if changes:
        audit.record("agenda_item.updated", item, f"{_item_label(item)} changed", changes)


def remove_agenda_item(item: AgendaItem) -> None:
    """Delete an item and close the gap: the items after it move up by one.

    Raises SessionError if someone else removed the item meanwhile.
    """
    agenda = _current_agenda(item.session)
    if item not in agenda:
        raise SessionError(_("This agenda item has already been removed."))
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


@dataclass(frozen=True)
class SessionFilter:
    kind: SessionKind | None = None
    status: SessionStatus | None = None
    year: int | None = None


@dataclass(frozen=True)
class SessionListing:
    upcoming: list[Session]
    past: Pagination


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instants of `year` and of the next year, in Berlin."""
    return (
        to_utc(date(year, 1, 1), time(0, 0), SESSION_TIME_ZONE),
        to_utc(date(year + 1, 1, 1), time(0, 0), SESSION_TIME_ZONE),
    )


def list_sessions(
    filters: SessionFilter, page: int, per_page: int = PAST_SESSIONS_PER_PAGE
) -> SessionListing:
    """Sessions matching `filters`: all upcoming ones (soonest first) and a page of past ones
    (most recent first). A session counts as upcoming until it has ended."""
    query = sa.select(Session)
    if filters.kind is not None:
        query = query.where(Session.kind == filters.kind)
    if filters.status is not None:
        query = query.where(Session.status == filters.status)
    if filters.year is not None:
        first, after_last = year_bounds(filters.year)
        query = query.where(Session.starts_at >= first, Session.starts_at < after_last)
    now = utcnow()
    upcoming = db.session.scalars(
        query.where(Session.ends_at >= now).order_by(Session.starts_at, Session.id)
    ).all()
    past = db.paginate(
        query.where(Session.ends_at < now).order_by(Session.starts_at.desc(), Session.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    return SessionListing(upcoming=list(upcoming), past=past)


def session_years(begun_by: datetime | None = None) -> list[int]:
    """The years (in Berlin) from the first to the last session, newest first, for filters;
    with `begun_by`, only of the sessions that had begun by then."""
    query = sa.select(sa.func.min(Session.starts_at), sa.func.max(Session.starts_at))
    if begun_by is not None:
        query = query.where(Session.starts_at <= begun_by)
    first, last = db.session.execute(query).one()
    if first is None:
        return []
    return list(
        range(
            from_utc(last, SESSION_TIME_ZONE).year,
            from_utc(first, SESSION_TIME_ZONE).year - 1,
            -1,
        )
    )


def session_for_display(session_id: int) -> Session | None:
    """The session with its agenda, presenters and organisers loaded in a fixed few queries."""
    return db.session.get(
        Session,
        session_id,
        options=[
            selectinload(Session.agenda_items)
            .joinedload(AgendaItem.presenter_expert)
            .joinedload(Expert.organisation),
            selectinload(Session.organisers),
        ],
        # Eager loading only fills what it loads itself; an agenda already in the identity map
        # would otherwise be completed item by item.
        populate_existing=True,
    )


def all_sessions() -> list[Session]:
    """Every session, earliest first."""
    return list(db.session.scalars(sa.select(Session).order_by(Session.starts_at, Session.id)))


def eligible_organisers() -> list[User]:
    """Active staff who may be responsible for a session."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.active.is_(True), User.role.in_(PLANNERS))
            .order_by(User.name, User.id)
        )
    )


def presenter_candidates() -> list[Expert]:
    """Active experts, by surname, with their organisation loaded."""
    return list(
        db.session.scalars(
            sa.select(Expert)
            .where(Expert.active.is_(True))
            .options(joinedload(Expert.organisation))
            .order_by(Expert.last_name, Expert.first_name, Expert.id)
        )
    )


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
