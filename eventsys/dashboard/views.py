"""The overview every staff member lands on after signing in: the work lists, then the
sessions."""

from flask import Blueprint, render_template
from flask_login import current_user

from eventsys.access import ALL_STAFF, roles_required
from eventsys.dashboard.work_lists import work_lists
from eventsys.database import utcnow
from eventsys.sessions import queries as sessions

blueprint = Blueprint("dashboard", __name__)

UPCOMING_SHOWN = 10
PAST_SHOWN = 10


@blueprint.route("/")
@roles_required(*ALL_STAFF)
def index():
    return render_template(
        "dashboard/index.html",
        work=work_lists(current_user, utcnow()),
        upcoming=sessions.upcoming_sessions(limit=UPCOMING_SHOWN),
        past=sessions.past_sessions(limit=PAST_SHOWN),
    )
