"""`flask notices digest`, as cron or Celery beat runs it: the digest reaches a real SMTP
server once, however often the command runs."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.models import InvitationAnswer
from eventsys.invitations.states import Channel, Response
from eventsys.outbox import services as outbox
from tests.invitations.conftest import text_of


@pytest.fixture
def app_config(mail_config):
    # Due at any hour, so that the test does not depend on when it runs.
    return mail_config | {"ANSWER_DIGEST_HOUR": 0}


def test_the_command_sends_the_digest_over_smtp_once(app, runner, notified, smtp_server):
    services.record_answer(
        notified.invitation(notified.platform.anna), Response.ACCEPTED, Channel.LINK
    )
    newest = db.session.scalar(sa.select(InvitationAnswer))
    newest.received_at -= timedelta(hours=1)  # settled: the digest covers up to a while ago
    db.session.commit()

    first = runner.invoke(args=["notices", "digest"])
    second = runner.invoke(args=["notices", "digest"])

    assert first.exit_code == 0, first.output
    assert "Queued 2 answer digests." in first.output
    assert "Queued 0 answer digests." in second.output
    outbox.process()
    (message,) = smtp_server.sink.messages_to(notified.english.email)
    assert str(message["Subject"]).startswith("Answers of the day – ")
    assert "Dr. Anna Schmidt (Stadt Köln): Accepted" in text_of(message)
    assert len(smtp_server.sink.messages_to(notified.german.email)) == 1
