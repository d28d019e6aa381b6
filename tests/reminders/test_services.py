"""When reminders go out, to whom, and that each goes out once."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.invitations.mail import MailKind
from eventsys.invitations.states import Channel, Response
from eventsys.reminders import services
from eventsys.sessions.states import SessionStatus
from tests.reminders.conftest import DEADLINE, STARTS_AT, invite_three, recipients
from tests.sessions.factories import make_expert, make_organisation

ANNA, BERND, CARLA = (
    "anna.schmidt@example.org",
    "bernd.vogel@example.org",
    "carla.berg@example.org",
)


def test_answer_reminder_goes_only_to_those_without_an_answer_within_the_days_before(invited):
    days = services.reminder_days_before()
    too_early = DEADLINE - timedelta(days=days, minutes=1)
    assert services.send_due_reminders(too_early).total == 0

    counts = services.send_due_reminders(DEADLINE - timedelta(days=days) + timedelta(minutes=1))
    db.session.commit()

    assert (counts.deadline, counts.eve) == (1, 0)
    assert recipients(MailKind.DEADLINE_REMINDER) == [ANNA]
    assert invited.anna.deadline_reminder_sent_at is not None
    assert invited.bernd.deadline_reminder_sent_at is None


def test_answer_reminder_goes_out_once_however_often_the_schedule_runs(invited):
    moment = DEADLINE - timedelta(days=1)
    assert services.send_due_reminders(moment).deadline == 1
    db.session.commit()
    assert services.send_due_reminders(moment + timedelta(hours=2)).deadline == 0
    assert recipients(MailKind.DEADLINE_REMINDER) == [ANNA]


def test_no_answer_reminder_after_the_deadline(invited):
    assert services.send_due_reminders(DEADLINE + timedelta(minutes=1)).deadline == 0
    assert recipients(MailKind.DEADLINE_REMINDER) == []


def test_sessions_without_deadline_get_no_answer_reminder(app):
    invite_three(rsvp_deadline=None)
    assert services.send_due_reminders(STARTS_AT - timedelta(days=1, hours=2)).deadline == 0


def test_eve_reminder_goes_to_accepted_invitees_on_the_day_before(invited):
    two_days_before = STARTS_AT - timedelta(days=2)
    assert services.send_due_reminders(two_days_before).eve == 0

    day_before = STARTS_AT - timedelta(days=1)
    counts = services.send_due_reminders(day_before)
    db.session.commit()
    assert counts.eve == 1
    assert recipients(MailKind.EVE_REMINDER) == [BERND]
    assert services.send_due_reminders(day_before + timedelta(hours=3)).eve == 0
    # On the day itself it is too late for "tomorrow".
    assert services.send_due_reminders(STARTS_AT - timedelta(hours=1)).eve == 0


def test_the_day_before_is_counted_in_berlin_time(app):
    # 01.07.2030, 00:30 in Berlin is still 30.06. in UTC: the day before is 30.06. in Berlin.
    invited = invite_three(starts_at=datetime(2030, 6, 30, 22, 30, tzinfo=UTC), rsvp_deadline=None)
    late_on_29th_berlin = datetime(2030, 6, 29, 21, 30, tzinfo=UTC)  # 23:30 in Berlin
    assert services.send_due_reminders(late_on_29th_berlin).eve == 0
    just_after_midnight_berlin = datetime(2030, 6, 29, 22, 30, tzinfo=UTC)  # 30.06., 00:30
    assert services.send_due_reminders(just_after_midnight_berlin).eve == 1
    assert invited.bernd.eve_reminder_sent_at == just_after_midnight_berlin


def test_waiting_acceptances_get_no_eve_reminder(app):
    invited = invite_three(capacity=1)
    invitations.record_answer(invited.anna, Response.ACCEPTED, Channel.LINK)
    db.session.commit()
    assert invited.anna.is_waitlisted
    assert services.send_due_reminders(STARTS_AT - timedelta(days=1)).eve == 1
    assert recipients(MailKind.EVE_REMINDER) == [BERND]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda invited: setattr(invited.session, "reminders_enabled", False), id="off"
        ),
        pytest.param(
            lambda invited: setattr(invited.session, "status", SessionStatus.CANCELLED),
            id="cancelled",
        ),
        pytest.param(
            lambda invited: setattr(invited.session, "status", SessionStatus.HELD), id="held"
        ),
    ],
)
def test_sessions_that_are_off_cancelled_or_held_get_no_reminders(invited, change):
    change(invited)
    db.session.commit()
    assert services.send_due_reminders(DEADLINE - timedelta(days=1)).total == 0
    assert services.send_due_reminders(STARTS_AT - timedelta(days=1)).total == 0


def test_past_sessions_get_no_reminders(app):
    # A deadline after the start (the model allows it): the session has begun, so no reminder.
    invite_three(rsvp_deadline=STARTS_AT + timedelta(days=1))
    assert services.send_due_reminders(STARTS_AT + timedelta(hours=1)).total == 0


def test_withdrawn_invitations_and_inactive_experts_get_no_reminders(invited):
    invitations.withdraw_invitation(invited.anna)
    invited.bernd.expert.active = False
    db.session.commit()
    assert services.send_due_reminders(DEADLINE - timedelta(days=1)).total == 0
    assert services.send_due_reminders(STARTS_AT - timedelta(days=1)).total == 0


def test_moving_the_session_allows_the_reminders_again(invited):
    services.send_due_reminders(STARTS_AT - timedelta(days=1))
    db.session.commit()
    assert invited.bernd.eve_reminder_sent_at is not None

    invited.session.starts_at += timedelta(days=7)
    invited.session.ends_at += timedelta(days=7)
    invitations.session_moved(invited.session)
    db.session.commit()
    assert invited.bernd.eve_reminder_sent_at is None
    assert services.send_due_reminders(STARTS_AT + timedelta(days=6)).eve == 1
    assert recipients(MailKind.EVE_REMINDER) == [BERND, BERND]


def test_each_run_leaves_one_audit_entry_per_session_and_kind(invited):
    services.send_due_reminders(DEADLINE - timedelta(days=1))
    db.session.commit()
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "reminders.deadline_reminder_sent")
    )
    assert entry.entity_id == invited.session.id
    assert entry.changes == {"invitations": [invited.anna.id]}
    assert entry.actor_label == "system"


def test_a_run_claims_each_reminder_so_a_second_run_cannot_send_it_again(invited):
    moment = DEADLINE - timedelta(days=1)
    due = services.due_deadline_reminders(moment)
    assert [invitation.id for invitation in due] == [invited.anna.id]
    # Another run got there first (same transaction here; a row lock across processes).
    assert services.send_due_reminders(moment).deadline == 1
    assert services._claim(due[0], MailKind.DEADLINE_REMINDER, moment, only_once=True) is False


# --- sending now ----------------------------------------------------------------------------------


def test_send_now_sends_the_fitting_reminder_to_the_chosen_even_if_sent_before(invited):
    services.send_due_reminders(DEADLINE - timedelta(days=1))
    db.session.commit()
    now = DEADLINE - timedelta(hours=5)
    result = services.send_reminders_now(invited.session, [invited.anna, invited.carla], now=now)
    db.session.commit()
    assert [invitation.id for invitation in result.deadline] == [invited.anna.id]
    assert [invitation.id for invitation in result.skipped] == [invited.carla.id]
    assert recipients(MailKind.DEADLINE_REMINDER) == [ANNA, ANNA]
    assert invited.anna.deadline_reminder_sent_at == now


def test_send_now_works_with_automatic_reminders_off(invited):
    services.set_reminders_enabled(invited.session, False)
    result = services.send_reminders_now(invited.session, [invited.anna])
    assert result.sent == 1


def test_accepted_invitees_get_the_session_reminder_only_from_the_day_before(invited):
    week_before = STARTS_AT - timedelta(days=7)
    assert services.reminder_kind_now(invited.bernd, week_before) is None
    day_before = STARTS_AT - timedelta(days=1)
    assert services.reminder_kind_now(invited.bernd, day_before) == MailKind.EVE_REMINDER
    result = services.send_reminders_now(invited.session, [invited.bernd], now=day_before)
    assert len(result.eve) == 1
    assert recipients(MailKind.EVE_REMINDER) == [BERND]


def test_send_now_skips_invitations_of_other_sessions(invited):
    other = invite_three_more()
    result = services.send_reminders_now(invited.session, [other.anna])
    assert result.sent == 0 and len(result.skipped) == 1


def invite_three_more():
    organisation = make_organisation("Stadt Jena")
    expert = make_expert("Ida", "Neu", organisation)
    db.session.commit()
    from tests.sessions.factories import make_session

    session = make_session("Plenum", starts_at=STARTS_AT + timedelta(days=30))
    db.session.commit()
    (invitation,) = invitations.invite_experts(session, [expert]).invited

    class Other:
        anna = invitation

    return Other


@pytest.mark.parametrize("status", [SessionStatus.CANCELLED, SessionStatus.HELD])
def test_send_now_refuses_cancelled_and_held_sessions(invited, status):
    invited.session.status = status
    with pytest.raises(services.ReminderError):
        services.send_reminders_now(invited.session, [invited.anna])
    assert recipients(MailKind.DEADLINE_REMINDER) == []


def test_turning_reminders_off_and_on_is_audited(invited):
    assert services.set_reminders_enabled(invited.session, False) is True
    assert services.set_reminders_enabled(invited.session, False) is False
    assert services.set_reminders_enabled(invited.session, True) is True
    db.session.commit()
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.action.like("reminders.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["reminders.disabled", "reminders.enabled"]
