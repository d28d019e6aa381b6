"""Records for the session tests, made directly with the models (no pages, no audit)."""

from datetime import UTC, datetime, timedelta

from eventsys.auth.models import User
from eventsys.experts.models import Expert, Organisation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.states import SessionKind, SessionStatus


def make_organisation(name: str = "Stadt Ulm") -> Organisation:
    organisation = Organisation(name=name, stakeholder_group=StakeholderGroup.MUNICIPALITIES)
    db.session.add(organisation)
    return organisation


def make_expert(
    first_name: str,
    last_name: str,
    organisation: Organisation,
    title: str = "",
    active: bool = True,
) -> Expert:
    expert = Expert(
        title=title,
        first_name=first_name,
        last_name=last_name,
        email=f"{first_name}.{last_name}@example.org".lower(),
        organisation=organisation,
        active=active,
    )
    db.session.add(expert)
    return expert


def make_session(
    title: str = "5. Plenum der Dialogplattform",
    starts_at: datetime | None = None,
    hours: float = 3,
    status: SessionStatus = SessionStatus.PLANNED,
    organisers: list[User] | None = None,
    agenda_minutes: list[int] | None = None,
    **fields,
) -> Session:
    """A session (by default 23.11.2026, 14:00–17:00 Berlin) with one item per duration given."""
    starts_at = starts_at or datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    session = Session(
        title=title,
        kind=fields.pop("kind", SessionKind.PLENARY),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        status=status,
        organisers=organisers or [],
        **fields,
    )
    session.agenda_items = [
        AgendaItem(position=number, title=f"Punkt {number}", duration_minutes=minutes)
        for number, minutes in enumerate(agenda_minutes or [], start=1)
    ]
    db.session.add(session)
    return session


def session_form(organiser: User, **changes) -> dict:
    """A valid form submission for a session (Berlin times), with `changes` applied; a change
    to None leaves the field out."""
    data = {
        "title": "Workshop Datenstrategien",
        "kind": "workshop",
        "status": "planned",
        "description": "Gemeinwohlorientierte Datenstrategien für Kommunen",
        "start_date": "2026-07-01",
        "start_time": "10:00",
        "end_date": "",
        "end_time": "16:00",
        "venue_address": "Krausenstraße 17–18, 10117 Berlin",
        "venue_room": "Saal 2",
        "online_url": "",
        "capacity": "",
        "rsvp_date": "",
        "rsvp_time": "",
        "organisers": [str(organiser.id)],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def agenda_form(**changes) -> dict:
    data = {
        "title": "Begrüßung",
        "description": "",
        "presenter_expert_id": "",
        "presenter_text": "",
        "duration_minutes": "15",
    }
    data.update(changes)
    return data
