"""The history page of an expert, linked from their page in the directory."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from eventsys.access import ALL_STAFF, roles_required
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.minutes.action_item_list import platform_today
from eventsys.people.history import PARTS, history_of
from eventsys.query_arguments import page_number
from eventsys.roles import Role

blueprint = Blueprint("people", __name__, url_prefix="/experts")


@blueprint.route("/<int:expert_id>/history")
@roles_required(*ALL_STAFF)
def history(expert_id: int):
    """Each part of the history a page at a time (`<part>_page`); the outbox's mail, with
    subjects and links into the outbox, for admins only."""
    expert = db.get_or_404(Expert, expert_id)
    pages = {part: page_number(request.args, f"{part}_page") for part in PARTS}
    is_admin = current_user.role == Role.ADMIN
    return render_template(
        "people/history.html",
        expert=expert,
        history=history_of(expert, pages, all_mail=is_admin, today=platform_today()),
        may_read_outbox=is_admin,
    )
