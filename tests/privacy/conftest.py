"""Anna and Claire from the charter tests' two approved workshops, and an invitation to a
coming session that Anna has answered."""

from datetime import UTC, datetime

import pytest

from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.invitations.states import Channel, Response
from tests.charters.conftest import (  # noqa: F401  (fixtures)
    language_chosen_per_request,
    workshops,
)
from tests.invitations.conftest import make_session

COMING = datetime(2030, 6, 3, 8, 0, tzinfo=UTC)


@pytest.fixture
def answered(workshops):  # noqa: F811  (the imported fixture)
    session = make_session("Plenum Datenschutz", starts_at=COMING, hours=4)
    db.session.commit()
    invitations.invite_experts(session, [workshops.anna, workshops.claire])
    db.session.commit()
    (anna_invitation,) = [
        invitation
        for invitation in invitations.invitations_of(session)
        if invitation.expert_id == workshops.anna.id
    ]
    invitations.record_answer(anna_invitation, Response.ACCEPTED, Channel.LINK, "Gern dabei")
    db.session.commit()
    return workshops
