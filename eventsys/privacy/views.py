"""Admins answer a request for access (Art. 15 GDPR): what is held about an expert, on a page,
as JSON and as PDF, each export written to the audit trail; and erase it (Art. 17)."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from eventsys.access import roles_required
from eventsys.audit import services as audit
from eventsys.database import utcnow
from eventsys.documents.downloads import ascii_slug, pdf_response
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.pdf import PdfRenderingError
from eventsys.privacy import erasure, export, retention
from eventsys.privacy.document import export_pdf
from eventsys.privacy.forms import ErasureForm
from eventsys.privacy.readable import readable_sections
from eventsys.roles import Role

blueprint = Blueprint("privacy", __name__)
PERSON = "/experts/<int:expert_id>/privacy"


@blueprint.route(f"{PERSON}/")
@roles_required(Role.ADMIN)
def overview(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    data = export.expert_export(expert, utcnow())
    return render_template(
        "privacy/overview.html", expert=expert, data=data, sections=readable_sections(data)
    )


@blueprint.route(f"{PERSON}/export.json")
@roles_required(Role.ADMIN)
def export_json(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    data = export.expert_export(expert, utcnow())
    _record_export(expert, "JSON")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_stem(expert)}.json"'
    return response


@blueprint.route(f"{PERSON}/export.pdf")
@roles_required(Role.ADMIN)
def export_as_pdf(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    exported_at = utcnow()
    data = export.expert_export(expert, exported_at)
    try:
        pdf = export_pdf(data, expert.full_name, exported_at, current_language())
    except PdfRenderingError:
        flash(_("The PDF could not be produced. The export as JSON holds the same data."), "error")
        return redirect(url_for("privacy.overview", expert_id=expert.id))
    _record_export(expert, "PDF")
    return pdf_response(pdf, f"{_file_stem(expert)}.pdf")


@blueprint.route(f"{PERSON}/erase", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def erase(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    if erasure.is_erased(expert):
        flash(_("This entry has been erased already."), "error")
        return redirect(url_for("experts.show_expert", expert_id=expert.id))
    form = ErasureForm()
    if form.validate_on_submit():
        report = erasure.erase_expert(expert)
        db.session.commit()
        flash(
            _(
                "The personal data has been erased: %(sent)d mails sent, %(received)d mails "
                "received and %(comments)d comments deleted, the directory entry made anonymous.",
                sent=report.mails_sent_deleted,
                received=report.mails_received_deleted,
                comments=report.comments_deleted,
            ),
            "success",
        )
        return redirect(url_for("experts.show_expert", expert_id=expert.id))
    return render_template(
        "privacy/erase.html", expert=expert, form=form, kept=export.kept_records(expert)
    )


@blueprint.route("/admin/retention")
@roles_required(Role.ADMIN)
def retention_overview():
    return render_template("privacy/retention.html", statuses=retention.retention_status())


def _record_export(expert: Expert, form: str) -> None:
    audit.record("privacy.exported", expert, f"data of {expert.email} exported as {form}")
    db.session.commit()


def _file_stem(expert: Expert) -> str:
    return "Auskunft-" + (ascii_slug(f"{expert.first_name} {expert.last_name}") or str(expert.id))
