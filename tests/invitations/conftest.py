"""Records for the invitation tests, and helpers to read what arrived at the SMTP server.

Staff pages are checked in English (the accounts read English), so that the assertions hold
once the German catalogue translates the strings; the experts' pages are in their language.
"""

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import icalendar
import pytest
from werkzeug.datastructures import MultiDict

from eventsys.experts.models import Expert, Organisation, WorkingGroup
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.tokens import make_rsvp_token
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.states import SessionKind, SessionStatus
from tests.conftest import reading_english


@pytest.fixture
def staff(staff):
    return reading_english(staff)


_numbers = itertools.count(1)


def make_organisation(
    name: str | None = None,
    group: StakeholderGroup = StakeholderGroup.MUNICIPALITIES,
    country: str | None = None,
) -> Organisation:
    organisation = Organisation(
        name=name or f"Organisation {next(_numbers)}", stakeholder_group=group, country=country
    )
    db.session.add(organisation)
    return organisation


def make_expert(
    first_name: str,
    last_name: str,
    organisation: Organisation,
    language: str = "de",
    timezone: str = "Europe/Berlin",
    active: bool = True,
    deputy: Expert | None = None,
    title: str = "",
) -> Expert:
    expert = Expert(
        title=title,
        first_name=first_name,
        last_name=last_name,
        email=f"{first_name}.{last_name}@example.org".lower(),
        organisation=organisation,
        language=language,
        timezone=timezone,
        active=active,
        deputy=deputy,
    )
    db.session.add(expert)
    return expert


FIRST_OF_JULY_2030 = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)  # 10:00 in Berlin


def make_session(
    title: str = "Workshop Datenräume",
    starts_at: datetime = FIRST_OF_JULY_2030,
    hours: float = 6,
    **fields,
) -> Session:
    """A confirmed workshop in Berlin (by default 01.07.2030, 10:00–16:00 Uhr) with one item."""
    fields.setdefault("status", SessionStatus.CONFIRMED)
    fields.setdefault("venue_address", "Krausenstraße 17–18, 10117 Berlin")
    session = Session(
        title=title,
        kind=fields.pop("kind", SessionKind.WORKSHOP),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        **fields,
    )
    session.agenda_items.append(AgendaItem(position=1, title="Begrüßung", duration_minutes=15))
    db.session.add(session)
    return session


@dataclass
class Platform:
    """A few experts from different stakeholder groups, a working group and a session."""

    koeln: Organisation
    bbsr: Organisation
    canada: Organisation
    anna: Expert  # Köln, German, member of "AG Daten"
    bernd: Expert  # BBSR (science), German, member of "AG Daten"
    claire: Expert  # Canada (international partner), English, Toronto time
    dora: Expert  # Köln, German, inactive, member of "AG Daten"
    group: WorkingGroup
    session: Session


@pytest.fixture
def platform(app) -> Platform:
    koeln = make_organisation("Stadt Köln")
    bbsr = make_organisation("BBSR", StakeholderGroup.SCIENCE)
    canada = make_organisation(
        "Housing Canada", StakeholderGroup.INTERNATIONAL_PARTNERS, country="CA"
    )
    anna = make_expert("Anna", "Schmidt", koeln, title="Dr.")
    bernd = make_expert("Bernd", "Vogel", bbsr)
    claire = make_expert("Claire", "Tremblay", canada, language="en", timezone="America/Toronto")
    dora = make_expert("Dora", "Alt", koeln, active=False)
    group = WorkingGroup(name="AG Daten", members=[anna, bernd, dora])
    db.session.add(group)
    session = make_session()
    db.session.commit()
    return Platform(koeln, bbsr, canada, anna, bernd, claire, dora, group, session)


def rsvp_path(invitation: Invitation, answer: str = "") -> str:
    token = make_rsvp_token(invitation)
    return f"/rsvp/{token}/{answer}" if answer else f"/rsvp/{token}"


def invitation_of(session: Session, expert: Expert) -> Invitation:
    return db.session.scalar(
        db.select(Invitation).where(
            Invitation.session_id == session.id, Invitation.expert_id == expert.id
        )
    )


def calendar_of(message: EmailMessage) -> icalendar.Calendar | None:
    """The calendar object in a received mail (the text/calendar part), or None."""
    for part in message.walk():
        if part.get_content_type() == "text/calendar":
            calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
            assert str(calendar["METHOD"]) == part.get_param("method")
            return calendar
    return None


def method_and_sequence(message: EmailMessage) -> tuple[str, int] | None:
    calendar = calendar_of(message)
    if calendar is None:
        return None
    event = calendar.walk("VEVENT")[0]
    return str(calendar["METHOD"]), int(event["SEQUENCE"])


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def send_confirmed(*experts: Expert) -> dict:
    """The fields of a confirmed invite form naming `experts` one by one, as the preview of
    exactly them sends them back."""
    from eventsys.invitations.selection import selection_digest

    ordered = sorted(experts, key=lambda expert: (expert.sort_key, expert.id))
    return {
        "send": "y",
        "expert_ids": [str(expert.id) for expert in experts],
        "selection_count": str(len(ordered)),
        "selection_digest": selection_digest(expert.id for expert in ordered),
    }


def preview_fields(preview_response) -> list[tuple[str, str]]:
    """The hidden fields the preview page sends back with its "send" button."""
    return [
        (name, value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', preview_response.text
        )
        if name != "csrf_token"
    ]


def confirm_preview(client, url: str, preview_response, **options):
    """Press "send" on a preview page."""
    return client.post(
        url, data=MultiDict([*preview_fields(preview_response), ("send", "y")]), **options
    )
