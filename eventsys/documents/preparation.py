"""PDFs rendered outside the request, once for each text, and kept.

A route builds its document's HTML (templates and Markdown: milliseconds) and hands it to
`respond`. The SHA-256 of that HTML names the rendering:
- ready: the stored PDF is sent, however often it is asked for;
- not yet asked for: a row is inserted and committed, and a renderer is started. The fingerprint
  is unique, so of any number of readers asking at the same moment one insert wins and starts
  the one rendering; the others find its row;
- waiting or rendering: the reader gets a "being prepared" page (202) that checks back by itself
  and then opens the PDF;
- failed: a page that says so; staff may ask for another try (`retry`).

Where it renders (DOCUMENT_PREPARATION and CELERY_BROKER_URL, see `init_app`): a Celery task when
a broker is configured, otherwise a small pool of threads in this process, each rendering in a
child process that is stopped at PDF_TIME_LIMIT_SECONDS (see `eventsys.pdf.time_limit`), so that
no text can keep a renderer for longer; or ("inline", for tests) within the request, in the
process itself and without a time limit. A renderer that died mid-way (a restarted process) is
noticed by the next request, which starts the rendering again, up to MAX_ATTEMPTS times.

A new revision of the same text is new HTML and so a new rendering; once it is ready, the older
renderings of the same subject are deleted, so that one PDF per document is kept.

A document that must exist whether or not anyone asks for it (the archival PDF of approved
minutes) is asked for with `ask_for` in the transaction that makes it necessary; its renderer
starts once that transaction commits (never if it is rolled back; "inline", the committer waits
for it). When it is ready, `signals.document_prepared` lets its owner store it (and the prepared
copy is dropped); until then `respond_for_subject` answers those who ask for it as above.
"""

import base64
import dataclasses
import hashlib
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, has_app_context, render_template
from flask_babel import format_decimal
from flask_login import current_user
from sqlalchemy.orm import Session, SessionTransaction

from eventsys import signals
from eventsys.access import ALL_STAFF
from eventsys.database import utcnow
from eventsys.documents.downloads import pdf_response
from eventsys.documents.models import PreparationState, PreparedDocument
from eventsys.extensions import db
from eventsys.pdf import AttachmentRelationship, PdfAttachment, PdfRenderingError, render_pdf
from eventsys.pdf.time_limit import RenderingTimedOut, render_pdf_within

log = logging.getLogger(__name__)

#: How often a rendering is started for the same text before it counts as failed, when the
#: renderer died each time without an answer.
MAX_ATTEMPTS = 3
# A waiting rendering no renderer has taken after this long was lost (a queue emptied by a
# restart); the next request starts it again. Starting twice is harmless: one renderer claims it.
_LOST_AFTER = timedelta(minutes=2)
# A renderer is stopped at the time limit; one that has not answered this long after it is gone.
_GRACE = timedelta(seconds=60)
_START_PREPARATION = "eventsys.documents.start_preparation"
_RENDERERS = "eventsys.documents.renderers"
# In `Session.info`: the documents asked for in the session's transaction, started after it.
_ASKED = "eventsys.documents.asked"

Starter = Callable[[Flask, int], None]


@dataclass(frozen=True)
class DocumentRequest:
    """A PDF to hand to the browser: what it is of, its HTML and its file name."""

    # What the document is of, e.g. "minutes-reader:12:de"; one rendering per subject is kept.
    subject: str
    html: str
    filename: str
    # Files outside the package that the HTML names as assets, by asset name (an uploaded
    # letterhead logo; see `eventsys.documents.letterhead`).
    asset_files: Mapping[str, Path] = dataclasses.field(default_factory=dict)
    # Shown in the browser instead of downloaded.
    inline: bool = False
    # PDF/A-3u, with `attachments` as its associated files (see `eventsys.pdf.render_pdf`).
    archival: bool = False
    attachments: Sequence[PdfAttachment] = ()


def respond(document: DocumentRequest, *, back_url: str | None = None) -> Response:
    """The PDF when it is ready; otherwise the page that says it is being prepared (202) or
    that it failed (422), with a link to `back_url` when given."""
    prepared = _find_or_ask_for(document)
    return _response(prepared, document.filename, inline=document.inline, back_url=back_url)


def respond_for_subject(
    subject: str, filename: str, *, inline: bool = False, back_url: str | None = None
) -> Response | None:
    """As `respond`, for the rendering last asked for under `subject` (by `ask_for`), whose
    HTML the caller need not build again; None when there is none (never asked for, deleted
    after its retention period, or its PDF went to its owner in the meantime)."""
    prepared = _latest_of(subject)
    if prepared is None:
        return None
    if _stalled(prepared):
        _start_again(prepared)
        prepared = _latest_of(subject)  # rendered by now when inline, and perhaps taken
        if prepared is None:
            return None
    return _response(prepared, filename, inline=inline, back_url=back_url)


def latest_for_subjects(subjects: Sequence[str]) -> dict[str, PreparedDocument]:
    """The rendering last asked for under each of `subjects` that has one, in one query."""
    if not subjects:
        return {}
    query = (
        sa.select(PreparedDocument)
        .where(PreparedDocument.subject.in_(subjects))
        .order_by(PreparedDocument.requested_at, PreparedDocument.id)
    )
    return {prepared.subject: prepared for prepared in db.session.scalars(query)}


def ask_for(document: DocumentRequest) -> PreparedDocument:
    """Ask for `document` in the current transaction: its rendering is stored with it and
    starts once the transaction commits (and never, if it is rolled back). The same text
    asked for before is not asked for again: its rendering is returned."""
    key = fingerprint(document.html, document.asset_files, document.archival, document.attachments)
    prepared = _by_fingerprint(key)
    if prepared is None:
        prepared = _new_rendering(key, document)
        db.session.add(prepared)
        db.session.flush()
        db.session.info.setdefault(_ASKED, []).append(prepared.id)
    return prepared


def _response(
    prepared: PreparedDocument, filename: str, *, inline: bool, back_url: str | None
) -> Response:
    if prepared.state is PreparationState.READY:
        assert prepared.pdf is not None
        return pdf_response(prepared.pdf, filename, inline=inline, etag=prepared.fingerprint)
    if prepared.state is PreparationState.FAILED:
        page = render_template(
            "documents/pdf_failed.html",
            prepared=prepared,
            may_retry=_is_staff(),
            time_limit=format_decimal(current_app.config["PDF_TIME_LIMIT_SECONDS"]),
            back_url=back_url,
        )
        return Response(page, status=422)
    page = render_template(
        "documents/preparing.html",
        time_limit=current_app.config["PDF_TIME_LIMIT_SECONDS"],
        back_url=back_url,
    )
    response = Response(page, status=202)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Retry-After"] = "2"
    return response


def retry(prepared: PreparedDocument) -> bool:
    """Start a failed rendering again (staff asked for it); False when it has not failed."""
    if prepared.state is not PreparationState.FAILED:
        return False
    prepared.state = PreparationState.WAITING
    prepared.attempts = 0
    prepared.failure = ""
    prepared.timed_out = False
    prepared.requested_at = utcnow()
    prepared.started_at = None
    db.session.commit()
    _start(prepared.id)
    return True


def fingerprint(
    html: str,
    asset_files: Mapping[str, Path],
    archival: bool = False,
    attachments: Sequence[PdfAttachment] = (),
) -> str:
    """What names a rendering: the HTML, and each asset file with its size and time (a logo
    replaced under the same name is a new document); for an archival PDF also that, and its
    attachments."""
    digest = hashlib.sha256(html.encode("utf-8", "surrogatepass"))
    for name, path in sorted(asset_files.items()):
        try:
            facts = path.stat()
            digest.update(f"\0{name}\0{path}\0{facts.st_size}\0{facts.st_mtime_ns}".encode())
        except OSError:
            digest.update(f"\0{name}\0{path}\0missing".encode())
    if archival:
        digest.update(b"\0archival")
    for attachment in attachments:
        described = f"\0{attachment.filename}\0{attachment.description}\0{attachment.relationship}"
        digest.update(described.encode("utf-8", "surrogatepass"))
        digest.update(hashlib.sha256(attachment.content).digest())
    return digest.hexdigest()


def _new_rendering(key: str, document: DocumentRequest) -> PreparedDocument:
    return PreparedDocument(
        fingerprint=key,
        subject=document.subject[:200],
        html=document.html,
        asset_files={name: str(path) for name, path in document.asset_files.items()},
        archival=document.archival,
        attachments=[_stored_attachment(attachment) for attachment in document.attachments],
    )


def _stored_attachment(attachment: PdfAttachment) -> dict[str, Any]:
    return {
        "filename": attachment.filename,
        "description": attachment.description,
        "relationship": attachment.relationship.value,
        "content": base64.b64encode(attachment.content).decode("ascii"),
    }


def _attachments_of(prepared: PreparedDocument) -> list[PdfAttachment]:
    return [
        PdfAttachment(
            stored["filename"],
            base64.b64decode(stored["content"]),
            description=stored["description"],
            relationship=AttachmentRelationship(stored["relationship"]),
        )
        for stored in prepared.attachments
    ]


def _find_or_ask_for(document: DocumentRequest) -> PreparedDocument:
    key = fingerprint(document.html, document.asset_files, document.archival, document.attachments)
    prepared = _by_fingerprint(key)
    if prepared is None:
        prepared = _new_rendering(key, document)
        db.session.add(prepared)
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            # Another reader asked for the same text at the same moment; its rendering serves
            # both.
            db.session.rollback()
            prepared = _by_fingerprint(key)
            assert prepared is not None
        else:
            _start(prepared.id)
    elif _stalled(prepared):
        _start_again(prepared)
    if current_app.config["DOCUMENT_PREPARATION"] == "inline":
        db.session.refresh(prepared)
    return prepared


def _by_fingerprint(key: str) -> PreparedDocument | None:
    return db.session.scalar(sa.select(PreparedDocument).where(PreparedDocument.fingerprint == key))


def _latest_of(subject: str) -> PreparedDocument | None:
    query = (
        sa.select(PreparedDocument)
        .where(PreparedDocument.subject == subject)
        .order_by(PreparedDocument.requested_at.desc(), PreparedDocument.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(query)


def _stalled(prepared: PreparedDocument) -> bool:
    now = utcnow()
    if prepared.state is PreparationState.WAITING:
        return prepared.requested_at < now - _LOST_AFTER
    if prepared.state is PreparationState.RENDERING and prepared.started_at is not None:
        limit = timedelta(seconds=current_app.config["PDF_TIME_LIMIT_SECONDS"])
        return prepared.started_at < now - limit - _GRACE
    return False


def _start_again(prepared: PreparedDocument) -> None:
    """Start a rendering whose renderer was lost, or give up after MAX_ATTEMPTS."""
    if prepared.attempts >= MAX_ATTEMPTS:
        prepared.state = PreparationState.FAILED
        prepared.failure = f"the renderer stopped without an answer {prepared.attempts} times"
        db.session.commit()
        return
    prepared.state = PreparationState.WAITING
    prepared.requested_at = utcnow()  # the next request waits its turn again before retrying
    db.session.commit()
    _start(prepared.id)


def _is_staff() -> bool:
    return getattr(current_user, "role", None) in ALL_STAFF


# --- the renderer ----------------------------------------------------------------------------


def prepare(document_id: int) -> PreparationState | None:
    """Render the waiting document `document_id` and store the outcome; None when there is
    nothing to do (it is gone, or another renderer has taken it). Runs in an app context: in a
    renderer thread, a Celery task or (inline) the request."""
    if not _claim(document_id):
        return None
    prepared = db.session.get(PreparedDocument, document_id)
    if prepared is None:
        return None
    html = prepared.html
    options = {
        "extra_asset_files": {name: Path(path) for name, path in prepared.asset_files.items()},
        "archival": prepared.archival,
        "attachments": _attachments_of(prepared),
    }
    db.session.commit()  # no transaction stays open while the renderer works
    limit = float(current_app.config["PDF_TIME_LIMIT_SECONDS"])
    try:
        if current_app.config["DOCUMENT_PREPARATION"] == "inline":
            # In the process itself: no child to start, and no time limit (tests, scripts).
            pdf = render_pdf(html, **options)
        else:
            pdf = render_pdf_within(limit, html, **options)
    except RenderingTimedOut as error:
        return _finish(document_id, failure=str(error), timed_out=True)
    except PdfRenderingError as error:
        return _finish(document_id, failure=str(error) or type(error).__name__)
    return _finish(document_id, pdf=pdf)


def record_time_out(document_id: int) -> PreparationState | None:
    """Record that the rendering ran out of time where the renderer itself was stopped (a
    Celery task's time limit)."""
    limit = current_app.config["PDF_TIME_LIMIT_SECONDS"]
    failure = f"the rendering took longer than {limit:g} seconds"
    return _finish(document_id, failure=failure, timed_out=True)


def _claim(document_id: int) -> bool:
    """Take the waiting document for this renderer; False when another has it already."""
    taken = db.session.execute(
        sa.update(PreparedDocument)
        .where(
            PreparedDocument.id == document_id,
            PreparedDocument.state == PreparationState.WAITING,
        )
        .values(
            state=PreparationState.RENDERING,
            started_at=utcnow(),
            attempts=PreparedDocument.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return taken.rowcount == 1


def _finish(
    document_id: int, *, pdf: bytes | None = None, failure: str = "", timed_out: bool = False
) -> PreparationState | None:
    prepared = db.session.get(PreparedDocument, document_id, populate_existing=True)
    if prepared is None or prepared.state is not PreparationState.RENDERING:
        db.session.rollback()
        return None
    prepared.finished_at = utcnow()
    if pdf is None:
        prepared.state = PreparationState.FAILED
        prepared.failure = failure
        prepared.timed_out = timed_out
        log.warning("Rendering %s failed: %s", prepared.subject, failure)
    else:
        prepared.state = PreparationState.READY
        prepared.pdf = pdf
        # Kept only until the PDF is; the fingerprint still names them.
        prepared.html, prepared.attachments = "", []
        _drop_older_renderings_of(prepared)
        if _stored_by_its_owner(prepared):
            db.session.delete(prepared)
    state = prepared.state
    db.session.commit()
    return state


def _stored_by_its_owner(prepared: PreparedDocument) -> bool:
    """Whether a receiver of `document_prepared` took the PDF into its own keeping."""
    answers = signals.document_prepared.send(prepared)
    return any(taken for _receiver, taken in answers)


def _drop_older_renderings_of(prepared: PreparedDocument) -> None:
    db.session.execute(
        sa.delete(PreparedDocument)
        .where(
            PreparedDocument.subject == prepared.subject,
            PreparedDocument.id != prepared.id,
            PreparedDocument.requested_at <= prepared.requested_at,
            PreparedDocument.state.in_([PreparationState.READY, PreparationState.FAILED]),
        )
        .execution_options(synchronize_session=False)
    )


# --- where renderings run --------------------------------------------------------------------


def init_app(app: Flask, start_preparation: Starter | None = None) -> None:
    """Give `app` its way of starting a rendering: `start_preparation` (a broker's task, see
    `create_app`), or per DOCUMENT_PREPARATION this process's renderer threads or the request
    itself."""
    if start_preparation is None:
        inline = app.config["DOCUMENT_PREPARATION"] == "inline"
        start_preparation = prepare_inline if inline else prepare_in_thread
    app.extensions[_START_PREPARATION] = start_preparation


def _start(document_id: int) -> None:
    app = current_app._get_current_object()
    app.extensions[_START_PREPARATION](app, document_id)


def _start_asked_after_commit(session: Session) -> None:
    """Start the renderings asked for (`ask_for`) in a transaction that has committed."""
    if session.in_nested_transaction():
        return  # a savepoint released (the hook hears those too): the transaction goes on
    asked = session.info.pop(_ASKED, None)
    if not asked or not has_app_context():
        return
    app = current_app._get_current_object()
    start_preparation = app.extensions[_START_PREPARATION]
    if start_preparation is not prepare_inline:
        for document_id in asked:
            start_preparation(app, document_id)
        return
    # Inline, but SQL cannot run inside the after-commit hook: the renderings get a thread
    # (and a session) of their own, and the committer waits for them.
    thread = threading.Thread(
        target=_prepare_all_in_thread, args=(app, asked), name="pdf-renderer-inline"
    )
    thread.start()
    thread.join()


def _forget_asked_after_rollback(session: Session, previous: SessionTransaction) -> None:
    # A savepoint rolled back leaves the outer transaction's documents asked for (one whose
    # row went with the savepoint finds nothing to claim).
    if not previous.nested:
        session.info.pop(_ASKED, None)


sa.event.listen(Session, "after_commit", _start_asked_after_commit)
sa.event.listen(Session, "after_soft_rollback", _forget_asked_after_rollback)


def prepare_inline(app: Flask, document_id: int) -> None:
    prepare(document_id)


def prepare_in_thread(app: Flask, document_id: int) -> None:
    """Render in one of this process's renderer threads (PDF_RENDERERS of them, so that many
    documents asked for at once queue rather than each take a core)."""
    renderers = app.extensions.get(_RENDERERS)
    if renderers is None:
        renderers = ThreadPoolExecutor(
            max_workers=int(app.config["PDF_RENDERERS"]), thread_name_prefix="pdf-renderer"
        )
        app.extensions[_RENDERERS] = renderers
    renderers.submit(_prepare_in_thread, app, document_id)


def stop_renderers(app: Flask) -> None:
    """Let this process's renderer threads finish what they have, then end them (a process
    shutting down, a test that is over)."""
    renderers = app.extensions.pop(_RENDERERS, None)
    if renderers is not None:
        renderers.shutdown(wait=True)


def _prepare_in_thread(app: Flask, document_id: int) -> None:
    _prepare_all_in_thread(app, [document_id])


def _prepare_all_in_thread(app: Flask, document_ids: Sequence[int]) -> None:
    with app.app_context():
        for document_id in document_ids:
            try:
                prepare(document_id)
            except Exception:  # the next request notices the stalled rendering and restarts it
                db.session.rollback()
                log.exception("Preparing document %s failed", document_id)
