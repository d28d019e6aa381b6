"""Background work as Celery tasks, for deployments with a broker (CELERY_BROKER_URL, Redis).

    celery -A eventsys.tasks:celery_app worker   # mail, replies, reminders and answer digests
    celery -A eventsys.tasks:celery_app beat     # the schedule below

Without a broker nothing here is used: the outbox delivers in a thread after each commit, and
`flask outbox deliver`, `flask replies fetch`, `flask reminders send`, `flask notices digest` and
`flask minutes remind-owners` run from cron.

Every task runs inside the Flask app's context (the `make_celery(app)` pattern), with the
app's database session, which Flask-SQLAlchemy removes when the task's context ends.
"""

import imaplib
import logging
from typing import Any

import sqlalchemy as sa
from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded
from flask import Flask, current_app

log = logging.getLogger(__name__)

DELIVER_OUTBOX = "eventsys.deliver_outbox"
FETCH_REPLIES = "eventsys.fetch_replies"
SEND_REMINDERS = "eventsys.send_reminders"
SEND_ANSWER_DIGESTS = "eventsys.send_answer_digests"
REMIND_ACTION_ITEM_OWNERS = "eventsys.remind_action_item_owners"
PURGE_PERSONAL_DATA = "eventsys.purge_personal_data"
PREPARE_DOCUMENT = "eventsys.prepare_document"
IMPORT_EXPERTS = "eventsys.import_experts"

DELIVERY_INTERVAL_SECONDS = 60
REMINDERS_INTERVAL_SECONDS = 15 * 60
PURGE_INTERVAL_SECONDS = 24 * 60 * 60

# Failures worth another try later: the database or a server was unreachable for a while.
TRANSIENT_ERRORS = (sa.exc.OperationalError, OSError, imaplib.IMAP4.error)
RETRY_OPTIONS = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 30,  # seconds before the first retry, doubling each time
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 8,
}

# Publishing from a request must not hang it when the broker is down: two quick tries, then
# the scheduled delivery picks the mail up.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5}


def beat_schedule(config: dict) -> dict[str, dict[str, Any]]:
    """When each task runs. A run that waited longer than its interval is dropped (`expires`),
    so that runs queued while no worker was up do not pile up."""

    def every(task: str, seconds: float) -> dict[str, Any]:
        return {"task": task, "schedule": seconds, "options": {"expires": seconds}}

    return {
        "deliver-outbox": every(DELIVER_OUTBOX, DELIVERY_INTERVAL_SECONDS),
        "fetch-replies": every(FETCH_REPLIES, float(config["REPLIES_POLL_SECONDS"])),
        "send-reminders": every(SEND_REMINDERS, REMINDERS_INTERVAL_SECONDS),
        # Due once a day from ANSWER_DIGEST_HOUR on; the runs before and after send nothing.
        "send-answer-digests": every(SEND_ANSWER_DIGESTS, REMINDERS_INTERVAL_SECONDS),
        "remind-action-item-owners": every(REMIND_ACTION_ITEM_OWNERS, REMINDERS_INTERVAL_SECONDS),
        "purge-personal-data": every(PURGE_PERSONAL_DATA, PURGE_INTERVAL_SECONDS),
    }


def make_celery(app: Flask) -> Celery:
    """A Celery app for `app`, with the tasks and the beat schedule; kept in `app.extensions`.

    Raises RuntimeError when CELERY_BROKER_URL is not set (Celery would silently fall back to
    a local AMQP server).
    """
    broker = app.config.get("CELERY_BROKER_URL")
    if not broker:
        raise RuntimeError("CELERY_BROKER_URL is not set; there is no broker to use.")

    class AppContextTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, task_cls=AppContextTask)
    celery.conf.update(
        broker_url=broker,
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        timezone="UTC",
        beat_schedule=beat_schedule(app.config),
    )
    _register_tasks(celery)
    _register_purge(celery)
    _register_preparation(celery, float(app.config["PDF_TIME_LIMIT_SECONDS"]))
    _register_import(celery)
    app.extensions["celery"] = celery
    return celery


def celery_for(app: Flask) -> Celery:
    """The Celery app made for `app`, made on first use."""
    return app.extensions.get("celery") or make_celery(app)


def enqueue_delivery(app: Flask) -> None:
    """Ask a worker to deliver the outbox (called after a commit that queued mail)."""
    try:
        celery_for(app).send_task(DELIVER_OUTBOX, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception:  # the commit stands; beat's next delivery run sends the mail
        log.exception("Could not hand mail delivery to the broker")


def enqueue_import(app: Flask, job_id: int) -> None:
    """Ask a worker to run an expert import; with the broker unreachable, run it in a thread
    of this process instead, so that the upload is not left waiting."""
    try:
        celery_for(app).send_task(
            IMPORT_EXPERTS, args=[job_id], retry=True, retry_policy=PUBLISH_RETRY_POLICY
        )
    except Exception:
        log.exception("Could not hand an expert import to the broker; running it here")
        from eventsys.experts.import_jobs import run_in_thread

        run_in_thread(app, job_id)


def enqueue_preparation(app: Flask, document_id: int) -> None:
    """Ask a worker to render a prepared document; with the broker unreachable, render it in a
    thread of this process instead, so that the reader still gets the PDF."""
    try:
        celery_for(app).send_task(
            PREPARE_DOCUMENT,
            args=[document_id],
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except Exception:
        log.exception("Could not hand a PDF rendering to the broker; rendering it here")
        from eventsys.documents.preparation import prepare_in_thread

        prepare_in_thread(app, document_id)


def _register_tasks(celery: Celery) -> None:
    # shared=False: each Celery app keeps its own tasks, bound to its own Flask app (Celery
    # would otherwise hand every app the tasks of the first one made).
    @celery.task(name=DELIVER_OUTBOX, shared=False, **RETRY_OPTIONS)
    def deliver_outbox() -> tuple[int, int]:
        """Compose what is pending and send what is due. Messages refused by the mail server
        are rescheduled by the outbox itself (back-off per message); an unreachable database
        makes the task retry."""
        from eventsys.outbox import services

        if not services.delivery_configured_here():
            log.warning("No MAIL_SERVER configured; mail stays in the outbox")
        return services.process()

    @celery.task(name=FETCH_REPLIES, shared=False, **RETRY_OPTIONS)
    def fetch_replies() -> None:
        """Read new mail in the reply mailbox and record the answers in it."""
        if not current_app.config.get("IMAP_HOST"):
            return
        from eventsys.extensions import db
        from eventsys.replies.imap import fetch_and_ingest

        fetch_and_ingest()
        db.session.commit()

    @celery.task(name=SEND_REMINDERS, shared=False, **RETRY_OPTIONS)
    def send_reminders() -> int:
        """Queue the reminders that are due; returns how many."""
        from eventsys.audit.services import acting_as
        from eventsys.extensions import db
        from eventsys.reminders.services import send_due_reminders

        if not current_app.config.get("SERVER_NAME"):
            log.error("SERVER_NAME is not set; reminders with answer links cannot be built")
            return 0
        with acting_as("celery"):
            counts = send_due_reminders()
        db.session.commit()
        return counts.total

    @celery.task(name=SEND_ANSWER_DIGESTS, shared=False, **RETRY_OPTIONS)
    def send_answer_digests() -> int:
        """Queue the daily answer digests that are due; returns how many."""
        from eventsys.audit.services import acting_as
        from eventsys.extensions import db
        from eventsys.notices.digest import send_due_digests

        if not current_app.config.get("SERVER_NAME"):
            log.error("SERVER_NAME is not set; answer digests with links cannot be built")
            return 0
        with acting_as("celery"):
            sent = send_due_digests()
        db.session.commit()
        return sent

    @celery.task(name=REMIND_ACTION_ITEM_OWNERS, shared=False, **RETRY_OPTIONS)
    def remind_action_item_owners() -> int:
        """Queue the reminders of action items that are due; returns how many."""
        from eventsys.audit.services import acting_as
        from eventsys.extensions import db
        from eventsys.minutes.action_item_reminders import send_due_reminders

        with acting_as("celery"):
            sent = send_due_reminders()
        db.session.commit()
        return sent


def _register_purge(celery: Celery) -> None:
    @celery.task(name=PURGE_PERSONAL_DATA, shared=False, **RETRY_OPTIONS)
    def purge_personal_data() -> dict[str, int]:
        """Remove personal data that has outlived its retention period."""
        from eventsys.audit.services import acting_as
        from eventsys.extensions import db
        from eventsys.privacy.retention import purge

        with acting_as("celery"):
            counts = purge()
        db.session.commit()
        return counts


def _register_preparation(celery: Celery, time_limit: float) -> None:
    # The worker's own child process renders (a daemon may start none), so the task's limits
    # stop it: the soft one lets it record the time-out, the hard one ends a renderer that
    # does not get back to Python in time.
    @celery.task(
        name=PREPARE_DOCUMENT,
        shared=False,
        soft_time_limit=time_limit,
        time_limit=time_limit + 30,
        **RETRY_OPTIONS,
    )
    def prepare_document(document_id: int) -> str | None:
        """Render a document someone asked for; returns its state afterwards."""
        from eventsys.documents import preparation
        from eventsys.extensions import db

        try:
            state = preparation.prepare(document_id)
        except SoftTimeLimitExceeded:
            db.session.rollback()
            state = preparation.record_time_out(document_id)
        return state.value if state else None


def _register_import(celery: Celery) -> None:
    @celery.task(name=IMPORT_EXPERTS, shared=False, **RETRY_OPTIONS)
    def import_experts(job_id: int) -> str | None:
        """Apply the rows of an uploaded CSV file; returns the job's state afterwards."""
        from eventsys.experts import import_jobs

        state = import_jobs.run(job_id)
        return state.value if state else None


def __getattr__(name: str) -> Celery:
    """`eventsys.tasks:celery_app` for the worker and beat: the Flask app from the usual
    settings (instance/config.py, FLASK_* variables) with its Celery app. Made on first access,
    not on import, so that web processes importing this module build no second Flask app."""
    if name != "celery_app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from eventsys import create_app

    celery = celery_for(create_app())
    globals()["celery_app"] = celery
    return celery
