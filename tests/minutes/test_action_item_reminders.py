"""Reminders to the owners of action items before the due date: who gets one, once per due
date, switched per session, and the mail as it arrives at a real SMTP server."""

from datetime import date

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from eventsys.audit.models import AuditEntry
from eventsys.extensions import db
from eventsys.minutes import action_item_reminders
from eventsys.minutes.models import ActionItem
from eventsys.minutes.states import MinutesState
from eventsys.outbox.models import OutboxMessage
from tests.minutes.conftest import build_record

# Anna's three items of the plenary are due on 30.04.2026: seven days before is 23.04.
WEEK_BEFORE = "2026-04-23 06:00:00"


@pytest.fixture
def circulated(app):
    record = build_record()
    record.minutes.state = MinutesState.CIRCULATED
    db.session.commit()
    return record


def reminders_queued() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage).where(
                OutboxMessage.kind == action_item_reminders.ACTION_ITEM_REMINDER
            )
        )
    )


def test_owners_are_reminded_a_week_before_and_only_once(circulated):
    with freeze_time("2026-04-22 20:00:00"):  # 22.04., 22:00 in Berlin: eight days before
        assert action_item_reminders.send_due_reminders() == 0
    with freeze_time(WEEK_BEFORE):
        assert action_item_reminders.send_due_reminders() == 3
        db.session.commit()
        assert action_item_reminders.send_due_reminders() == 0
    queued = reminders_queued()
    assert {message.recipient for message in queued} == {circulated.people.anna.email}
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "action_item.reminded")
    ).all()
    assert len(entries) == 3 and entries[0].changes == {"due_date": "2026-04-30"}


def test_a_new_due_date_earns_a_new_reminder(circulated):
    with freeze_time(WEEK_BEFORE):
        action_item_reminders.send_due_reminders()
    item = circulated.minutes.topics[0].action_items[0]
    item.due_date = date(2026, 5, 7)
    db.session.commit()
    with freeze_time("2026-05-01 06:00:00"):
        assert action_item_reminders.send_due_reminders() == 1
    db.session.refresh(item)
    assert item.reminded_for_due_date == date(2026, 5, 7)


def test_no_reminders_for_closed_items_drafts_organisations_or_when_switched_off(app):
    record = build_record()  # the plenary's minutes are still a draft
    with freeze_time(WEEK_BEFORE):
        assert action_item_reminders.send_due_reminders() == 0
        record.minutes.state = MinutesState.CIRCULATED
        record.session.action_item_reminders_enabled = False
        db.session.commit()
        assert action_item_reminders.send_due_reminders() == 0
        record.session.action_item_reminders_enabled = True
        for topic in record.minutes.topics:
            topic.action_items[0].closed_at = topic.action_items[0].topic.minutes.created_at
        db.session.commit()
        assert action_item_reminders.send_due_reminders() == 0
    # The BBSR's items (an organisation) never get one.
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ActionItem)
            .where(ActionItem.reminded_for_due_date.is_not(None))
        )
        == 0
    )


def test_an_inactive_owner_gets_none(circulated):
    circulated.people.anna.active = False
    db.session.commit()
    with freeze_time(WEEK_BEFORE):
        assert action_item_reminders.send_due_reminders() == 0


@pytest.fixture
def app_config(mail_config):
    return mail_config


def test_the_command_sends_the_reminder_in_the_owners_language(circulated, runner, smtp_server):
    circulated.people.anna.language = "en"
    db.session.commit()
    smtp_server.sink.received.clear()
    with freeze_time(WEEK_BEFORE):
        result = runner.invoke(args=["minutes", "remind-owners"])
    assert result.exit_code == 0, result.output
    assert "Queued 3 reminders of action items." in result.output
    arrived = smtp_server.sink.messages_to(circulated.people.anna.email)
    assert len(arrived) == 3
    message = arrived[0]
    session_id = circulated.session.id
    assert message["Subject"] == f"Reminder: action item A-{session_id}.1.1 is due on 30 Apr 2026"
    assert message["Content-Language"] == "en"
    text = message.get_body(("plain",)).get_content()
    assert "Entwurf 1 an alle versenden" in text
    assert "5. Plenum der Dialogplattform" in text and "TOP 1: Begrüßung" in text
    assert "please let the secretariat know" in text
