"""Each invitee's calendar entry has a UID of its own with an unguessable part; invitations sent
before that keep the session's UID for their updates and cancellations."""

import icalendar
import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations import calendar, services
from eventsys.invitations.models import Invitation, new_invitation_uid
from tests.invitations.conftest import invitation_of


def uid_of(ics: bytes) -> str:
    return str(icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]["UID"])


def test_every_invitation_has_its_own_unguessable_uid(platform):
    result = services.invite_experts(platform.session, [platform.anna, platform.bernd])
    db.session.commit()
    anna, bernd = result.invited
    session_uid = platform.session.ical_uid
    base, host = session_uid.split("@")
    for invitation in (anna, bernd):
        assert invitation.ical_uid.startswith(f"{base}-") and invitation.ical_uid.endswith(host)
        token = invitation.ical_uid.removeprefix(f"{base}-").removesuffix(f"@{host}")
        assert len(token) == 32 and int(token, 16) >= 0  # 128 random bits
    assert anna.ical_uid != bernd.ical_uid
    assert uid_of(calendar.invitation_request(anna, "")) == anna.ical_uid
    assert uid_of(calendar.invitation_request(bernd, "")) == bernd.ical_uid


def test_two_invitations_cannot_share_a_uid(platform):
    services.invite_experts(platform.session, [platform.anna])
    db.session.commit()
    anna = invitation_of(platform.session, platform.anna)
    bernd = Invitation(session=platform.session, expert=platform.bernd, ical_uid=anna.ical_uid)
    db.session.add(bernd)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_updates_and_cancellations_keep_the_invitees_uid(platform):
    services.invite_experts(platform.session, [platform.anna])
    db.session.commit()
    anna = invitation_of(platform.session, platform.anna)
    uid = anna.ical_uid
    services.session_moved(platform.session)
    db.session.commit()
    assert uid_of(calendar.invitation_request(anna, "")) == uid
    assert uid_of(calendar.invitation_cancel(anna)) == uid
    services.withdraw_invitation(anna)
    services.invite_experts(platform.session, [platform.anna])
    db.session.commit()
    assert invitation_of(platform.session, platform.anna).ical_uid == uid


def test_an_invitation_sent_before_uids_of_their_own_keeps_the_sessions(platform):
    services.invite_experts(platform.session, [platform.anna])
    db.session.commit()
    anna = invitation_of(platform.session, platform.anna)
    anna.ical_uid = None  # as migration 0006 leaves invitations that existed before it
    db.session.commit()
    assert anna.calendar_uid == platform.session.ical_uid
    assert uid_of(calendar.invitation_request(anna, "")) == platform.session.ical_uid
    assert uid_of(calendar.invitation_cancel(anna)) == platform.session.ical_uid


def test_the_feed_names_the_session_by_its_own_uid(platform):
    feed = calendar.feed_calendar([platform.session], "Termine")
    assert uid_of(feed) == platform.session.ical_uid


def test_new_uids_differ_every_time():
    uids = {new_invitation_uid("abc@eventsys") for _ in range(1000)}
    assert len(uids) == 1000
    assert all(uid.startswith("abc-") and uid.endswith("@eventsys") for uid in uids)
