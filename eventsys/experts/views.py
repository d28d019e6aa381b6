"""Expert directory pages."""

from flask import Blueprint, render_template

from eventsys.access import ALL_STAFF, roles_required

blueprint = Blueprint("experts", __name__, url_prefix="/experts")


@blueprint.route("/")
@roles_required(*ALL_STAFF)
def list_experts():
    return render_template("experts/list.html")
