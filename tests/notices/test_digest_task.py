"""With a broker, Celery beat runs the digest on the reminders' schedule; the task sends what
the command would, and nothing twice."""

from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa

from eventsys import tasks
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.models import InvitationAnswer
from eventsys.invitations.states import Channel, Response
from eventsys.notices.digest import DIGEST_KIND
from eventsys.outbox.models import OutboxMessage


@pytest.fixture
def app_config(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushdb()  # the delivery tasks the commits publish are left to nobody
    yield {"CELERY_BROKER_URL": redis_url, "ANSWER_DIGEST_HOUR": 0}
    client.flushdb()
    client.close()


def test_beat_runs_the_digest_like_the_reminders(app):
    schedule = tasks.make_celery(app).conf.beat_schedule
    assert schedule["send-answer-digests"]["task"] == tasks.SEND_ANSWER_DIGESTS
    assert schedule["send-answer-digests"]["schedule"] == schedule["send-reminders"]["schedule"]


def test_the_task_queues_each_digest_once(app, notified):
    services.record_answer(
        notified.invitation(notified.platform.bernd), Response.DECLINED, Channel.LINK
    )
    db.session.scalar(sa.select(InvitationAnswer)).received_at -= timedelta(hours=1)
    db.session.commit()
    task = tasks.celery_for(app).tasks[tasks.SEND_ANSWER_DIGESTS]

    assert task.apply().get() == 2
    assert task.apply().get() == 0
    recipients = db.session.scalars(
        sa.select(OutboxMessage.recipient).where(OutboxMessage.kind == DIGEST_KIND)
    ).all()
    assert sorted(recipients) == sorted([notified.german.email, notified.english.email])
