"""Minutes worth printing, built directly with the models: attendees from several stakeholder
groups (present, excused, a deputy, a guest), TOPs with decisions, action items and
recommendations, and an earlier session whose action items carry over."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.experts.models import Expert, Organisation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.minutes.models import (
    ActionItem,
    Decision,
    Guideline,
    Minutes,
    MinutesTopic,
    Recommendation,
)
from eventsys.minutes.states import MinutesState
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.states import SessionKind, SessionStatus
from tests.invitations.conftest import make_expert, make_organisation

# 12.03.2026, 10:00–16:00 Uhr in Berlin.
PLENARY_STARTS_AT = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
EARLIER_STARTS_AT = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)


@dataclass
class People:
    koeln: Organisation
    bbsr: Organisation
    staedtetag: Organisation
    canada: Organisation
    anna: Expert  # Köln, present
    bernd: Expert  # BBSR, excused
    claire: Expert  # Canada, present
    erika: Expert  # Städtetag, sends Dieter as her deputy
    dieter: Expert  # Städtetag, present for Erika
    frank: Expert  # Köln, absent without excuse: not named in the minutes


@dataclass
class Record:
    people: People
    earlier: Session
    earlier_minutes: Minutes
    still_open: ActionItem  # from the earlier session, still open
    closed_here: ActionItem  # from the earlier session, closed in these minutes
    session: Session
    minutes: Minutes


def make_people() -> People:
    koeln = make_organisation("Stadt Köln")
    bbsr = make_organisation("BBSR", StakeholderGroup.SCIENCE)
    staedtetag = make_organisation("Deutscher Städtetag", StakeholderGroup.UMBRELLA_ASSOCIATIONS)
    canada = make_organisation(
        "Housing Canada", StakeholderGroup.INTERNATIONAL_PARTNERS, country="CA"
    )
    return People(
        koeln=koeln,
        bbsr=bbsr,
        staedtetag=staedtetag,
        canada=canada,
        anna=make_expert("Anna", "Schmidt", koeln, title="Dr."),
        bernd=make_expert("Bernd", "Vogel", bbsr),
        claire=make_expert("Claire", "Tremblay", canada, language="en"),
        erika=make_expert("Erika", "Zeller", staedtetag),
        dieter=make_expert("Dieter", "Brandt", staedtetag),
        frank=make_expert("Frank", "Ohnesorg", koeln),
    )


def guideline(number: int) -> Guideline:
    return db.session.scalar(sa.select(Guideline).where(Guideline.number == number))


def make_plenary(
    agenda_titles: list[str],
    title: str = "5. Plenum der Dialogplattform",
    starts_at: datetime = PLENARY_STARTS_AT,
    **fields,
) -> Session:
    """A held plenary in Berlin (by default 12.03.2026, 10:00–16:00 Uhr), one TOP per title."""
    fields.setdefault("venue_address", "Krausenstraße 17–18, 10117 Berlin")
    fields.setdefault("venue_room", "Saal 2")
    session = Session(
        title=title,
        kind=fields.pop("kind", SessionKind.PLENARY),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=6),
        status=SessionStatus.HELD,
        **fields,
    )
    session.agenda_items = [
        AgendaItem(position=number, title=agenda_title, duration_minutes=30)
        for number, agenda_title in enumerate(agenda_titles, start=1)
    ]
    db.session.add(session)
    return session


def topic_titles(count: int) -> list[str]:
    named = ["Begrüßung", "Datenstrategien der Kommunen", "Bericht aus dem Forschungscluster"]
    return [named[index] if index < len(named) else f"Thema {index + 1}" for index in range(count)]


def fill_topic(topic: MinutesTopic, people: People) -> None:
    """Two decisions, two action items and two recommendations, numbered by position."""
    number = topic.position
    topic.discussion = f"Die Runde erörtert **Thema {number}**.\n\n- erster Punkt\n- zweiter Punkt"
    topic.decisions = [
        Decision(position=1, text=f"Die Plattform beschließt Vorschlag {number}a."),
        Decision(position=2, text=f"Die Plattform vertagt Vorschlag {number}b."),
    ]
    topic.action_items = [
        ActionItem(
            position=1,
            text=f"Entwurf {number} an alle versenden",
            owner_expert=people.anna,
            due_date=date(2026, 4, 30),
        ),
        ActionItem(position=2, text=f"Studie {number} beauftragen", owner_organisation=people.bbsr),
    ]
    topic.recommendations = [
        Recommendation(
            position=1,
            text=f"Kommunen veröffentlichen Daten offen (Empfehlung {number}).",
            guideline=guideline(2),
            actors="Kommunen, Länder",
        ),
        Recommendation(
            position=2,
            text=f"Der Bund fördert gemeinsame Plattformen (Empfehlung {number}).",
            guideline=guideline(3),
        ),
    ]


def build_record(topic_count: int = 3) -> Record:
    people = make_people()

    earlier = make_plenary(["Rückblick"], title="4. Plenum", starts_at=EARLIER_STARTS_AT)
    earlier_topic = MinutesTopic(position=1, title="Rückblick")
    still_open = ActionItem(
        position=1,
        text="Leitfaden Datenräume vorlegen",
        owner_organisation=people.bbsr,
        due_date=date(2026, 2, 28),
    )
    closed_here = ActionItem(position=2, text="Umfrage auswerten", owner_expert=people.bernd)
    closed_before = ActionItem(
        position=3,
        text="Bereits erledigte Aufgabe",
        closed_at=EARLIER_STARTS_AT + timedelta(days=1),
    )
    earlier_topic.action_items = [still_open, closed_here, closed_before]
    earlier_minutes = Minutes(session=earlier, topics=[earlier_topic])

    titles = topic_titles(topic_count)
    session = make_plenary(titles)
    minutes = Minutes(
        session=session,
        opening="Frau Dr. Schmidt begrüßt die Teilnehmenden.",
        closing="Die Leitung dankt allen für die Mitarbeit.",
        next_session_date=date(2026, 6, 18),
    )
    for position, title in enumerate(titles, start=1):
        topic = MinutesTopic(
            position=position, title=title, agenda_item=session.agenda_items[position - 1]
        )
        minutes.topics.append(topic)
        fill_topic(topic, people)

    attendees = [
        Attendee(session=session, expert=people.anna, status=AttendanceStatus.PRESENT),
        Attendee(session=session, expert=people.bernd, status=AttendanceStatus.EXCUSED),
        Attendee(session=session, expert=people.claire, status=AttendanceStatus.PRESENT),
        Attendee(session=session, expert=people.erika, status=AttendanceStatus.EXCUSED),
        Attendee(
            session=session,
            expert=people.dieter,
            deputy_for=people.erika,
            status=AttendanceStatus.PRESENT,
        ),
        Attendee(session=session, expert=people.frank, status=AttendanceStatus.ABSENT),
        Attendee(
            session=session,
            guest_name="Gisela Gast",
            guest_organisation="Presse",
            status=AttendanceStatus.PRESENT,
        ),
    ]
    db.session.add_all([earlier_minutes, minutes, *attendees])
    db.session.flush()
    closed_here.closed_at = PLENARY_STARTS_AT + timedelta(hours=2)
    closed_here.closed_in = minutes
    closed_here.closed_note = "Ergebnisse liegen vor."
    earlier_minutes.state = MinutesState.APPROVED
    db.session.commit()
    return Record(people, earlier, earlier_minutes, still_open, closed_here, session, minutes)


@pytest.fixture
def record(app) -> Record:
    return build_record()
