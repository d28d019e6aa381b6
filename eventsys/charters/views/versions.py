"""Frozen versions of a charter: the list, one version's text, freezing, adopting, and the PDFs
and Word documents of a version and of the working text."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.access import ALL_STAFF, PLANNERS, roles_required
from eventsys.charters import content, document, text_pages, versions, word
from eventsys.charters.errors import CharterError
from eventsys.charters.models import Charter, CharterVersion
from eventsys.charters.version_forms import AdoptForm, CompareForm, FreezeForm
from eventsys.charters.views import blueprint
from eventsys.documents import preparation
from eventsys.documents.word import docx_response
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.outbox import confirmation
from eventsys.pdf import PdfRenderingError
from eventsys.query_arguments import page_number


@blueprint.app_template_global("freeze_form")
def freeze_form(charter: Charter) -> FreezeForm:
    """The form that freezes `charter`'s working text, offering the next minor version and a
    release; templates/charters/_freeze_form.html builds it wherever it is included (the draft
    page)."""
    return FreezeForm(
        formdata=None,
        minor_label=versions.next_label(charter),
        release_label=versions.next_label(charter, release=True),
    )


# The endpoint is "charters.versions"; the function has another name because the module of
# services is called `versions`.
@blueprint.route("/<int:charter_id>/versions", endpoint="versions")
@roles_required(*ALL_STAFF)
def list_versions(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    all_versions = versions.versions_of(charter)
    return render_template(
        "charters/versions.html",
        charter=charter,
        versions=all_versions,
        recommendation_counts=versions.recommendation_counts(charter),
        compare_form=CompareForm(formdata=None, versions=all_versions),
    )


@blueprint.route("/<int:charter_id>/versions/<int:major>.<int:minor>")
@roles_required(*ALL_STAFF)
def version(charter_id: int, major: int, minor: int):
    found = versions.version_or_404(charter_id, major, minor)
    text_page = text_pages.version_page(found.content, page_number(request.args))
    return render_template(
        "charters/version.html",
        charter=found.charter,
        version=found,
        text_page=text_page,
        text=text_page.text,
        previous=versions.previous_version(found),
        last_comment_day=versions.last_comment_day(found),
        language=current_language(),
        adopt_form=AdoptForm(formdata=None),
        may_adopt=current_user.role in versions.ADOPTERS,
    )


@blueprint.route("/<int:charter_id>/versions/freeze", methods=["POST"])
@roles_required(*ALL_STAFF)
def freeze(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    form = FreezeForm(
        minor_label=versions.next_label(charter),
        release_label=versions.next_label(charter, release=True),
    )
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return _back_to_draft(charter)
    label = versions.next_label(charter, release=form.release)
    if not confirmation.confirmed():
        # A rehearsal first, so that a text that cannot be frozen says why at once.
        rehearsal = db.session.begin_nested()
        try:
            versions.freeze(charter, current_user, release=form.release, note=form.note.data or "")
        except CharterError as error:
            rehearsal.rollback()
            db.session.rollback()
            flash(str(error), "error")
            return _back_to_draft(charter)
        rehearsal.rollback()
    page = confirmation.ask_once(
        heading=_("Freeze version %(label)s", label=label),
        notes=[
            _(
                "Version %(label)s keeps the working text as it is now; its text can no longer "
                "be changed, and the working text goes on.",
                label=label,
            ),
            _("Nobody gets mail: a consultation on the version is started on its own page."),
        ],
        confirm_label=_("Freeze version %(label)s", label=label),
        back_url=url_for("charters.draft", charter_id=charter.id),
    )
    if page is not None:
        return page
    try:
        frozen = versions.freeze(
            charter, current_user, release=form.release, note=form.note.data or ""
        )
    except CharterError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back_to_draft(charter)
    db.session.commit()
    flash(
        _(
            "Version %(label)s is frozen with %(count)d recommendations.",
            label=frozen.label,
            count=len(frozen.clauses),
        ),
        "success",
    )
    return redirect(_version_url(frozen))


@blueprint.route("/<int:charter_id>/versions/<int:major>.<int:minor>/adopt", methods=["POST"])
@roles_required(*PLANNERS)
def adopt(charter_id: int, major: int, minor: int):
    found = versions.version_or_404(charter_id, major, minor)
    form = AdoptForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        versions.adopt(found, current_user)
    except CharterError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(_version_url(found))
    db.session.commit()
    flash(_("Version %(label)s is adopted.", label=found.label), "success")
    return redirect(_version_url(found))


@blueprint.route("/<int:charter_id>/versions/<int:major>.<int:minor>.pdf")
@roles_required(*ALL_STAFF)
def version_pdf(charter_id: int, major: int, minor: int):
    found = versions.version_or_404(charter_id, major, minor)
    language = _document_language()
    try:
        text = document.charter_document(
            found.content,
            subject=f"charter-version:{found.id}:{language}",
            language=language,
            state_label=found.state.lazy_label,
            frozen_at=found.frozen_at,
        )
    except PdfRenderingError as error:
        flash(_("The PDF could not be produced: %(reason)s", reason=error), "error")
        return redirect(_version_url(found))
    return preparation.respond(text, back_url=_version_url(found))


@blueprint.route("/<int:charter_id>/draft.pdf")
@roles_required(*ALL_STAFF)
def draft_pdf(charter_id: int):
    """The working text as it stands now, with the draft watermark."""
    charter = db.get_or_404(Charter, charter_id)
    language = _document_language()
    text = content.working_text(charter)
    try:
        working_text = document.charter_document(
            text,
            subject=f"charter-draft:{charter.id}:{language}",
            language=language,
            state_label=document.WORKING_TEXT_LABEL,
        )
    except PdfRenderingError as error:
        flash(_("The PDF could not be produced: %(reason)s", reason=error), "error")
        return _back_to_draft(charter)
    return preparation.respond(
        working_text, back_url=url_for("charters.draft", charter_id=charter.id)
    )


@blueprint.route("/<int:charter_id>/versions/<int:major>.<int:minor>.docx")
@roles_required(*ALL_STAFF)
def version_docx(charter_id: int, major: int, minor: int):
    """A version as a Word document, in the language `?language=` asks for (as the PDF)."""
    found = versions.version_or_404(charter_id, major, minor)
    language = _document_language()
    try:
        data = word.charter_docx(
            found.content,
            language=language,
            state_label=found.state.lazy_label,
            frozen_at=found.frozen_at,
        )
    except PdfRenderingError as error:
        flash(_("The Word document could not be produced: %(reason)s", reason=error), "error")
        return redirect(_version_url(found))
    return docx_response(data, word.charter_docx_filename(found.content, language))


@blueprint.route("/<int:charter_id>/draft.docx")
@roles_required(*ALL_STAFF)
def draft_docx(charter_id: int):
    """The working text as it stands now as a Word document, marked as a draft."""
    charter = db.get_or_404(Charter, charter_id)
    language = _document_language()
    text = content.working_text(charter)
    try:
        data = word.charter_docx(text, language=language, state_label=document.WORKING_TEXT_LABEL)
    except PdfRenderingError as error:
        flash(_("The Word document could not be produced: %(reason)s", reason=error), "error")
        return _back_to_draft(charter)
    return docx_response(data, word.charter_docx_filename(text, language))


def _document_language() -> str:
    """The PDF's language from `?language=` (de, en or both); the page's language without it.
    Any other value names no document."""
    language = request.args.get("language") or current_language()
    if language not in document.LANGUAGES:
        abort(404)
    return language


def _version_url(version: CharterVersion) -> str:
    return url_for(
        "charters.version",
        charter_id=version.charter_id,
        major=version.major,
        minor=version.minor,
    )


def _back_to_draft(charter: Charter):
    return redirect(url_for("charters.draft", charter_id=charter.id) + "#freeze")
