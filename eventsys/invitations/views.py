"""Invitation pages: the organiser's invite and answers pages, and the experts' answer page."""

from flask import Blueprint, abort

from eventsys.access import public

blueprint = Blueprint("invitations", __name__)


@blueprint.route("/rsvp/<token>", methods=["GET", "POST"])
@blueprint.route("/rsvp/<token>/<answer>", methods=["GET", "POST"])
@public
def respond(token: str, answer: str = ""):
    abort(404)
