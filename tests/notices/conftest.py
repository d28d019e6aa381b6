"""A session with two responsible organisers (one reads German, one English), an organiser who
is not responsible for it, and three invited experts."""

from dataclasses import dataclass
from datetime import datetime

import pytest
import sqlalchemy as sa

from eventsys.auth.models import User
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.states import Channel, Response
from eventsys.notices.models import AnswerNoticePreference, NoticeChoice
from eventsys.roles import Role
from eventsys.sessions.models import Session
from tests.conftest import make_user
from tests.invitations.conftest import Platform, invitation_of, platform  # noqa: F401


@dataclass
class Notified:
    platform: Platform
    session: Session
    german: User  # responsible, reads German
    english: User  # responsible, reads English
    outsider: User  # an organiser, not responsible for this session

    def invitation(self, expert) -> Invitation:
        return invitation_of(self.session, expert)


@pytest.fixture
def notified(staff, platform) -> Notified:  # noqa: F811
    german = staff.organiser
    german.name = "Gerda Gärtner"
    english = make_user(Role.ORGANISER, "olivia@eventsys.example.org", language="en")
    english.name = "Olivia Owens"
    outsider = make_user(Role.ORGANISER, "otto@eventsys.example.org", language="en")
    outsider.name = "Otto Other"
    session = platform.session
    session.organisers = [german, english]
    services.invite_experts(session, [platform.anna, platform.bernd, platform.claire])
    db.session.commit()
    return Notified(platform, session, german, english, outsider)


def choose(user: User, session: Session, choice: NoticeChoice) -> None:
    db.session.merge(AnswerNoticePreference(user_id=user.id, session_id=session.id, choice=choice))
    db.session.commit()


def answer(invitation, response: Response, at: datetime, channel=Channel.LINK) -> None:
    """Record an answer as if it had arrived at `at`."""
    services.record_answer(invitation, response, channel)
    newest = db.session.scalar(
        sa.select(InvitationAnswer)
        .where(InvitationAnswer.invitation_id == invitation.id)
        .order_by(InvitationAnswer.id.desc())
    )
    newest.received_at = at
    db.session.commit()
