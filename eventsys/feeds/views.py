"""Calendar feeds: the subscription addresses themselves (opened by calendar programs with the
secret token in the address) and the pages that give them out and take them back."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.access import ALL_STAFF, PLANNERS, public, roles_required
from eventsys.audit.services import acting_as
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.feeds import services
from eventsys.feeds.forms import FeedForm, RevokeOwnFeedForm

blueprint = Blueprint("feeds", __name__, url_prefix="/feeds")


@blueprint.app_context_processor
def expert_feed_helpers() -> dict:
    """What `feeds/_expert_feed.html` needs, so that the expert's page can include it."""
    return {
        "expert_feed_addresses": services.expert_feed_addresses,
        "feed_form": FeedForm,
        "feed_planner_roles": PLANNERS,
    }


def _calendar_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        content_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            # The address is the secret: keep the content out of shared caches and indexes.
            "Cache-Control": "private, no-store",
            "X-Robots-Tag": "noindex",
        },
    )


@blueprint.route("/experts/<token>.ics")
@public
def expert_feed(token: str):
    expert = services.expert_by_feed_token(token)
    if expert is None:
        abort(404)
    return _calendar_response(services.expert_feed(expert), "sessions.ics")


@blueprint.route("/all/<token>.ics")
@public
def organiser_feed(token: str):
    user = services.staff_by_feed_token(token)
    if user is None:
        abort(404)
    return _calendar_response(services.staff_feed(user), "all-sessions.ics")


def _apply(form: FeedForm, owner) -> str | None:
    """Carry out the button pressed on `form` for `owner`; the message to show, or None."""
    if form.create.data:
        created = services.create_feed(owner)
        return _("The subscription address has been created.") if created else None
    if form.regenerate.data:
        services.regenerate_feed(owner)
        return _("A new subscription address has been created; the old one no longer works.")
    if form.revoke.data and services.revoke_feed(owner):
        return _("The subscription address has been revoked.")
    return None


@blueprint.route("/experts/<int:expert_id>/manage", methods=["POST"])
@roles_required(*PLANNERS)
def manage_expert_feed(expert_id: int):
    expert = db.get_or_404(Expert, expert_id)
    form = FeedForm()
    if form.validate_on_submit():
        message = _apply(form, expert)
        if message:
            db.session.commit()
            flash(message, "success")
    return redirect(url_for("experts.show_expert", expert_id=expert.id))


@blueprint.route("/mine", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def my_feed():
    form = FeedForm()
    if form.validate_on_submit():
        message = _apply(form, current_user._get_current_object())
        if message:
            db.session.commit()
            flash(message, "success")
        return redirect(url_for("feeds.my_feed"))
    return render_template(
        "feeds/mine.html", form=form, addresses=services.staff_feed_addresses(current_user)
    )


@blueprint.route("/experts/<token>/revoke", methods=["GET", "POST"])
@public
def revoke_expert_feed(token: str):
    expert = services.expert_by_feed_token(token)
    if expert is None:
        abort(404)
    form = RevokeOwnFeedForm()
    if form.validate_on_submit():
        with acting_as(f"{expert.email} (own link)"):
            services.revoke_feed(expert)
        db.session.commit()
        return render_template("feeds/revoked.html")
    return render_template("feeds/revoke.html", form=form)
