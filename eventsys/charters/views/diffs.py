"""diffs pages of a charter (stubs until written)."""

from flask import abort

from eventsys.access import ALL_STAFF, roles_required
from eventsys.charters.views import blueprint


@blueprint.route("/<int:charter_id>/diff")
@roles_required(*ALL_STAFF)
def diff(charter_id: int):
    abort(404)


@blueprint.route("/<int:charter_id>/diff.pdf")
@roles_required(*ALL_STAFF)
def diff_pdf(charter_id: int):
    abort(404)
