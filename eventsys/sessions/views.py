"""Session pages."""

from flask import Blueprint, render_template

from eventsys.access import ALL_STAFF, roles_required
from eventsys.sessions import services

blueprint = Blueprint("sessions", __name__, url_prefix="/sessions")


@blueprint.route("/")
@roles_required(*ALL_STAFF)
def list_sessions():
    return render_template(
        "sessions/list.html", upcoming=services.upcoming_sessions(), past=services.past_sessions()
    )
