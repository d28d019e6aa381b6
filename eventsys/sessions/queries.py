"""Finding sessions: the filtered list, the years for filters, a session for its page, the
upcoming and past ones, and who may organise or present."""

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, selectinload

from eventsys.access import PLANNERS
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.localtime import from_utc, platform_zone_name, to_utc
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.states import SessionKind, SessionStatus

PAST_SESSIONS_PER_PAGE = 20


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
        to_utc(date(year, 1, 1), time(0, 0), platform_zone_name()),
        to_utc(date(year + 1, 1, 1), time(0, 0), platform_zone_name()),
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
            from_utc(last, platform_zone_name()).year,
            from_utc(first, platform_zone_name()).year - 1,
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
            .order_by(Expert.sort_key, Expert.id)
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
