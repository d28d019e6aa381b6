"""pool pages of a charter (stubs until written)."""

from flask import abort

from eventsys.access import ALL_STAFF, roles_required
from eventsys.charters.views import blueprint


@blueprint.route("/<int:charter_id>/pool")
@roles_required(*ALL_STAFF)
def pool(charter_id: int):
    abort(404)


@blueprint.route("/<int:charter_id>/clauses/<int:clause_id>", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def clause(charter_id: int, clause_id: int):
    abort(404)
