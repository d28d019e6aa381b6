"""Minutes of a held workshop with three attendees, for the workflow tests."""

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa

from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.experts.models import Expert
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
from eventsys.sessions.models import AgendaItem
from tests.invitations.conftest import make_expert, make_organisation, make_session

HELD_ON = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


@dataclass
class HeldWorkshop:
    minutes: Minutes
    present: Expert
    also_present: Expert
    excused: Expert


def held_workshop() -> HeldWorkshop:
    koeln = make_organisation("Stadt Köln")
    bbsr = make_organisation("BBSR", StakeholderGroup.SCIENCE)
    anna = make_expert("Anna", "Schmidt", koeln, title="Dr.")
    claire = make_expert("Claire", "Tremblay", bbsr, language="en")
    bernd = make_expert("Bernd", "Vogel", bbsr)
    session = make_session("Workshop Datenräume", starts_at=HELD_ON, hours=3)
    session.agenda_items.append(AgendaItem(position=2, title="Datenräume", duration_minutes=60))
    db.session.add_all(
        [
            Attendee(session=session, expert=anna, status=AttendanceStatus.PRESENT),
            Attendee(session=session, expert=claire, status=AttendanceStatus.PRESENT),
            Attendee(session=session, expert=bernd, status=AttendanceStatus.EXCUSED),
        ]
    )
    welcome = MinutesTopic(position=1, title="Begrüßung", discussion="Die Leitung begrüßt.")
    data = MinutesTopic(position=2, title="Datenräume", discussion="**Offene Daten** für alle.")
    data.decisions.append(Decision(position=1, text="Die AG legt ein Eckpunktepapier vor."))
    data.action_items.append(ActionItem(position=1, text="Eckpunkte entwerfen", owner_expert=anna))
    guideline = db.session.scalar(sa.select(Guideline).where(Guideline.number == 3))
    data.recommendations.append(
        Recommendation(position=1, text="Kommunale Datenräume fördern", guideline=guideline)
    )
    minutes = Minutes(session=session, opening="Eröffnung um 10 Uhr.", topics=[welcome, data])
    db.session.add(minutes)
    db.session.commit()
    return HeldWorkshop(minutes, anna, claire, bernd)
