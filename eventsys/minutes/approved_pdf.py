"""The archival PDF of an approved version: asked for at approval, rendered after the commit,
stored with the version.

`workflow.approve` stores the version's snapshot and, in the same transaction, asks
`eventsys.documents.preparation` for its PDF, giving it the HTML made then from the snapshot and
the approval (who, when, why): what the PDF says is fixed at approval, whatever happens to the
working copy afterwards. The renderer starts once the approval has committed (a thread, a child
process, a Celery worker, or at once in tests). When it has rendered, `store_rendered_pdf` writes
the PDF and its SHA-256 into the version, the one write the database lets a version have (see
`eventsys.minutes.freezing`), and records the checksum in the audit trail.

Until then whoever asks for the PDF (`pdf_or_page`) gets the page that says it is being prepared
and checks back by itself, or, if the rendering failed, the page that says so, where staff may
try again.
"""

import hashlib
import logging

import sqlalchemy as sa
from flask import Response, abort, current_app

from eventsys import signals
from eventsys.audit import services as audit
from eventsys.documents import preparation
from eventsys.documents.downloads import pdf_response
from eventsys.documents.models import PreparationState, PreparedDocument
from eventsys.extensions import db
from eventsys.minutes import document
from eventsys.minutes.models import Minutes, MinutesVersion
from eventsys.pdf import PdfRenderingError

log = logging.getLogger(__name__)

# The audit trail's name for the renderer, when nobody signed in asked for the rendering.
RENDERER = "document preparation"


def approval_of(version: MinutesVersion) -> document.Approval:
    """The approval as the stored version records it."""
    approver = version.approved_by.name if version.approved_by is not None else ""
    return document.Approval(version.number, version.approved_at, approver, version.reason)


def stored(version: MinutesVersion) -> bool:
    return version.pdf_sha256 is not None


def pdf_or_page(
    version: MinutesVersion, *, back_url: str | None = None, inline: bool = False
) -> Response:
    """The version's stored PDF; while there is none, the page that says it is being prepared
    (202) or that it could not be produced (422)."""
    filename = document.minutes_filename(version.content, version.number)
    if not stored(version):
        page = _page_while_rendering(version, filename, back_url, inline)
        if page is not None:
            return page
    return pdf_response(version.pdf, filename, inline=inline, etag=version.pdf_sha256)


def _page_while_rendering(
    version: MinutesVersion, filename: str, back_url: str | None, inline: bool
) -> Response | None:
    subject = document.approved_subject(version.minutes_id, version.number)
    page = preparation.respond_for_subject(subject, filename, inline=inline, back_url=back_url)
    if page is None and not _stored_now(version):
        # Nothing is under way (a failed rendering deleted after its retention period): the
        # rendering is asked for anew, from what the version stores.
        try:
            ask_again(version)
        except PdfRenderingError:
            log.exception("No HTML for minutes version %s", version.id)
            abort(422)
        db.session.commit()
        if not _stored_now(version):  # (inline, it is stored already)
            page = preparation.respond_for_subject(
                subject, filename, inline=inline, back_url=back_url
            )
    return page


def _stored_now(version: MinutesVersion) -> bool:
    db.session.refresh(version, ["pdf_sha256"])
    return stored(version)


def ask_again(version: MinutesVersion) -> PreparedDocument:
    """Ask for the PDF of a version that has none and whose rendering is gone, made from the
    stored snapshot and approval. Raises PdfRenderingError when its HTML cannot be made."""
    approved = document.approved_document(
        version.content,
        minutes_id=version.minutes_id,
        approval=approval_of(version),
        language=current_app.config["BABEL_DEFAULT_LOCALE"],
    )
    return preparation.ask_for(approved)


def renderings(versions: list[MinutesVersion]) -> dict[int, PreparedDocument | None]:
    """For each of `versions` whose PDF is not stored yet, by the version's id, the rendering
    under way or failed (None when there is none), in one query; {} when all are stored."""
    subjects = {
        version.id: document.approved_subject(version.minutes_id, version.number)
        for version in versions
        if not stored(version)
    }
    found = preparation.latest_for_subjects(list(subjects.values()))
    return {version_id: found.get(subject) for version_id, subject in subjects.items()}


def failed(rendering: PreparedDocument | None) -> bool:
    return rendering is not None and rendering.state is PreparationState.FAILED


@signals.document_prepared.connect
def store_rendered_pdf(prepared: PreparedDocument, **extra) -> bool:
    """Write a rendered approved version's PDF and its SHA-256 into the version, once, and
    record it; True when the PDF is an approved version's (kept there, not as a prepared
    document). A version that has its PDF already keeps it."""
    version = document.approved_version_of(prepared.subject)
    if version is None or prepared.pdf is None:
        return False
    minutes_id, number = version
    checksum = hashlib.sha256(prepared.pdf).hexdigest()
    written = db.session.execute(
        sa.update(MinutesVersion)
        .where(
            MinutesVersion.minutes_id == minutes_id,
            MinutesVersion.number == number,
            MinutesVersion.pdf.is_(None),
        )
        .values(pdf=prepared.pdf, pdf_sha256=checksum)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount == 1:
        minutes = db.session.get(Minutes, minutes_id)
        with audit.acting_as(RENDERER):
            audit.record(
                "minutes.pdf_stored",
                minutes,
                f"PDF of version {number} stored; SHA-256 {checksum}",
            )
    return True
