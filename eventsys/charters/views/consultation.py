"""consultation pages of a charter (stubs until written)."""

from flask import abort

from eventsys.access import ALL_STAFF, PLANNERS, public, roles_required
from eventsys.charters.views import blueprint


@blueprint.route(
    "/<int:charter_id>/versions/<int:major>.<int:minor>/consultation", methods=["GET", "POST"]
)
@roles_required(*PLANNERS)
def start_consultation(charter_id: int, major: int, minor: int):
    abort(404)


@blueprint.route("/<int:charter_id>/versions/<int:major>.<int:minor>/comments")
@roles_required(*ALL_STAFF)
def consultation_comments(charter_id: int, major: int, minor: int):
    abort(404)


@blueprint.route("/consult/<token>", methods=["GET", "POST"])
@public
def consult(token: str):
    abort(404)
