"""The list of every session's action items: following them up, closing them, downloading
them."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.access import ALL_STAFF, roles_required
from eventsys.extensions import db
from eventsys.minutes import action_item_export, action_item_list, action_items
from eventsys.minutes.action_item_list import ActionItemOrder, ActionItemState
from eventsys.minutes.action_items import number
from eventsys.minutes.errors import MinutesError
from eventsys.minutes.forms import CloseActionItemForm, ReopenActionItemForm
from eventsys.minutes.models import ActionItem
from eventsys.minutes.views import blueprint
from eventsys.query_arguments import page_number
from eventsys.sessions.models import Session
from eventsys.spreadsheets import spreadsheet_download

PAGE_SIZE = 50


@blueprint.route("/action-items", endpoint="action_items")
@roles_required(*ALL_STAFF)
def action_item_page():
    filters = action_item_list.action_item_filter(request.args)
    today = action_item_list.platform_today()
    page = db.paginate(
        action_item_list.listed(filters, today),
        page=page_number(request.args),
        per_page=PAGE_SIZE,
        error_out=False,
    )
    only_session = db.session.get(Session, filters.session_id) if filters.session_id else None
    return render_template(
        "minutes/action_items.html",
        page=page,
        filters=filters,
        only_session=only_session,
        states=list(ActionItemState),
        orders=list(ActionItemOrder),
        today=today,
        item_state=action_item_list.item_state,
        where_closed=action_item_list.where_closed,
        number=number,
        close_form=CloseActionItemForm(),
    )


@blueprint.route("/action-items.<any(xlsx, csv):kind>")
@roles_required(*ALL_STAFF)
def export_action_items(kind: str):
    """The action items the list's filters find (all pages) as a spreadsheet."""
    filters = action_item_list.action_item_filter(request.args)
    data = action_item_export.action_items_file(filters, kind)
    return spreadsheet_download(data, f"action-items.{kind}")


def _back_to_list(item: ActionItem | None = None):
    """To the list as the form was sent from: its filters and page, at the item."""
    filters = action_item_list.action_item_filter(request.form)
    target = url_for("minutes.action_items", page=page_number(request.form), **filters.query())
    return redirect(target + (f"#action-item-{item.id}" if item is not None else ""))


@blueprint.route("/action-items/<int:action_item_id>/close", methods=["POST"])
@roles_required(*ALL_STAFF)
def close_listed_action_item(action_item_id: int):
    item = db.get_or_404(ActionItem, action_item_id)
    form = CloseActionItemForm()
    if not form.validate_on_submit():
        flash(
            " ".join(str(error) for error in form.note.errors)
            or _("The form has expired. Please try again."),
            "error",
        )
        return _back_to_list(item)
    try:
        action_items.close(item, form.note.data or "", current_user)
    except MinutesError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("%(number)s has been closed.", number=number(item)), "success")
    return _back_to_list(item)


@blueprint.route("/action-items/<int:action_item_id>/reopen", methods=["POST"])
@roles_required(*ALL_STAFF)
def reopen_listed_action_item(action_item_id: int):
    item = db.get_or_404(ActionItem, action_item_id)
    if not ReopenActionItemForm().validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return _back_to_list(item)
    try:
        action_item_list.reopen_on_list(item, current_user)
    except MinutesError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("%(number)s is open again.", number=number(item)), "success")
    return _back_to_list(item)
