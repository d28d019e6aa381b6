"""drafting pages of a charter (stubs until written)."""

from flask import abort

from eventsys.access import ALL_STAFF, roles_required
from eventsys.charters.views import blueprint


@blueprint.route("/")
@roles_required(*ALL_STAFF)
def list_charters():
    abort(404)


@blueprint.route("/new", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def new_charter():
    abort(404)


@blueprint.route("/<int:charter_id>")
@roles_required(*ALL_STAFF)
def draft(charter_id: int):
    abort(404)
