"""`flask reminders send` on a schedule, and the reminder as it arrives."""

from datetime import timedelta

import icalendar
import pytest
from freezegun import freeze_time

from eventsys.invitations.mail import MailKind
from tests.reminders.conftest import DEADLINE, STARTS_AT, invite_three, recipients


def test_command_sends_what_is_due_and_prints_counts(runner, invited):
    with freeze_time(DEADLINE - timedelta(days=1)):
        result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "Queued 1 answer reminders and 0 session reminders (1 in all)." in result.output
    assert recipients(MailKind.DEADLINE_REMINDER) == ["anna.schmidt@example.org"]

    with freeze_time(DEADLINE - timedelta(hours=20)):
        again = runner.invoke(args=["reminders", "send"])
    assert "Queued 0 answer reminders" in again.output


def test_command_needs_the_public_host_name(app, runner, invited):
    app.config["SERVER_NAME"] = None
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code != 0
    assert "SERVER_NAME" in result.output


@pytest.fixture
def app_config(mail_config):
    return mail_config


def test_eve_reminder_arrives_with_the_calendar_entry(app, runner, smtp_server):
    invite_three()
    smtp_server.sink.received.clear()
    with freeze_time(STARTS_AT - timedelta(days=1)):
        result = runner.invoke(args=["reminders", "send"])
    assert "1 session reminders" in result.output
    (message,) = smtp_server.sink.messages_to("bernd.vogel@example.org")
    assert "Workshop Datenräume" in message["Subject"]
    calendar_part = next(
        part for part in message.walk() if part.get_content_type() == "text/calendar"
    )
    assert calendar_part.get_param("method") == "REQUEST"
    event = icalendar.Calendar.from_ical(calendar_part.get_payload(decode=True)).walk("VEVENT")[0]
    assert event.decoded("dtstart") == STARTS_AT
