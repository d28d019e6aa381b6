"""A session with invitations to answer, and the replies of each calendar client for it.

The platform's default language is English here, so that explanations (stored in the default
language when a message arrives) and pages read the same once the German catalogue translates
them; staff accounts read English too.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from eventsys.experts.models import Expert, Organisation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.services import invite_experts
from eventsys.outbox.models import OutboxMessage
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionKind, SessionStatus
from tests.conftest import reading_english
from tests.replies.sample_mail import sample


@pytest.fixture
def app_config() -> dict:
    return {"BABEL_DEFAULT_LOCALE": "en"}


@pytest.fixture
def staff(staff):
    return reading_english(staff)


@dataclass
class Invited:
    session: Session
    erika: Expert  # invited
    jonas: Expert  # in the directory, not invited: a possible deputy
    invitation: Invitation  # Erika's

    def invitation_mail(self) -> OutboxMessage:
        """The invitation mail Erika received, as the outbox keeps it."""
        return db.session.scalars(
            db.select(OutboxMessage).where(OutboxMessage.invitation_id == self.invitation.id)
        ).first()


def make_expert(first_name: str, last_name: str, email: str, organisation) -> Expert:
    expert = Expert(
        first_name=first_name, last_name=last_name, email=email, organisation=organisation
    )
    db.session.add(expert)
    return expert


@pytest.fixture
def invited(app) -> Invited:
    """ "Workshop Datenräume" on 1 July 2030, 10:00–16:00 Berlin, with Erika Muster invited."""
    organisation = Organisation(
        name="Stadt Beispiel", stakeholder_group=StakeholderGroup.MUNICIPALITIES
    )
    db.session.add(organisation)
    erika = make_expert("Erika", "Muster", "erika.muster@stadt-beispiel.example", organisation)
    jonas = make_expert(
        "Jonas", "Vertreter", "jonas.vertreter@stadt-beispiel.example", organisation
    )
    start = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)
    session = Session(
        title="Workshop Datenräume",
        kind=SessionKind.WORKSHOP,
        starts_at=start,
        ends_at=start + timedelta(hours=6),
        status=SessionStatus.CONFIRMED,
        venue_address="Rathausplatz 1, 50667 Köln",
    )
    db.session.add(session)
    db.session.flush()
    (invitation,) = invite_experts(session, [erika]).invited
    db.session.commit()
    return Invited(session, erika, jonas, invitation)


@pytest.fixture
def reply(invited):
    """`reply("outlook_accepted", sequence=1)`: a sample filled in for Erika's invitation."""

    def fill(name: str, **values) -> bytes:
        values.setdefault("uid", invited.invitation.ical_uid)  # Erika's own calendar entry
        values.setdefault("attendee", invited.erika.email)
        values.setdefault("sequence", invited.session.ical_sequence)
        values.setdefault("deputy", invited.jonas.email)
        return sample(name, **values)

    return fill
