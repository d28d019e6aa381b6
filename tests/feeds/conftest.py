"""An expert invited to some sessions and not to others."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionStatus
from tests.sessions.factories import make_expert, make_organisation, make_session

FIRST_START = datetime(2030, 3, 4, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def make_sessions(count: int, title: str = "Workshop") -> list[Session]:
    sessions = [
        make_session(
            f"{title} {number}",
            starts_at=FIRST_START + timedelta(days=7 * number),
            status=SessionStatus.CONFIRMED,
            venue_address="Krausenstraße 17–18, 10117 Berlin",
        )
        for number in range(count)
    ]
    db.session.commit()
    return sessions


@dataclass
class Subscriber:
    expert: Expert
    invited: list[Session]  # invited, invitation active
    withdrawn: Session  # invited, then withdrawn
    other: Session  # never invited


@pytest.fixture
def subscriber(app) -> Subscriber:
    expert = make_expert("Anna", "Schmidt", make_organisation("Stadt Ulm"))
    first, second, withdrawn, other = make_sessions(4)
    for session in (first, second, withdrawn):
        invitations.invite_experts(session, [expert])
    db.session.flush()
    (invitation,) = [i for i in invitations.invitations_of(withdrawn) if i.expert_id == expert.id]
    invitations.withdraw_invitation(invitation)
    db.session.commit()
    return Subscriber(expert, [first, second], withdrawn, other)
