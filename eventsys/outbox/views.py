"""Admins read the outbox: every mail the platform has queued or sent."""

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from eventsys.access import roles_required
from eventsys.extensions import db
from eventsys.outbox import services
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.outbox.reading import read_message
from eventsys.query_arguments import page_number
from eventsys.roles import Role
from eventsys.security_headers import allow_inline_mail_styles

blueprint = Blueprint("outbox", __name__, url_prefix="/outbox")


@blueprint.route("/")
@roles_required(Role.ADMIN)
def list_messages():
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())
    state = request.args.get("state")
    if state in {member.value for member in DeliveryState}:
        query = query.where(OutboxMessage.state == DeliveryState(state))
    recipient = (request.args.get("recipient") or "").strip()[:254]
    if recipient:
        query = query.where(OutboxMessage.recipient.ilike(f"%{recipient}%"))
    page = db.paginate(query, page=page_number(request.args), per_page=50, error_out=False)
    return render_template(
        "outbox/list.html",
        page=page,
        states=list(DeliveryState),
        state=state,
        recipient=recipient,
        delivery_configured=services.delivery_configured_here(),
    )


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
