"""Per-session reminder settings and sending reminders now."""

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager

from eventsys.access import PLANNERS, roles_required
from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations import overview
from eventsys.invitations.forms import RemindChosenForm, invitation_filter
from eventsys.invitations.mail import MailKind
from eventsys.invitations.models import Invitation
from eventsys.outbox import confirmation
from eventsys.query_arguments import id_from_text, page_number
from eventsys.reminders import services
from eventsys.reminders.forms import ReminderSettingsForm, SendRemindersForm
from eventsys.sessions.models import Session

blueprint = Blueprint("reminders", __name__)


def _chosen(session: Session, invitation_ids: list[int]):
    """The chosen invitations, loaded afresh (a preview rolls the transaction back)."""
    return overview.invitations_with_ids(session, invitation_ids)


def _invitation_page(session: Session, page: int) -> Pagination:
    """A page of the session's invitations that are not withdrawn, by surname."""
    query = (
        sa.select(Invitation)
        .join(Invitation.expert)
        .where(Invitation.session_id == session.id, Invitation.withdrawn_at.is_(None))
        .options(contains_eager(Invitation.expert))
        .order_by(Expert.sort_key, Invitation.id)
    )
    return db.paginate(query, page=page, per_page=overview.PAGE_SIZE, error_out=False)


def _submitted_ids(form_field_name: str) -> list[int]:
    """The invitation ids a POST ticked (each once, at most a page's worth), whatever page
    they were ticked on."""
    ids: list[int] = []
    for value in request.form.getlist(form_field_name):
        number = id_from_text(value)
        if number is not None and number not in ids:
            ids.append(number)
    return ids[: overview.PAGE_SIZE]


@blueprint.route("/sessions/<int:session_id>/reminders", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def manage(session_id: int):
    """The reminder setting, and a page of the invitees with the reminder that fits each now;
    those ticked get it after a look at who gets mail."""
    session = db.get_or_404(Session, session_id)
    now = utcnow()
    listing = _invitation_page(session, page_number(request.args))
    ticked = _chosen(session, _submitted_ids("now-invitations"))
    offers = {
        invitation.id: services.reminder_kind_now(invitation, now)
        for invitation in [*listing.items, *ticked]
    }
    try:
        services.check_session_open(session, now)
        closed_reason = ""
    except services.ReminderError as error:
        closed_reason = str(error)

    settings = ReminderSettingsForm(prefix="settings")
    if not settings.save.data:  # the other form was sent, or none: show the stored setting
        settings = ReminderSettingsForm(
            prefix="settings",
            formdata=None,
            data={
                "enabled": session.reminders_enabled,
                "action_items": session.action_item_reminders_enabled,
            },
        )
    sending = SendRemindersForm(prefix="now")
    # The choices are the rows of this page and what was ticked (on whichever page).
    offered = {invitation.id: invitation for invitation in [*listing.items, *ticked]}
    sending.invitations.choices = [
        (invitation.id, invitation.expert.full_name)
        for invitation in offered.values()
        if offers[invitation.id] and not closed_reason
    ]

    if settings.save.data and settings.validate_on_submit():
        changed = services.set_reminders_enabled(session, settings.enabled.data)
        if services.set_action_item_reminders_enabled(session, settings.action_items.data):
            changed = True
        if changed:
            db.session.commit()
        if settings.enabled.data:
            flash(_("Reminders are sent automatically for this session."), "success")
        else:
            flash(_("No reminders are sent automatically for this session."), "success")
        if settings.action_items.data:
            flash(_("The owners of action items are reminded before their due dates."), "success")
        else:
            flash(_("The owners of action items get no reminders."), "success")
        return redirect(url_for("reminders.manage", session_id=session.id))

    if sending.send.data and sending.validate_on_submit():
        chosen_ids = list(sending.invitations.data)
        try:
            page = confirmation.ask_first(
                lambda: services.send_reminders_now(session, _chosen(session, chosen_ids), now),
                heading=_("Send reminders"),
                send_label=_("Send the reminders"),
                back_url=url_for("reminders.manage", session_id=session.id),
            )
            if page is not None:
                return page
            result = services.send_reminders_now(session, _chosen(session, chosen_ids), now)
        except services.ReminderError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                ngettext(
                    "A reminder has been sent to %(num)d invitee.",
                    "Reminders have been sent to %(num)d invitees.",
                    result.sent,
                ),
                "success",
            )
        return redirect(url_for("reminders.manage", session_id=session.id))

    return render_template(
        "reminders/manage.html",
        session=session,
        listing=listing,
        offers=offers,
        kinds=MailKind,
        settings=settings,
        sending=sending,
        closed_reason=closed_reason,
        days_before=services.reminder_days_before(),
    )


@blueprint.route("/sessions/<int:session_id>/invitations/remind", methods=["POST"])
@roles_required(*PLANNERS)
def remind_chosen(session_id: int):
    """Reminders from the answers page, to the rows ticked or to everyone its filter shows,
    after the page that says who gets mail. The invitations are found again on each step (a
    preview rolls the transaction back), so the confirmation names the filter, not the rows."""
    session = db.get_or_404(Session, session_id)
    form = RemindChosenForm()
    filters = invitation_filter(request.form)
    back = url_for("invitations.list_invitations", session_id=session.id, **filters.arguments())
    if not form.validate_on_submit():
        flash(
            " ".join(form.form_errors) or _("The form has expired. Please send it again."), "error"
        )
        return redirect(back)
    ticked = list(form.invitation_ids.data or ())

    def chosen():
        if form.remind_filtered.data:
            return overview.matching_invitations(session, filters)
        return overview.invitations_with_ids(session, ticked)

    now = utcnow()
    try:
        page = confirmation.ask_first(
            lambda: services.send_reminders_now(session, chosen(), now),
            heading=_("Send reminders"),
            send_label=_("Send the reminders"),
            back_url=back,
        )
        if page is not None:
            return page
        result = services.send_reminders_now(session, chosen(), now)
    except services.ReminderError as error:
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    message = ngettext(
        "A reminder has been sent to %(num)d invitee.",
        "Reminders have been sent to %(num)d invitees.",
        result.sent,
    )
    if result.skipped:
        message += " " + ngettext(
            "%(num)d had no reminder to get (they have answered, or the session is not "
            "tomorrow yet).",
            "%(num)d had no reminder to get (they have answered, or the session is not "
            "tomorrow yet).",
            len(result.skipped),
        )
    flash(message, "success" if result.sent else "info")
    return redirect(back)
