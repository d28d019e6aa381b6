"""With a broker, mail is delivered by a Celery worker: a real Redis (the suite's own server,
emptied for each test) and a real worker process against the test's database, delivering to
aiosmtpd."""

import asyncio
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from freezegun import freeze_time

from eventsys import tasks
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.outbox import services as outbox
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.sessions.states import SessionStatus
from tests.sessions.factories import make_expert, make_organisation, make_session
from tests.support.smtp import MailSink, free_port

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUEUE = "celery"
STARTS_AT = datetime(2030, 7, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def broker(redis_url) -> redis.Redis:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def app_config(mail_config, broker, redis_url):
    return mail_config | {"CELERY_BROKER_URL": redis_url}


def invite_anna():
    expert = make_expert("Anna", "Schmidt", make_organisation("Stadt Köln"))
    session = make_session(
        "Workshop Datenräume", starts_at=STARTS_AT, status=SessionStatus.CONFIRMED
    )
    db.session.commit()
    invitations.invite_experts(session, [expert])
    db.session.commit()
    return expert


def wait_for(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def start_worker(app, tmp_path):
    """Start `celery worker --pool=solo` on the test's database and SMTP server."""
    started: list[subprocess.Popen] = []
    logs: list[Path] = []

    def start(*options: str) -> subprocess.Popen:
        log = tmp_path / f"worker{len(started)}.log"
        logs.append(log)
        environment = os.environ | {
            "FLASK_SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "FLASK_CELERY_BROKER_URL": app.config["CELERY_BROKER_URL"],
            "FLASK_MAIL_SERVER": app.config["MAIL_SERVER"],
            "FLASK_MAIL_PORT": str(app.config["MAIL_PORT"]),
            "FLASK_SECRET_KEY": app.config["SECRET_KEY"],
            "FLASK_SERVER_NAME": app.config["SERVER_NAME"],
        }
        command = [
            sys.executable, "-m", "celery", "-A", "eventsys.tasks:celery_app", "worker",
            "--pool=solo", "--loglevel=INFO", "--without-gossip", "--without-mingle",
            "--without-heartbeat", "--hostname", f"test-{os.getpid()}-{len(started)}@%h",
            *options,
        ]  # fmt: skip
        with log.open("wb") as output:
            worker = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=environment, stdout=output, stderr=output
            )
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    for log in logs:
        print(log.read_text(errors="replace"))  # shown by pytest when the test failed


def test_committed_invitation_is_delivered_by_the_worker(app, broker, smtp_server, start_worker):
    invite_anna()
    # The commit handed delivery to the broker instead of a thread: nothing has arrived, and
    # the task waits in Redis for a worker.
    time.sleep(0.5)
    assert smtp_server.sink.received == []
    assert broker.llen(DEFAULT_QUEUE) == 1

    start_worker()
    assert wait_for(lambda: smtp_server.sink.messages_to("anna.schmidt@example.org")), (
        "the worker did not deliver the invitation"
    )
    (message,) = smtp_server.sink.messages_to("anna.schmidt@example.org")
    assert "Workshop Datenräume" in message["Subject"]
    assert any(part.get_content_type() == "text/calendar" for part in message.walk())

    def recorded_as_sent() -> bool:
        db.session.rollback()  # see the worker's commits
        return db.session.scalar(sa.select(OutboxMessage.state)) == DeliveryState.SENT

    assert wait_for(recorded_as_sent, 20)


def test_two_workers_share_a_large_run_and_send_each_mail_once(
    app, broker, _smtp_controller, smtp_server, start_worker, tmp_path
):
    """Both workers take a delivery task while the run is composed and sent; the claims on
    composition and on delivery keep them apart. The mail server takes its time (20 ms a
    message), so that the two overlap."""

    class SlowSink(MailSink):
        async def handle_DATA(self, server, session, envelope):
            await asyncio.sleep(0.02)
            return await super().handle_DATA(server, session, envelope)

    _smtp_controller.handler.sink = sink = SlowSink()
    workers = [start_worker("--prefetch-multiplier=1") for _ in range(2)]
    assert wait_for(lambda: all("ready." in log.read_text() for log in tmp_path.glob("*.log")))
    organisation = make_organisation("Stadt Köln")
    experts = [make_expert(f"Person{n}", f"Nummer{n}", organisation) for n in range(200)]
    session = make_session("Plenum", starts_at=STARTS_AT, status=SessionStatus.CONFIRMED)
    db.session.commit()
    invitations.invite_experts(session, experts)
    db.session.commit()  # the first delivery task
    tasks.celery_for(app).tasks[tasks.DELIVER_OUTBOX].delay()  # and one for the other worker

    assert wait_for(lambda: len(sink.received) >= 200, seconds=120)
    time.sleep(1)  # anything sent twice would arrive now
    message_ids = [mail.message["Message-ID"] for mail in sink.received]
    assert len(message_ids) == 200 and len(set(message_ids)) == 200
    db.session.expire_all()
    rows = db.session.execute(sa.select(OutboxMessage.state, OutboxMessage.attempts)).all()
    assert {tuple(row) for row in rows} == {(DeliveryState.SENT, 1)}
    # Each worker sent part of the run (its task's result is in its log).
    sent_by_worker = [
        sum(int(count) for count in re.findall(r"succeeded in [0-9.]+s: \((\d+), 0\)", text))
        for text in (log.read_text() for log in sorted(tmp_path.glob("*.log")))
    ]
    assert sum(sent_by_worker) == 200
    assert all(sent > 0 for sent in sent_by_worker), sent_by_worker
    assert all(worker.poll() is None for worker in workers)


def test_unreachable_broker_keeps_the_mail_and_the_request_going(app, caplog):
    app.config["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    begun = time.monotonic()
    outbox.queue("test", outbox.compose("anna@example.org", "Hallo", "Text"))
    db.session.commit()
    assert time.monotonic() - begun < 15
    assert "Could not hand mail delivery to the broker" in caplog.text
    assert db.session.scalar(sa.select(OutboxMessage.state)) == DeliveryState.QUEUED


def test_beat_schedule_delivers_fetches_and_reminds(app):
    app.config["REPLIES_POLL_SECONDS"] = 120
    schedule = tasks.make_celery(app).conf.beat_schedule
    assert schedule["deliver-outbox"]["task"] == tasks.DELIVER_OUTBOX
    assert schedule["deliver-outbox"]["schedule"] == 60
    assert schedule["fetch-replies"]["task"] == tasks.FETCH_REPLIES
    assert schedule["fetch-replies"]["schedule"] == 120
    assert schedule["send-reminders"]["task"] == tasks.SEND_REMINDERS
    assert schedule["send-reminders"]["schedule"] == 15 * 60


def test_celery_needs_a_broker(app):
    app.config["CELERY_BROKER_URL"] = None
    with pytest.raises(RuntimeError, match="CELERY_BROKER_URL"):
        tasks.make_celery(app)


def test_delivery_task_retries_after_a_database_outage(app, smtp_server, monkeypatch):
    invite_anna()  # queued; the broker holds the task, nobody works on it here
    calls = []
    real_deliver_due = outbox.deliver_due

    def flaky_deliver_due():
        calls.append(1)
        if len(calls) == 1:
            raise sa.exc.OperationalError("SELECT 1", {}, Exception("database restarting"))
        return real_deliver_due()

    monkeypatch.setattr(outbox, "deliver_due", flaky_deliver_due)
    task = tasks.celery_for(app).tasks[tasks.DELIVER_OUTBOX]
    assert task.retry_backoff == 30 and task.max_retries == 8
    result = task.apply()  # in this process; a retry runs at once instead of after back-off
    assert result.get() == (1, 0)
    assert len(calls) >= 2  # the failed delivery, then those of the retry
    assert len(smtp_server.sink.messages_to("anna.schmidt@example.org")) == 1


def test_fetch_task_reads_the_reply_mailbox(app, monkeypatch):
    import eventsys.replies.imap as imap

    calls = []
    monkeypatch.setattr(imap, "fetch_and_ingest", lambda: calls.append(1), raising=False)
    task = tasks.celery_for(app).tasks[tasks.FETCH_REPLIES]
    task.apply().get()
    assert calls == []  # no mailbox configured: nothing to poll
    app.config["IMAP_HOST"] = "imap.example.org"
    task.apply().get()
    assert calls == [1]


def test_reminder_task_queues_what_is_due(app):
    expert = make_expert("Anna", "Schmidt", make_organisation("Stadt Köln"))
    session = make_session(
        "Workshop Datenräume",
        starts_at=STARTS_AT,
        status=SessionStatus.CONFIRMED,
        rsvp_deadline=STARTS_AT - timedelta(days=7),
    )
    db.session.commit()
    invitations.invite_experts(session, [expert])
    db.session.commit()
    task = tasks.celery_for(app).tasks[tasks.SEND_REMINDERS]
    with freeze_time(STARTS_AT - timedelta(days=8)):
        assert task.apply().get() == 1
    kinds = db.session.scalars(sa.select(OutboxMessage.kind).order_by(OutboxMessage.id)).all()
    assert kinds == ["invitation", "deadline_reminder"]


def test_a_pdf_is_rendered_by_the_worker_while_the_reader_waits(client, broker, start_worker):
    from eventsys.documents.models import PreparationState, PreparedDocument
    from eventsys.minutes import workflow
    from eventsys.minutes.tokens import make_reader_token
    from tests.minutes.workflow_records import held_workshop

    workshop = held_workshop()
    workflow.circulate(workshop.minutes, datetime.now(UTC) + timedelta(days=7))
    db.session.commit()
    reader_pdf = (
        f"/minutes/read/{make_reader_token(workshop.minutes, workshop.present)}/minutes.pdf"
    )

    assert client.get(reader_pdf).status_code == 202
    assert client.get(reader_pdf).status_code == 202  # asked again: no second task
    queued = [json.loads(task)["headers"]["task"] for task in broker.lrange(DEFAULT_QUEUE, 0, -1)]
    assert queued.count(tasks.PREPARE_DOCUMENT) == 1

    start_worker()

    def rendered() -> bool:
        db.session.rollback()  # see the worker's commits
        return db.session.scalar(sa.select(PreparedDocument.state)) is PreparationState.READY

    assert wait_for(rendered, 90), "the worker did not render the PDF"
    response = client.get(reader_pdf)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_an_expert_import_is_run_by_the_worker(app, staff, broker, start_worker):
    from eventsys.experts import import_jobs
    from eventsys.experts.models import Expert
    from tests.experts.test_import_jobs import many_rows

    job = import_jobs.create_job(many_rows(600), dry_run=False, user_id=staff.organiser.id)
    db.session.commit()
    import_jobs.start(job)
    queued = [json.loads(task)["headers"]["task"] for task in broker.lrange(DEFAULT_QUEUE, 0, -1)]
    assert queued.count(tasks.IMPORT_EXPERTS) == 1

    start_worker()

    def imported() -> bool:
        db.session.rollback()  # see the worker's commits
        return db.session.get(import_jobs.ImportJob, job.id).state is import_jobs.JobState.DONE

    assert wait_for(imported, 90), "the worker did not run the import"
    assert db.session.scalar(sa.select(sa.func.count(Expert.id))) == 600


def test_approved_minutes_get_their_pdf_from_the_worker(client, staff, broker, start_worker):
    from eventsys.minutes import workflow
    from eventsys.minutes.models import MinutesVersion
    from tests.minutes.workflow_records import held_workshop
    from tests.pdf.pdf_contents import embedded_files, reader

    workshop = held_workshop()
    version = workflow.approve(workshop.minutes, staff.organiser)
    db.session.commit()
    queued = [json.loads(task)["headers"]["task"] for task in broker.lrange(DEFAULT_QUEUE, 0, -1)]
    assert queued.count(tasks.PREPARE_DOCUMENT) == 1
    assert version.pdf is None

    start_worker()

    def stored() -> bool:
        db.session.rollback()  # see the worker's commits
        query = sa.select(MinutesVersion.pdf_sha256).where(MinutesVersion.id == version.id)
        return db.session.scalar(query) is not None

    assert wait_for(stored, 90), "the worker did not render the PDF"
    db.session.refresh(version)
    assert reader(version.pdf).xmp_metadata.pdfaid_part == "3"
    assert json.loads(embedded_files(version.pdf)["minutes.json"][0]) == version.content
