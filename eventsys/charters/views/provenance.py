"""Provenance pages: from a clause back to its sessions and minutes, and from a session forward
to the charters its recommendations reached."""

from datetime import datetime

from flask import abort, render_template

from eventsys.access import ALL_STAFF, roles_required
from eventsys.charters import provenance
from eventsys.charters.models import Charter, Clause
from eventsys.charters.views import blueprint
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.sessions.models import Session


@blueprint.route("/<int:charter_id>/clauses/<int:clause_id>/provenance")
@roles_required(*ALL_STAFF)
def clause_provenance(charter_id: int, clause_id: int):
    charter = db.get_or_404(Charter, charter_id)
    clause = db.get_or_404(Clause, clause_id)
    if clause.charter_id != charter.id:
        abort(404)
    return render_template(
        "charters/provenance_clause.html",
        charter=charter,
        trail=provenance.clause_trail(clause),
        language=current_language(),
    )


@blueprint.route("/sessions/<int:session_id>")
@roles_required(*ALL_STAFF)
def session_provenance(session_id: int):
    session = db.get_or_404(Session, session_id)
    return render_template(
        "charters/provenance_session.html",
        trail=provenance.session_trail(session),
        language=current_language(),
    )


@blueprint.app_template_filter("from_iso")
def from_iso(value: str | datetime) -> datetime:
    """An ISO 8601 time as stored in a charter's content, for the |date and |datetime
    filters (e.g. an origin's "session_starts_at"); a datetime passes unchanged."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


@blueprint.app_context_processor
def provenance_helpers():
    """What the session page needs to offer the link to this session's charter provenance."""
    return {"has_approved_minutes": provenance.has_approved_minutes}
