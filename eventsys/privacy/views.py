"""Admins answer a request for access (Art. 15 GDPR): what is held about an expert, on a page,
as JSON and as PDF. Each export is written to the audit trail."""

import json

from flask import Blueprint, Response, render_template

from eventsys.access import roles_required
from eventsys.audit import services as audit
from eventsys.database import utcnow
from eventsys.documents.downloads import ascii_slug, pdf_response
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.privacy import export
from eventsys.privacy.document import export_pdf
from eventsys.privacy.readable import readable_sections
from eventsys.roles import Role

blueprint = Blueprint("privacy", __name__, url_prefix="/experts/<int:expert_id>/privacy")


@blueprint.route("/")
@roles_required(Role.ADMIN)
def overview(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    data = export.expert_export(expert, utcnow())
    return render_template(
        "privacy/overview.html", expert=expert, data=data, sections=readable_sections(data)
    )


@blueprint.route("/export.json")
@roles_required(Role.ADMIN)
def export_json(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    data = export.expert_export(expert, utcnow())
    _record_export(expert, "JSON")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_stem(expert)}.json"'
    return response


@blueprint.route("/export.pdf")
@roles_required(Role.ADMIN)
def export_as_pdf(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    exported_at = utcnow()
    data = export.expert_export(expert, exported_at)
    pdf = export_pdf(data, _full_name(expert), exported_at, current_language())
    _record_export(expert, "PDF")
    return pdf_response(pdf, f"{_file_stem(expert)}.pdf")


def _record_export(expert: Expert, form: str) -> None:
    audit.record("privacy.exported", expert, f"data of {expert.email} exported as {form}")
    db.session.commit()


def _full_name(expert: Expert) -> str:
    return " ".join(part for part in (expert.title, expert.first_name, expert.last_name) if part)


def _file_stem(expert: Expert) -> str:
    return "Auskunft-" + (ascii_slug(f"{expert.first_name} {expert.last_name}") or str(expert.id))
