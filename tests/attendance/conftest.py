"""The invitation tests' platform (experts, a working group, a session) serves here too, and
the answers the attendance list is made from."""

import pytest

from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.invitations.states import Channel, Response
from tests.invitations.conftest import (
    invitation_of,
    make_expert,
    platform,  # noqa: F401  (a fixture used here)
)


@pytest.fixture
def answered(platform):  # noqa: F811  (the fixture imported above)
    """Anna accepted, Bernd declined, Claire sent Erik as her deputy; Dora has not answered."""
    session = platform.session
    erik = make_expert("Erik", "Berg", platform.canada)
    db.session.flush()
    invitations.invite_experts(session, [platform.anna, platform.bernd, platform.claire])
    invitations.record_answer(
        invitation_of(session, platform.anna), Response.ACCEPTED, Channel.LINK
    )
    invitations.record_answer(
        invitation_of(session, platform.bernd), Response.DECLINED, Channel.LINK
    )
    invitations.send_deputy(invitation_of(session, platform.claire), erik)
    platform.dora.active = True
    invitations.invite_experts(session, [platform.dora])
    db.session.commit()
    platform.erik = erik
    return platform
