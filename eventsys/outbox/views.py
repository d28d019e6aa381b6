"""Admins read the outbox: every mail the platform has queued or sent."""

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy.orm import defer
from wtforms import SelectMultipleField

from eventsys.access import roles_required
from eventsys.database import contains_ignoring_case
from eventsys.extensions import db
from eventsys.outbox import kinds as outbox_kinds
from eventsys.outbox import services
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.outbox.reading import read_message
from eventsys.query_arguments import MAX_DATABASE_ID, page_number
from eventsys.roles import Role
from eventsys.security_headers import allow_inline_mail_styles

blueprint = Blueprint("outbox", __name__, url_prefix="/outbox")


@blueprint.context_processor
def outbox_helpers() -> dict:
    return {"kind_name": outbox_kinds.kind_name}


# The states in words for the list and its filter.
STATE_LABELS = {
    DeliveryState.QUEUED: _l("queued"),
    DeliveryState.SENDING: _l("being sent"),
    DeliveryState.SENT: _l("sent"),
    DeliveryState.FAILED: _l("failed"),
}
PAGE_SIZE = 50


def _outbox_filters(args) -> dict[str, str]:
    """The filters of the list as given in the query string, cut to what a column holds."""
    state = args.get("state", "")
    return {
        "state": state if state in {member.value for member in DeliveryState} else "",
        "kind": (args.get("kind") or "").strip()[:50],
        "recipient": (args.get("recipient") or "").strip()[:254],
        "subject": (args.get("subject") or "").strip()[:300],
    }


@blueprint.route("/")
@roles_required(Role.ADMIN)
def list_messages():
    filters = _outbox_filters(request.args)
    # The stored mail itself (up to megabytes each) is not needed for the list.
    query = (
        sa.select(OutboxMessage)
        .options(defer(OutboxMessage.raw_message), defer(OutboxMessage.details))
        .order_by(OutboxMessage.id.desc())
    )
    if filters["state"]:
        query = query.where(OutboxMessage.state == DeliveryState(filters["state"]))
    if filters["kind"]:
        query = query.where(OutboxMessage.kind == filters["kind"])
    if filters["recipient"]:
        query = query.where(contains_ignoring_case(OutboxMessage.recipient, filters["recipient"]))
    if filters["subject"]:
        query = query.where(contains_ignoring_case(OutboxMessage.subject, filters["subject"]))
    page = db.paginate(query, page=page_number(request.args), per_page=PAGE_SIZE, error_out=False)
    kinds = db.session.scalars(
        sa.select(OutboxMessage.kind).distinct().order_by(OutboxMessage.kind)
    ).all()
    return render_template(
        "outbox/list.html",
        page=page,
        states=list(DeliveryState),
        state_labels=STATE_LABELS,
        kinds=kinds,
        filters=filters,
        requeue_form=RequeueForm(),
        delivery_configured=services.delivery_configured_here(),
    )


class RequeueForm(FlaskForm):
    """The failed messages of one page of the list, ticked to be queued again."""

    message_ids = SelectMultipleField(coerce=int, validate_choice=False)


@blueprint.route("/requeue", methods=["POST"])
@roles_required(Role.ADMIN)
def requeue_messages():
    form = RequeueForm()
    # Back to the same page of the same filtered list (sent along as hidden fields).
    shown = {name: value for name, value in _outbox_filters(request.form).items() if value}
    back = redirect(url_for("outbox.list_messages", page=page_number(request.form), **shown))
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return back
    ids = [value for value in form.message_ids.data or [] if 1 <= value <= MAX_DATABASE_ID]
    if not ids:
        flash(_("Please tick the messages to queue again."), "error")
        return back
    messages = db.session.scalars(
        sa.select(OutboxMessage)
        .options(defer(OutboxMessage.raw_message))
        .where(OutboxMessage.id.in_(ids[:PAGE_SIZE]))
    ).all()
    requeued = sum(1 for message in messages if services.requeue(message))
    db.session.commit()
    if requeued:
        flash(
            ngettext(
                "%(num)d message is queued for delivery again.",
                "%(num)d messages are queued for delivery again.",
                requeued,
            ),
            "success",
        )
    else:
        flash(_("Only failed messages can be queued again."), "error")
    return back


@blueprint.route("/<int:message_id>")
@roles_required(Role.ADMIN)
def show_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    readable = read_message(message.raw_message) if message.composed else None
    if readable is not None and readable.html:
        allow_inline_mail_styles()
    return render_template("outbox/show.html", message=message, readable=readable)


@blueprint.route("/<int:message_id>.eml")
@roles_required(Role.ADMIN)
def download_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if not message.composed:
        flash(_("This message is still being written; please try again in a moment."), "error")
        return redirect(url_for("outbox.show_message", message_id=message.id))
    return Response(
        message.raw_message,
        mimetype="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="message-{message.id}.eml"'},
    )


@blueprint.route("/<int:message_id>/requeue", methods=["POST"])
@roles_required(Role.ADMIN)
def requeue_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if services.requeue(message):
        db.session.commit()
        flash(_("The message is queued for delivery again."), "success")
    else:
        flash(_("Only failed messages can be queued again."), "error")
    return redirect(url_for("outbox.show_message", message_id=message.id))
