"""Session pages: the list, a session with its agenda, and the forms that change them."""

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.access import ALL_STAFF, PLANNERS, roles_required
from eventsys.extensions import db
from eventsys.outbox import services as outbox
from eventsys.query_arguments import page_number
from eventsys.sessions import agenda, queries, services, visits
from eventsys.sessions.forms import (
    AgendaItemForm,
    CopySessionForm,
    EditSessionForm,
    MoveAgendaItemForm,
    RemoveAgendaItemForm,
    SessionFilterForm,
    SessionForm,
    session_form_data,
)
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.states import SessionStatus

blueprint = Blueprint("sessions", __name__, url_prefix="/sessions")


def _agenda_item_or_404(session_id: int, item_id: int) -> AgendaItem:
    """The item, if it belongs to this session; an item of another session is not found here."""
    return db.first_or_404(
        sa.select(AgendaItem).where(AgendaItem.id == item_id, AgendaItem.session_id == session_id)
    )


def _show(session: Session):
    return redirect(url_for("sessions.show_session", session_id=session.id))


@blueprint.route("/")
@roles_required(*ALL_STAFF)
def list_sessions():
    filters = SessionFilterForm(formdata=request.args, years=queries.session_years())
    page = page_number(request.args)
    listing = queries.list_sessions(filters.criteria(), page=page)
    return render_template("sessions/list.html", filters=filters, listing=listing)


@blueprint.route("/<int:session_id>")
@roles_required(*ALL_STAFF)
def show_session(session_id: int):
    session = queries.session_for_display(session_id)
    if session is None:
        abort(404)
    original = db.session.get(Session, session.copied_from_id) if session.copied_from_id else None
    # The page shows what changed since the reader's previous visit; this visit is the one the
    # next is compared with.
    last_visit = visits.record_visit(session, current_user)
    page = render_template(
        "sessions/show.html",
        session=session,
        original=original,
        schedule=agenda.scheduled_agenda(session),
        overrun=agenda.agenda_overrun(session),
        can_plan=current_user.role in PLANNERS,
        last_visit=last_visit,
    )
    db.session.commit()
    return page


@blueprint.route("/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def create_session():
    form = SessionForm(data={"organisers": [current_user.id]})
    if form.validate_on_submit():
        try:
            session = services.create_session(form.details())
        except services.InvalidSessionDetails as error:
            form.show_problems(error.problems)
        else:
            db.session.commit()
            flash(_("The session has been created."), "success")
            return _show(session)
    return render_template("sessions/session_form.html", form=form, session=None, original=None)


@blueprint.route("/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def edit_session(session_id: int):
    session = db.get_or_404(Session, session_id)
    form = EditSessionForm(data=session_form_data(session))
    preview = None
    if form.validate_on_submit():
        details, reason = form.details(), form.cancellation_reason.data or ""
        cancelling = details.status == SessionStatus.CANCELLED != session.status
        try:
            if not form.decided:
                # Whoever would get mail is shown first; nothing is kept or sent meanwhile.
                preview = outbox.preview_mail(
                    lambda: services.update_session(session, details, reason=reason)
                )
            if preview is None or not preview.total:
                announce = cancelling or not form.save_quietly.data
                services.update_session(session, details, announce=announce, reason=reason)
                preview = None
        except services.InvalidSessionDetails as error:
            db.session.rollback()
            form.show_problems(error.problems)
        else:
            if preview is None:
                db.session.commit()
                flash(_("The session has been saved."), "success")
                return _show(session)
        session = db.session.get(Session, session_id)
    return render_template(
        "sessions/session_form.html",
        form=form,
        session=session,
        original=None,
        preview=preview,
        cancelling=preview is not None and form.status.data == SessionStatus.CANCELLED,
    )


@blueprint.route("/<int:session_id>/copy", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def copy_session(session_id: int):
    original = db.get_or_404(Session, session_id)
    form = CopySessionForm(data=session_form_data(original, with_schedule=False))
    if form.validate_on_submit():
        try:
            copy = services.copy_session(original, form.details())
        except services.InvalidSessionDetails as error:
            form.show_problems(error.problems)
        else:
            db.session.commit()
            flash(_("The copy has been created with the agenda. Please check it."), "success")
            return _show(copy)
    return render_template("sessions/session_form.html", form=form, session=None, original=original)


@blueprint.route("/<int:session_id>/agenda/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def add_agenda_item(session_id: int):
    session = db.get_or_404(Session, session_id)
    form = AgendaItemForm()
    if form.validate_on_submit():
        try:
            item = agenda.add_agenda_item(session, form.details())
        except services.SessionError as error:
            form.presenter_text.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("TOP %(number)d has been added.", number=item.position), "success")
            return _show(session)
    return render_template("sessions/agenda_item_form.html", form=form, session=session, item=None)


@blueprint.route("/<int:session_id>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def edit_agenda_item(session_id: int, item_id: int):
    item = _agenda_item_or_404(session_id, item_id)
    form = AgendaItemForm(item=item)
    if form.validate_on_submit():
        try:
            agenda.update_agenda_item(item, form.details())
        except services.SessionError as error:
            form.presenter_text.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("TOP %(number)d has been saved.", number=item.position), "success")
            return _show(item.session)
    return render_template(
        "sessions/agenda_item_form.html", form=form, session=item.session, item=item
    )


@blueprint.route("/<int:session_id>/agenda/<int:item_id>/delete", methods=["POST"])
@roles_required(*PLANNERS)
def delete_agenda_item(session_id: int, item_id: int):
    item = _agenda_item_or_404(session_id, item_id)
    session, title = item.session, item.title
    form = RemoveAgendaItemForm()
    if form.validate_on_submit():
        try:
            agenda.remove_agenda_item(item)
        except services.SessionError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("“%(title)s” has been removed from the agenda.", title=title), "success")
    return _show(session)


@blueprint.route("/<int:session_id>/agenda/<int:item_id>/move", methods=["POST"])
@roles_required(*PLANNERS)
def move_agenda_item(session_id: int, item_id: int):
    item = _agenda_item_or_404(session_id, item_id)
    session = item.session
    form = MoveAgendaItemForm()
    if not form.validate_on_submit():
        flash(_("Please choose whether to move the item up or down."), "error")
        return _show(session)
    try:
        agenda.move_agenda_item(item, form.direction.data)
    except services.SessionError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _("“%(title)s” is now TOP %(number)d.", title=item.title, number=item.position),
            "success",
        )
    return _show(session)
