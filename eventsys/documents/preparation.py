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
"""

import dataclasses
import hashlib
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask, Response, current_app, render_template
from flask_babel import format_decimal
from flask_login import current_user

from eventsys.access import ALL_STAFF
from eventsys.database import utcnow
from eventsys.documents.downloads import pdf_response
from eventsys.documents.models import PreparationState, PreparedDocument
from eventsys.extensions import db
from eventsys.pdf import PdfRenderingError, render_pdf
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


def respond(document: DocumentRequest, *, back_url: str | None = None) -> Response:
    """The PDF when it is ready; otherwise the page that says it is being prepared (202) or
    that it failed (422), with a link to `back_url` when given."""
    prepared = _find_or_ask_for(document)
    if prepared.state is PreparationState.READY:
        assert prepared.pdf is not None
        return pdf_response(
            prepared.pdf, document.filename, inline=document.inline, etag=prepared.fingerprint
        )
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


def fingerprint(html: str, asset_files: Mapping[str, Path]) -> str:
    """What names a rendering: the HTML, and each asset file with its size and time (a logo
    replaced under the same name is a new document)."""
    digest = hashlib.sha256(html.encode("utf-8", "surrogatepass"))
    for name, path in sorted(asset_files.items()):
        try:
            facts = path.stat()
            digest.update(f"\0{name}\0{path}\0{facts.st_size}\0{facts.st_mtime_ns}".encode())
        except OSError:
            digest.update(f"\0{name}\0{path}\0missing".encode())
    return digest.hexdigest()


def _find_or_ask_for(document: DocumentRequest) -> PreparedDocument:
    key = fingerprint(document.html, document.asset_files)
    prepared = _by_fingerprint(key)
    if prepared is None:
        prepared = PreparedDocument(
            fingerprint=key,
            subject=document.subject[:200],
            html=document.html,
            asset_files={name: str(path) for name, path in document.asset_files.items()},
        )
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
    asset_files = {name: Path(path) for name, path in prepared.asset_files.items()}
    db.session.commit()  # no transaction stays open while the renderer works
    limit = float(current_app.config["PDF_TIME_LIMIT_SECONDS"])
    try:
        if current_app.config["DOCUMENT_PREPARATION"] == "inline":
            # In the process itself: no child to start, and no time limit (tests, scripts).
            pdf = render_pdf(html, extra_asset_files=asset_files)
        else:
            pdf = render_pdf_within(limit, html, extra_asset_files=asset_files)
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
        prepared.html = ""  # kept only until the PDF is; the fingerprint still names it
        _drop_older_renderings_of(prepared)
    db.session.commit()
    return prepared.state


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
    with app.app_context():
        try:
            prepare(document_id)
        except Exception:  # the next request notices the stalled rendering and starts it again
            log.exception("Preparing document %s failed", document_id)
