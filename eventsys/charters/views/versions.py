"""versions pages of a charter (stubs until written)."""

from flask import abort

from eventsys.access import ALL_STAFF, roles_required
from eventsys.charters.views import blueprint


@blueprint.route("/<int:charter_id>/versions")
@roles_required(*ALL_STAFF)
def versions(charter_id: int):
    abort(404)


@blueprint.route("/<int:charter_id>/versions/<int:major>.<int:minor>")
@roles_required(*ALL_STAFF)
def version(charter_id: int, major: int, minor: int):
    abort(404)


@blueprint.route("/<int:charter_id>/versions/freeze", methods=["POST"])
@roles_required(*ALL_STAFF)
def freeze(charter_id: int):
    abort(404)


@blueprint.route("/<int:charter_id>/versions/<int:major>.<int:minor>.pdf")
@roles_required(*ALL_STAFF)
def version_pdf(charter_id: int, major: int, minor: int):
    abort(404)


@blueprint.route("/<int:charter_id>/draft.pdf")
@roles_required(*ALL_STAFF)
def draft_pdf(charter_id: int):
    abort(404)
