"""Staff ask for another try at a PDF whose rendering failed."""

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField

from eventsys.access import ALL_STAFF, roles_required
from eventsys.documents import preparation
from eventsys.documents.models import PreparedDocument
from eventsys.extensions import db
from eventsys.validation import local_path

blueprint = Blueprint("documents", __name__, url_prefix="/documents")


class RetryForm(FlaskForm):
    """The failed document's own address, to go back to once the new try has started."""

    back_to = HiddenField()


@blueprint.route("/<int:document_id>/retry", methods=["POST"])
@roles_required(*ALL_STAFF)
def retry(document_id: int):
    prepared = db.get_or_404(PreparedDocument, document_id)
    form = RetryForm()
    if not form.validate_on_submit():
        abort(400)
    if preparation.retry(prepared):
        flash(_("The PDF is being prepared again."), "success")
    return redirect(local_path(form.back_to.data) or url_for("dashboard.index"))
