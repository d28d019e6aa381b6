"""Two workshops with approved minutes, and a charter whose pool holds their recommendations."""

from dataclasses import dataclass
from datetime import UTC, datetime

import flask_babel
import pytest
import sqlalchemy as sa

from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.charters import charters
from eventsys.charters.models import Charter, Clause, ClauseOrigin
from eventsys.experts.models import Expert
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.minutes import workflow
from eventsys.minutes.models import Guideline, Minutes, MinutesTopic, MinutesVersion, Recommendation
from eventsys.sessions.models import Session
from tests.invitations.conftest import make_expert, make_organisation, make_session

FIRST_HELD_ON = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
SECOND_HELD_ON = datetime(2026, 5, 20, 8, 0, tzinfo=UTC)

# (TOP title, [(guideline number, recommendation text)]) per workshop.
FIRST_WORKSHOP = [
    (
        "Strategien",
        [
            (1, "Kommunen entwickeln eine eigene Digitalstrategie mit messbaren Zielen."),
            (2, "Bürgerinnen und Bürger werden früh an digitalen Projekten beteiligt."),
        ],
    ),
    ("Datenräume", [(3, "Kommunale Datenräume werden als offene Infrastruktur gefördert.")]),
]
SECOND_WORKSHOP = [
    (
        "Kompetenzen",
        [
            (4, "Verwaltungen bauen digitale Kompetenzen in allen Ämtern auf."),
            (3, "Kommunale Datenräume werden als offene Infrastruktur gefördert."),  # a duplicate
        ],
    ),
    ("Kooperation", [(4, "Kleine Kommunen kooperieren bei der Beschaffung von IT.")]),
]


@pytest.fixture(autouse=True)
def language_chosen_per_request(app):
    """Each request chooses its language afresh, as in production. In tests the requests share
    the test's app context, where Flask-Babel would keep the language first chosen (often
    German, while the records were set up). (Appended directly: the shared app has served
    requests, and the harness takes the hook away again after the test.)"""
    app.before_request_funcs.setdefault(None, []).append(flask_babel.refresh)


@dataclass
class Workshops:
    first: Session
    second: Session
    first_version: MinutesVersion
    second_version: MinutesVersion
    anna: Expert  # present at both, German
    claire: Expert  # present at the second, English


def hold_workshop(
    title: str, held_on: datetime, topics: list, present: list[Expert], approver
) -> tuple[Session, MinutesVersion]:
    """A workshop with attendance and minutes, approved through the minutes workflow (so its
    recommendations enter the pools as they do in use)."""
    session = make_session(title, starts_at=held_on, hours=3)
    for expert in present:
        db.session.add(Attendee(session=session, expert=expert, status=AttendanceStatus.PRESENT))
    minutes = Minutes(session=session)
    for position, (topic_title, recommendations) in enumerate(topics, start=1):
        topic = MinutesTopic(position=position, title=topic_title, discussion="Aussprache.")
        for number, (guideline_number, text) in enumerate(recommendations, start=1):
            guideline = db.session.scalar(
                sa.select(Guideline).where(Guideline.number == guideline_number)
            )
            topic.recommendations.append(
                Recommendation(position=number, text=text, guideline=guideline, actors="Kommunen")
            )
        minutes.topics.append(topic)
    db.session.add(minutes)
    db.session.flush()
    version = workflow.approve(minutes, approver)
    db.session.commit()
    return session, version


def hold_two_workshops(approver) -> Workshops:
    koeln = make_organisation("Stadt Köln")
    bbsr = make_organisation("BBSR", StakeholderGroup.SCIENCE)
    anna = make_expert("Anna", "Schmidt", koeln, title="Dr.")
    claire = make_expert("Claire", "Tremblay", bbsr, language="en")
    first, first_version = hold_workshop(
        "Workshop Strategien", FIRST_HELD_ON, FIRST_WORKSHOP, [anna], approver
    )
    second, second_version = hold_workshop(
        "Workshop Kompetenzen", SECOND_HELD_ON, SECOND_WORKSHOP, [anna, claire], approver
    )
    return Workshops(first, second, first_version, second_version, anna, claire)


@pytest.fixture
def workshops(app, staff, database_states) -> Workshops:
    """The two workshops, approved once per test process and restored for every later test
    (rendering their minutes PDFs is the expensive part)."""

    def build() -> dict[str, int]:
        held = hold_two_workshops(staff.organiser)
        return {name: getattr(held, name).id for name in WORKSHOP_FIELDS}

    ids = database_states.restore_or_build("two-workshops", build)
    return Workshops(
        **{name: db.session.get(kind, ids[name]) for name, kind in WORKSHOP_FIELDS.items()}
    )


WORKSHOP_FIELDS = {
    "first": Session,
    "second": Session,
    "first_version": MinutesVersion,
    "second_version": MinutesVersion,
    "anna": Expert,
    "claire": Expert,
}


@pytest.fixture
def charter(workshops, staff, database_states) -> Charter:
    """The Smart City Charta, created after both workshops: its pool holds all six
    recommendations, none assigned yet."""

    def build() -> int:
        created = charters.create_charter("Smart City Charta", "Smart City Charter", staff.admin)
        db.session.commit()
        return created.id

    return db.session.get(Charter, database_states.restore_or_build("charter", build))


def clause_from(charter: Charter, recommendation_number: str) -> Clause:
    """The clause that a recommendation (E-<session>.<TOP>.<n>) became in `charter`."""
    return db.session.scalar(
        sa.select(Clause)
        .join(ClauseOrigin, ClauseOrigin.clause_id == Clause.id)
        .where(
            Clause.charter_id == charter.id,
            ClauseOrigin.recommendation_number == recommendation_number,
        )
    )
