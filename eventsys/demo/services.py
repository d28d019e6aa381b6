"""Loading the demo platform into the database, once."""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.demo import data
from eventsys.demo.charter import load_charter_demo
from eventsys.demo.invitations import invite_to_next_plenary
from eventsys.demo.minutes import ensure_demo_minutes
from eventsys.experts.models import Expert, Organisation, WorkingGroup
from eventsys.extensions import db
from eventsys.localtime import platform_zone_name, to_utc
from eventsys.sessions.models import AgendaItem, Session

RSVP_DAYS_BEFORE = 7
# A deadline day counts in full: answers are accepted until just before midnight.
RSVP_CLOCK = time(23, 59)


@dataclass
class DemoSummary:
    """How many records of each kind one run of the loader created."""

    organisations: int = 0
    experts: int = 0
    working_groups: int = 0
    staff_accounts: int = 0
    sessions: int = 0
    agenda_items: int = 0
    invitations: int = 0
    answers: int = 0
    minutes: int = 0
    charters: int = 0

    @property
    def created_anything(self) -> bool:
        return any(getattr(self, counter.name) for counter in fields(self))

    def describe(self) -> str:
        """One line for the console, e.g. "Created 52 organisations, 70 experts, …"."""
        if not self.created_anything:
            return "Nothing new: the demo data is already loaded."
        parts = [
            f"{count} {counter.name.replace('_', ' ')}"
            for counter in fields(self)
            if (count := getattr(self, counter.name))
        ]
        return "Created " + ", ".join(parts) + "."


def load_demo_data(today: date, invite: bool = True) -> DemoSummary:
    """Create whatever part of the demo platform is missing and say what was created.

    Records are matched by natural keys (organisation name, e-mail address, working group name,
    session title), so a second run adds nothing and leaves changes made since untouched.
    Upcoming sessions are dated relative to `today`. Flushes, writes one audit entry per created
    organisation, expert, working group, account and session; the caller commits.
    With `invite`, the next plenary's invitations are sent (into the outbox) and some answered;
    their links need the public host name (SERVER_NAME).
    """
    summary = DemoSummary()
    organisations = _ensure_organisations(summary)
    experts = _ensure_experts(organisations, summary)
    _ensure_working_groups(experts, summary)
    organisers = _ensure_staff_accounts(summary)
    for past in data.PAST_SESSIONS:
        starts_at = to_utc(past.day, past.starts, platform_zone_name())
        if _find_session(past.title, starts_at) is None:
            _create_session(past, past.day, experts, organisers, summary)
    for upcoming in data.UPCOMING_SESSIONS:
        # Keyed by title alone: these move with the day of the run, and a later run must not
        # add the same meeting again on a new date.
        if _find_session(upcoming.title) is None:
            day = upcoming_day(today, upcoming.days_ahead, upcoming.weekday)
            _create_session(upcoming, day, experts, organisers, summary)
    summary.minutes = ensure_demo_minutes(organisers[0])
    summary.charters = load_charter_demo(organisers[0])
    if invite:
        summary.invitations, summary.answers = invite_to_next_plenary(
            data.UPCOMING_SESSIONS[0].title
        )
    return summary


def upcoming_day(today: date, days_ahead: int, weekday: int) -> date:
    """The first `weekday` (0 = Monday) that is at least `days_ahead` days after `today`."""
    earliest = today + timedelta(days=days_ahead)
    return earliest + timedelta(days=(weekday - earliest.weekday()) % 7)


def _created_fields(record: Any, names: Iterable[str]) -> dict[str, list[Any]]:
    """The audit `changes` of a new record: each field went from nothing to its value."""
    return {name: [None, value] for name, value in audit.snapshot(record, names).items()}


def _ensure_organisations(summary: DemoSummary) -> dict[str, Organisation]:
    """All demo organisations by name, creating the missing ones."""
    names = {content.name for content in _demo_organisations()}
    by_name = {
        organisation.name: organisation
        for organisation in db.session.scalars(
            sa.select(Organisation).where(Organisation.name.in_(names))
        )
    }
    created = []
    for content in _demo_organisations():
        if content.name in by_name:
            continue
        organisation = Organisation(
            name=content.name, stakeholder_group=content.group, country=content.country
        )
        db.session.add(organisation)
        by_name[content.name] = organisation
        created.append(organisation)
    db.session.flush()
    for organisation in created:
        audit.record(
            "organisation.created",
            organisation,
            f"Organisation {organisation.name} added with the demo data",
            _created_fields(organisation, ("name", "stakeholder_group", "country")),
        )
    summary.organisations = len(created)
    return by_name


def _demo_organisations() -> list[data.DemoOrganisation]:
    """The organisations the demo experts belong to, each once, in the order of the experts."""
    return list(dict.fromkeys(content.organisation for content in data.EXPERTS))


def _ensure_experts(
    organisations: dict[str, Organisation], summary: DemoSummary
) -> dict[str, Expert]:
    """All demo experts by e-mail address, creating the missing ones with their deputies."""
    emails = [content.email for content in data.EXPERTS]
    by_email = {
        expert.email: expert
        for expert in db.session.scalars(sa.select(Expert).where(Expert.email.in_(emails)))
    }
    created: list[tuple[Expert, data.DemoExpert]] = []
    for content in data.EXPERTS:
        if content.email in by_email:
            continue
        expert = Expert(
            salutation=content.salutation,
            title=content.title,
            first_name=content.first_name,
            last_name=content.last_name,
            email=content.email,
            organisation=organisations[content.organisation.name],
            function=content.function,
            language=content.language,
            timezone=content.timezone,
            active=content.active,
        )
        db.session.add(expert)
        by_email[content.email] = expert
        created.append((expert, content))
    # A deputy may come later in the list than the expert it stands in for, so deputies are
    # linked once everyone exists.
    for expert, content in created:
        if content.deputy is not None:
            expert.deputy = by_email[content.deputy]
    db.session.flush()
    for expert, _content in created:
        audit.record(
            "expert.created",
            expert,
            f"Expert {expert.full_name} ({expert.email}) added with the demo data",
            _created_fields(
                expert,
                (
                    "email",
                    "salutation",
                    "title",
                    "first_name",
                    "last_name",
                    "organisation_id",
                    "function",
                    "language",
                    "timezone",
                    "deputy_id",
                    "active",
                ),
            ),
        )
    summary.experts = len(created)
    return by_email


def _ensure_working_groups(experts: dict[str, Expert], summary: DemoSummary) -> None:
    """Create the missing working groups with their members.

    Members are only added to a group created now: in an existing group someone may have
    left on purpose.
    """
    created = []
    for content in data.WORKING_GROUPS:
        existing = db.session.scalar(
            sa.select(WorkingGroup.id).where(WorkingGroup.name == content.name)
        )
        if existing is not None:
            continue
        group = WorkingGroup(
            name=content.name,
            description=content.description,
            members=[experts[member.email] for member in data.EXPERTS if content in member.groups],
        )
        db.session.add(group)
        created.append(group)
    db.session.flush()
    for group in created:
        audit.record(
            "working_group.created",
            group,
            f"Working group {group.name} added with {len(group.members)} members (demo data)",
            {"name": [None, group.name], "members": [[], [member.id for member in group.members]]},
        )
    summary.working_groups = len(created)


def _ensure_staff_accounts(summary: DemoSummary) -> list[User]:
    """The demo's organiser and secretariat accounts, creating the missing ones.

    New accounts get a random password that nobody knows: to sign in, staff reset it by e-mail
    or an administrator sets one.
    """
    accounts = []
    created = []
    for content in data.STAFF:
        user = db.session.scalar(sa.select(User).where(User.email == content.email))
        if user is None:
            user = User(email=content.email, name=content.name, role=content.role, language="de")
            user.set_password(secrets.token_urlsafe(32))
            db.session.add(user)
            created.append(user)
        accounts.append(user)
    db.session.flush()
    for user in created:
        audit.record(
            "user.created",
            user,
            f"Account {user.email} created with role {user.role.value} (demo data)",
            _created_fields(user, ("email", "name", "role")),
        )
    summary.staff_accounts = len(created)
    return accounts


def _find_session(title: str, starts_at: datetime | None = None) -> Session | None:
    """A session with this title (and start, when given), if one exists."""
    query = sa.select(Session).where(Session.title == title)
    if starts_at is not None:
        query = query.where(Session.starts_at == starts_at)
    return db.session.scalars(query.limit(1)).first()


def _create_session(
    content: data.DemoSession,
    day: date,
    experts: dict[str, Expert],
    organisers: list[User],
    summary: DemoSummary,
) -> Session:
    """Add the session `content` describes, held on `day`, with its agenda."""
    session = Session(
        title=content.title,
        kind=content.kind,
        status=content.status,
        description=content.description,
        starts_at=to_utc(day, content.starts, platform_zone_name()),
        ends_at=to_utc(day, content.ends, platform_zone_name()),
        venue_address=content.venue_address,
        venue_room=content.venue_room,
        online_url=content.online_url,
        capacity=content.capacity,
        rsvp_deadline=to_utc(
            day - timedelta(days=RSVP_DAYS_BEFORE), RSVP_CLOCK, platform_zone_name()
        ),
        organisers=list(organisers),
        agenda_items=[
            AgendaItem(
                position=position,
                title=item.title,
                description=item.description,
                presenter_expert=experts[item.presenter_email] if item.presenter_email else None,
                presenter_text=item.presenter_text,
                duration_minutes=item.minutes,
            )
            for position, item in enumerate(content.agenda, start=1)
        ],
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        "session.created",
        session,
        f"Session {session.title} on {day:%d.%m.%Y} added with "
        f"{len(session.agenda_items)} agenda items (demo data)",
        _created_fields(session, ("title", "kind", "status", "starts_at", "ends_at")),
    )
    summary.sessions += 1
    summary.agenda_items += len(session.agenda_items)
    return session
