"""What changed between two texts of a charter: in the browser, as a PDF redline and as a Word
document with tracked changes.

`?from=0.1&to=0.2` names two versions; `to=draft` the working text. A malformed choice is a
422 with the comparison form; a version that does not exist is a 404.
"""

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.access import ALL_STAFF, roles_required
from eventsys.charters import content, diff, document, versions, word
from eventsys.charters.models import Charter, CharterVersion
from eventsys.charters.version_forms import WORKING_TEXT, CompareForm
from eventsys.charters.views import blueprint
from eventsys.documents import preparation
from eventsys.documents.word import docx_response
from eventsys.extensions import db
from eventsys.pdf import PdfRenderingError


@dataclass
class Comparison:
    """The two texts the query string chose, and what changed between them."""

    old: CharterVersion
    new: CharterVersion | None  # None: the working text
    new_content: dict[str, Any]
    changes: diff.CharterDiff
    language: str

    @property
    def query(self) -> dict[str, str]:
        """The query string that names this comparison."""
        return {
            "from": self.old.label,
            "to": self.new.label if self.new is not None else WORKING_TEXT,
            "language": self.language,
        }

    def page_url(self, charter: Charter) -> str:
        return url_for("charters.diff", charter_id=charter.id, **self.query)


# The endpoint is "charters.diff"; the function has another name because the module of
# services is called `diff`.
@blueprint.route("/<int:charter_id>/diff", endpoint="diff")
@roles_required(*ALL_STAFF)
def diff_page(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    form, comparison = _comparison(charter)
    if comparison is None:
        return render_template(
            "charters/diff.html", charter=charter, form=form, comparison=None
        ), 422
    return render_template("charters/diff.html", charter=charter, form=form, comparison=comparison)


@blueprint.route("/<int:charter_id>/diff.pdf")
@roles_required(*ALL_STAFF)
def diff_pdf(charter_id: int):
    charter = db.get_or_404(Charter, charter_id)
    form, comparison = _comparison(charter)
    if comparison is None:
        return render_template(
            "charters/diff.html", charter=charter, form=form, comparison=None
        ), 422
    new_label = comparison.new.label if comparison.new else "draft"
    subject = f"charter-redline:{charter.id}:{comparison.old.label}:{new_label}"
    try:
        redline = document.redline_document(
            comparison.changes,
            comparison.new_content,
            subject=f"{subject}:{comparison.language}",
            language=comparison.language,
        )
    except PdfRenderingError as error:
        flash(_("The PDF could not be produced: %(reason)s", reason=error), "error")
        return redirect(comparison.page_url(charter))
    return preparation.respond(redline, back_url=comparison.page_url(charter))


@blueprint.route("/<int:charter_id>/diff.docx")
@roles_required(*ALL_STAFF)
def diff_docx(charter_id: int):
    """The redline as a Word document whose changes are tracked changes by the person who
    downloads it, to accept or reject one by one."""
    charter = db.get_or_404(Charter, charter_id)
    form, comparison = _comparison(charter)
    if comparison is None:
        return render_template(
            "charters/diff.html", charter=charter, form=form, comparison=None
        ), 422
    data = word.redline_docx(
        comparison.changes,
        comparison.new_content,
        language=comparison.language,
        author=current_user.name or current_app.config["PLATFORM_NAME"],
    )
    filename = word.redline_docx_filename(
        comparison.new_content,
        comparison.old.label,
        comparison.new.label if comparison.new is not None else None,
    )
    return docx_response(data, filename)


def _comparison(charter: Charter) -> tuple[CompareForm, Comparison | None]:
    """The form read from the query string and, when it names two texts, their comparison.
    Aborts with 404 when there is no version, or a label names a version that does not exist."""
    all_versions = versions.versions_of(charter)
    if not all_versions:
        abort(404)
    form = CompareForm(formdata=request.args, versions=all_versions)
    if not form.validate():
        if form.unknown_version_asked_for():
            abort(404)
        return form, None
    by_label = {version.label: version for version in all_versions}
    old = by_label[form.old.data]
    new = None if form.new.data == WORKING_TEXT else by_label[form.new.data]
    new_content = new.content if new is not None else content.working_text(charter)
    comparison = Comparison(
        old=old,
        new=new,
        new_content=new_content,
        changes=diff.compare(old.content, new_content),
        language=form.language.data,
    )
    return form, comparison
