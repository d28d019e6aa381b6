"""provenance pages of a charter (stubs until written)."""

from flask import abort

from eventsys.access import ALL_STAFF, roles_required
from eventsys.charters.views import blueprint


@blueprint.route("/<int:charter_id>/clauses/<int:clause_id>/provenance")
@roles_required(*ALL_STAFF)
def clause_provenance(charter_id: int, clause_id: int):
    abort(404)


@blueprint.route("/sessions/<int:session_id>")
@roles_required(*ALL_STAFF)
def session_provenance(session_id: int):
    abort(404)
