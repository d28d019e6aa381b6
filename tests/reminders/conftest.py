"""Three experts invited to a workshop on 01.07.2030, 10:00 Berlin, answers due 24.06.2030,
23:59 Berlin: Anna has not answered, Bernd accepted, Carla declined."""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Channel, Response
from eventsys.outbox.models import OutboxMessage
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionStatus
from tests.sessions.factories import make_expert, make_organisation, make_session

STARTS_AT = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)  # 10:00 in Berlin
DEADLINE = datetime(2030, 6, 24, 21, 59, tzinfo=UTC)  # 23:59 in Berlin


@dataclass
class Invited:
    session: Session
    anna: Invitation  # no answer yet
    bernd: Invitation  # accepted
    carla: Invitation  # declined


def invite_three(starts_at: datetime = STARTS_AT, **session_fields) -> Invited:
    organisation = make_organisation("Stadt Ulm")
    experts = [
        make_expert("Anna", "Schmidt", organisation),
        make_expert("Bernd", "Vogel", organisation),
        make_expert("Carla", "Berg", organisation),
    ]
    session_fields.setdefault("rsvp_deadline", DEADLINE)
    session = make_session(
        "Workshop Datenräume",
        starts_at=starts_at,
        status=SessionStatus.CONFIRMED,
        venue_address="Krausenstraße 17–18, 10117 Berlin",
        **session_fields,
    )
    db.session.commit()
    anna, bernd, carla = invitations.invite_experts(session, experts).invited
    invitations.record_answer(bernd, Response.ACCEPTED, Channel.LINK)
    invitations.record_answer(carla, Response.DECLINED, Channel.LINK)
    db.session.commit()
    return Invited(session, anna, bernd, carla)


@pytest.fixture
def invited(app) -> Invited:
    return invite_three()


def recipients(kind: str) -> list[str]:
    """Who has mail of `kind` in the outbox, in the order it was queued."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.recipient)
            .where(OutboxMessage.kind == kind)
            .order_by(OutboxMessage.id)
        )
    )
