"""The secretariat's downloads: every session's minutes, version PDFs and Word documents, a
year's ZIP."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from eventsys.access import ALL_STAFF, roles_required
from eventsys.database import utcnow
from eventsys.documents import preparation
from eventsys.documents.word import docx_response
from eventsys.i18n import current_language
from eventsys.minutes import approved_pdf, archive, document, snapshot, word, workflow
from eventsys.minutes.views import blueprint
from eventsys.minutes.views.lookup import minutes_of_session_or_404
from eventsys.minutes.workflow_forms import ArchiveFilterForm
from eventsys.pdf import PdfRenderingError
from eventsys.sessions.queries import session_years


@blueprint.route("/")
@roles_required(*ALL_STAFF)
def archive_list():
    filters = ArchiveFilterForm(formdata=request.args, years=session_years(begun_by=utcnow()))
    year, kind = filters.criteria()
    return render_template(
        "minutes/archive.html",
        filters=filters,
        rows=archive.archive_rows(year, kind),
        year=year,
    )


@blueprint.route("/session/<int:session_id>/versions/<int:version_number>.pdf")
@roles_required(*ALL_STAFF)
def version_pdf(session_id: int, version_number: int):
    """An approved version exactly as it was stored when it was approved; while its PDF is
    being prepared, the page that waits for it."""
    minutes = minutes_of_session_or_404(session_id)
    version = workflow.version(minutes, version_number)
    if version is None:
        abort(404)
    back_url = url_for("minutes.edit", session_id=session_id) + "#workflow"
    return approved_pdf.pdf_or_page(version, back_url=back_url)


@blueprint.route("/session/<int:session_id>/draft.pdf")
@roles_required(*ALL_STAFF)
def draft_pdf(session_id: int):
    """The working copy as it is now, marked as a draft."""
    minutes = minutes_of_session_or_404(session_id)
    try:
        draft = document.draft_document(
            snapshot.take(minutes), session_id=session_id, language=current_language()
        )
    except PdfRenderingError as error:
        return render_template("minutes/pdf_failed.html", minutes=minutes, reason=str(error)), 422
    return preparation.respond(draft, back_url=url_for("minutes.edit", session_id=session_id))


@blueprint.route("/session/<int:session_id>/versions/<int:version_number>.docx")
@roles_required(*ALL_STAFF)
def version_docx(session_id: int, version_number: int):
    """An approved version as a Word document, from the snapshot stored at approval and in the
    language its PDF was made in."""
    minutes = minutes_of_session_or_404(session_id)
    version = workflow.version(minutes, version_number)
    if version is None:
        abort(404)
    try:
        data = word.minutes_docx(
            version.content,
            language=current_app.config["BABEL_DEFAULT_LOCALE"],  # as `workflow.approve`'s PDF
            approval=approved_pdf.approval_of(version),
        )
    except PdfRenderingError as error:
        return _word_failed(session_id, error)
    return docx_response(data, word.minutes_docx_filename(version.content, version.number))


@blueprint.route("/session/<int:session_id>/draft.docx")
@roles_required(*ALL_STAFF)
def draft_docx(session_id: int):
    """The working copy as it is now as a Word document, marked as a draft, in the language
    the draft's PDF is in."""
    minutes = minutes_of_session_or_404(session_id)
    content = snapshot.take(minutes)
    try:
        data = word.minutes_docx(content, language=current_language(), approval=None)
    except PdfRenderingError as error:
        return _word_failed(session_id, error)
    return docx_response(data, word.minutes_docx_filename(content, None))


def _word_failed(session_id: int, error: PdfRenderingError) -> Response:
    flash(_("The Word document could not be produced: %(reason)s", reason=error), "error")
    return redirect(url_for("minutes.edit", session_id=session_id) + "#workflow")


@blueprint.route("/<int:year>.zip")
@roles_required(*ALL_STAFF)
def year_zip(year: int):
    if not 1900 <= year <= 9999:
        abort(404)
    zipped = archive.year_zip(year)
    if zipped.count == 0:
        return render_template("minutes/year_empty.html", year=year), 404
    if zipped.missing and request.args.get("incomplete") != "1":
        # Filed without noticing, a ZIP without them would look complete: say so first.
        return render_template("minutes/year_incomplete.html", year=year, zipped=zipped)
    # Streamed: a year of PDFs never sits in memory at once.
    response = Response(zipped.chunks(), mimetype="application/zip")
    filename = _("Minutes-%(year)d.zip", year=year)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
