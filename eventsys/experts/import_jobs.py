"""A CSV import of experts as a job of its own: the upload is stored, the rows are applied
outside the web request (a Celery worker, a thread of this process, or at once in tests), and
the page shows how far it got and, at the end, the report of every row.

Nothing is lost when a process ends mid-import: the upload stays with the job until it is done,
and running a job again is safe, because experts are recognised by their e-mail address.
"""

import enum
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.audit.services import acting_as
from eventsys.auth.models import User
from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.experts import csv_import, csv_reading
from eventsys.extensions import db

log = logging.getLogger(__name__)

_START = "expert_import_start"  # key in app.extensions: how a job is started after its commit
# Rows of the report the job page lists at most; the counts cover all of them.
REPORT_ROWS_SHOWN = 200
# A batch of rows takes about a second; a job that has not moved on for this long has no worker.
STALLED_AFTER = timedelta(minutes=2)


class JobState(enum.StrEnum):
    WAITING = "waiting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ImportJob(db.Model):
    __tablename__ = "expert_import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    dry_run: Mapped[bool] = mapped_column(default=False)
    # The uploaded file until the job is done; emptied then, as it holds personal data.
    upload: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    state: Mapped[JobState] = mapped_column(
        enum_column(JobState, "expert_import_state"), default=JobState.WAITING
    )
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    report: Mapped[dict | None] = mapped_column(sa.JSON)
    failure: Mapped[str] = mapped_column(sa.Text, default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the job last moved on (started, or wrote a batch); see `stalled`.
    progressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<ImportJob {self.id} {self.state.value} {self.rows_done}/{self.rows_total}>"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def stalled(self) -> bool:
        """Whether the job has not moved on for longer than a batch could take: its worker was
        stopped (a restart, a deployment), or its task was lost. It can be continued."""
        if self.finished:
            return False
        last_moved = self.progressed_at or self.created_at
        return last_moved is not None and last_moved < utcnow() - STALLED_AFTER

    @property
    def percent(self) -> int:
        if self.state is JobState.DONE:
            return 100
        return 100 * self.rows_done // self.rows_total if self.rows_total else 0

    def the_report(self) -> csv_import.ImportReport | None:
        return csv_import.ImportReport.from_data(self.report) if self.report else None


def create_job(upload: bytes, dry_run: bool, user_id: int | None) -> ImportJob:
    """Store an upload as a job in the current transaction; it starts once that commits.

    Raises csv_reading.UnreadableFile at once for a file that cannot be read at all, so that
    the person who uploaded it is told on the spot."""
    expert_file = csv_reading.read_expert_file(upload)
    job = ImportJob(
        upload=upload, dry_run=dry_run, created_by_id=user_id, rows_total=len(expert_file.rows)
    )
    db.session.add(job)
    db.session.flush()
    return job


def start(job: ImportJob) -> None:
    """Start the committed job as the settings say (EXPERT_IMPORTS, a broker if configured)."""
    app = current_app._get_current_object()
    app.extensions[_START](app, job.id)


def run(job_id: int) -> JobState | None:
    """Apply the job's rows, committing batch by batch so that its progress can be seen; a
    check (dry run) is rolled back whole and shows its progress only at the end. Returns the
    job's state afterwards, or None if there is no such job (or it is no longer waiting)."""
    if not _claim(job_id):
        return None
    job = db.session.get(ImportJob, job_id)
    session = db.session()
    # What the import loaded once (the directory's experts, organisations, working groups) stays
    # loaded across the commits of its batches, instead of being read again row by row.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        expert_file = csv_reading.read_expert_file(job.upload)
        # Outside a request the changes are the uploader's, named as such in the audit trail.
        uploader = db.session.get(User, job.created_by_id) if job.created_by_id else None
        with acting_as(uploader.email if uploader else f"import job {job.id}"):
            report = csv_import.import_experts(
                expert_file,
                dry_run=job.dry_run,
                on_batch=None if job.dry_run else lambda done: _progress(job_id, done),
            )
    except Exception as error:  # the job records why; the page tells the person
        db.session.rollback()
        log.exception("Import job %s failed", job_id)
        _finish(job_id, JobState.FAILED, failure=str(error)[:2000])
        return JobState.FAILED
    finally:
        session.expire_on_commit = expire_on_commit
    if job.dry_run:
        db.session.rollback()
    _finish(job_id, JobState.DONE, report=report.as_data())
    return JobState.DONE


def _claim(job_id: int) -> bool:
    """Take the job for this worker, if it waits for one or has stalled (its worker went away):
    a conditional update, so that a job someone continued while its first worker was merely
    slow is not run twice at once. Commits."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(ImportJob)
        .where(
            ImportJob.id == job_id,
            ImportJob.upload.is_not(None),
            sa.or_(
                ImportJob.state == JobState.WAITING,
                sa.and_(
                    ImportJob.state == JobState.RUNNING,
                    sa.or_(
                        ImportJob.progressed_at.is_(None),
                        ImportJob.progressed_at < now - STALLED_AFTER,
                    ),
                ),
            ),
        )
        .values(state=JobState.RUNNING, started_at=now, progressed_at=now, rows_done=0)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _progress(job_id: int, done: int) -> None:
    """After each written batch: record how far the job got, and commit the batch with it."""
    db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(rows_done=done, progressed_at=utcnow())
    )
    db.session.commit()


def _finish(job_id: int, state: JobState, report: dict | None = None, failure: str = "") -> None:
    db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(
            state=state,
            report=report,
            failure=failure,
            upload=None,
            finished_at=utcnow(),
            rows_done=ImportJob.rows_total if state is JobState.DONE else ImportJob.rows_done,
        )
    )
    db.session.commit()


def init_app(app: Flask, start_job: Callable[[Flask, int], None] | None) -> None:
    """`start_job` is a broker's task (see create_app); without one, EXPERT_IMPORTS says:
    "background" runs the job in a thread of this process, "inline" at once (tests)."""
    if start_job is None:
        start_job = run_inline if app.config["EXPERT_IMPORTS"] == "inline" else run_in_thread
    app.extensions[_START] = start_job


def run_inline(app: Flask, job_id: int) -> None:
    run(job_id)


def run_in_thread(app: Flask, job_id: int) -> None:
    def work() -> None:
        with app.app_context():
            run(job_id)

    threading.Thread(target=work, name=f"expert-import-{job_id}", daemon=True).start()
