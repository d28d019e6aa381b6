"""Writing minutes: the general part and each TOP, saved explicitly or automatically.

One page and one POST: without JavaScript every button sends the whole form, which is saved
before the button's own step (add a row, remove one, move a TOP). The editor's script posts the
same form in the background and asks for JSON: the new revision, the ids of new rows, a status
line; or the problems, or the conflict with the version someone else saved.
"""

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.access import ALL_STAFF, roles_required
from eventsys.extensions import db
from eventsys.i18n import format_local_date, format_local_time
from eventsys.minutes import action_items, editing
from eventsys.minutes.changes import MinutesChanges
from eventsys.minutes.errors import EditConflict, MinutesError, MinutesFrozen
from eventsys.minutes.forms import (
    ROW_KINDS,
    CloseActionItemForm,
    EditorAction,
    MinutesForm,
    ReopenActionItemForm,
    minutes_form_data,
)
from eventsys.minutes.models import ActionItem, Minutes
from eventsys.minutes.validation import InvalidMinutes
from eventsys.minutes.views import blueprint
from eventsys.query_arguments import database_id
from eventsys.sessions.models import Session

# Seconds the editor waits after a change before saving by itself; MINUTES_AUTOSAVE_SECONDS
# overrides it (the browser tests do not wait that long).
AUTOSAVE_SECONDS = 20


def _wants_json() -> bool:
    accepted = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return accepted == "application/json"


def _minutes_of(session: Session) -> Minutes:
    """The session's minutes, started from the agenda the first time anyone opens them."""
    minutes = editing.load_minutes(session.id)
    if minutes is None:
        editing.minutes_for(session, current_user)
        db.session.commit()
        minutes = editing.load_minutes(session.id)
    return minutes


def _editor_texts() -> dict[str, str]:
    """What the editor's script says, in the user's language."""
    return {
        "saving": _("Saving …"),
        "unsaved": _("Changes not saved yet."),
        "failed": _(
            "Not saved: the server could not be reached. Your text is kept in this browser "
            "and saving is tried again."
        ),
        "signedOut": _(
            "Not saved: you may have been signed out. Your text is kept in this browser; "
            "sign in again in another tab, then save."
        ),
        "invalid": _("Not saved. Please correct:"),
        "conflict": _("Not saved: someone else has changed these minutes (see above)."),
        "restoreHeading": _("Text that was not saved"),
        "restoreFound": _(
            "This browser holds text for these minutes from %(time)s that was not saved."
        ),
        "restore": _("Restore and save it"),
        "discard": _("Discard it"),
        "rowRemoved": _("Entry removed; it is deleted when the minutes are saved."),
        "confirmRemoveTopic": _("Remove this TOP with everything written in it?"),
    }


def _last_saved(minutes: Minutes) -> str:
    shown = {
        "date": format_local_date(minutes.updated_at),
        "time": format_local_time(minutes.updated_at),
    }
    if minutes.updated_by is None:
        return _("Last saved on %(date)s at %(time)s.", **shown)
    return _(
        "Last saved on %(date)s at %(time)s by %(name)s.", name=minutes.updated_by.name, **shown
    )


def _saved_at(minutes: Minutes) -> str:
    return _("Saved at %(time)s.", time=format_local_time(minutes.updated_at))


def _page(minutes: Minutes, form: MinutesForm | None = None, **context) -> str:
    session = minutes.session
    return render_template(
        "minutes/edit.html",
        session=session,
        minutes=minutes,
        form=form,
        row_templates=form.row_templates() if form is not None else {},
        topics_by_id={topic.id: topic for topic in minutes.topics},
        carried_over=action_items.carried_over(session),
        close_form=CloseActionItemForm(),
        editor_texts=_editor_texts(),
        status=_last_saved(minutes),
        autosave_seconds=current_app.config.get("MINUTES_AUTOSAVE_SECONDS", AUTOSAVE_SECONDS),
        **context,
    )


def _requested_row() -> tuple[str, int | None] | None:
    """The empty TOP or row a button asked for before the page was loaded again."""
    kind = request.args.get("add")
    if kind == "topic":
        return ("topic", None)
    if kind in ROW_KINDS:
        return (kind, database_id(request.args, "topic"))
    return None


@blueprint.route("/session/<int:session_id>", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def edit(session_id: int):
    session = db.get_or_404(Session, session_id)
    minutes = _minutes_of(session)
    if minutes.frozen and request.method == "GET":
        return _page(minutes)
    experts, organisations = editing.owner_candidates(minutes)
    choices = {
        "experts": experts,
        "organisations": organisations,
        "guidelines": editing.guidelines(),
    }
    if request.method == "GET":
        data = minutes_form_data(
            editing.changes_from(minutes), minutes.revision, add=_requested_row()
        )
        form = MinutesForm(data=data, **choices)
        return _page(minutes, form, base_revision=minutes.revision)

    form = MinutesForm(**choices)
    if not form.validate():
        return _not_saved(minutes, form, form.revision.data or minutes.revision)
    changes = form.changes()
    based_on = form.revision.data
    try:
        editing.save(minutes, changes, based_on_revision=based_on, user=current_user)
    except InvalidMinutes as error:
        form.show_problems(error.problems)
        return _not_saved(minutes, form, based_on)
    except MinutesFrozen as error:
        db.session.rollback()
        return _conflict(session_id, form, str(error), based_on, show_other=False)
    except EditConflict as error:
        db.session.rollback()
        return _conflict(session_id, form, str(error), based_on, show_other=True)
    ids = editing.saved_ids(minutes, changes)
    answer = {"revision": minutes.revision, "ids": ids, "status": _saved_at(minutes)}
    db.session.commit()
    if _wants_json():
        return jsonify(answer)
    flash(answer["status"], "success")
    return redirect(_after_saving(session_id, form.requested_action(), changes, ids))


def _not_saved(minutes: Minutes, form: MinutesForm, based_on: int):
    if _wants_json():
        problems = [
            f"{entry.place}: {entry.message}" if entry.place else entry.message
            for entry in form.error_entries()
        ]
        return jsonify({"problems": problems}), 422
    return _page(minutes, form, base_revision=based_on, unsaved=True)


def _conflict(session_id: int, form: MinutesForm, message: str, based_on: int, show_other: bool):
    """The user's text stays in the form; beside it the version saved meanwhile, and the form
    now builds on that version, so that saving again is a decision, not an accident."""
    minutes = editing.load_minutes(session_id)
    other_version = minutes if show_other and not minutes.frozen else None
    if _wants_json():
        answer = {
            "conflict": render_template(
                "minutes/edit_conflict.html",
                conflict_message=message,
                other_version=other_version,
            )
        }
        if other_version is not None:
            answer["revision"] = minutes.revision
        return jsonify(answer), 409
    if other_version is not None:
        form.based_on(minutes.revision)
    page = _page(
        minutes,
        form,
        base_revision=based_on,
        unsaved=True,
        conflict_message=message,
        other_version=other_version,
    )
    return page, 409


def _after_saving(
    session_id: int, action: EditorAction, changes: MinutesChanges, ids: dict[str, int]
) -> str:
    """The editor again, with the empty TOP or row asked for, scrolled to where the work is."""
    keys = [topic.key for topic in changes.topics]
    target_topic = "-".join((action.target or "").split("-")[:2])
    position = keys.index(target_topic) + 1 if target_topic in keys else None
    if action.verb == "add-topic":
        return url_for(
            "minutes.edit", session_id=session_id, add="topic", _anchor=f"top-{len(keys) + 1}"
        )
    if position is None:
        return url_for("minutes.edit", session_id=session_id)
    anchor = f"top-{position}"
    if action.verb.startswith("add-"):
        kind = action.verb.removeprefix("add-")
        return url_for(
            "minutes.edit",
            session_id=session_id,
            add=kind,
            topic=ids[target_topic],
            _anchor=anchor,
        )
    return url_for("minutes.edit", session_id=session_id, _anchor=anchor)


def _back_to_carried_over(session_id: int):
    return redirect(url_for("minutes.edit", session_id=session_id, _anchor="carried-over"))


def _carried_over_item(session_id: int, action_item_id: int) -> tuple[Minutes, ActionItem]:
    minutes = editing.load_minutes(session_id)
    if minutes is None:
        abort(404)
    return minutes, db.get_or_404(ActionItem, action_item_id)


@blueprint.route(
    "/session/<int:session_id>/action-items/<int:action_item_id>/close", methods=["POST"]
)
@roles_required(*ALL_STAFF)
def close_action_item(session_id: int, action_item_id: int):
    minutes, item = _carried_over_item(session_id, action_item_id)
    form = CloseActionItemForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for error in form.note.errors), "error")
        return _back_to_carried_over(session_id)
    number = action_items.number(item)
    try:
        action_items.close_action_item(item, minutes, form.note.data or "", current_user)
    except MinutesError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("%(number)s has been closed.", number=number), "success")
    return _back_to_carried_over(session_id)


@blueprint.route(
    "/session/<int:session_id>/action-items/<int:action_item_id>/reopen", methods=["POST"]
)
@roles_required(*ALL_STAFF)
def reopen_action_item(session_id: int, action_item_id: int):
    minutes, item = _carried_over_item(session_id, action_item_id)
    if ReopenActionItemForm().validate_on_submit():
        number = action_items.number(item)
        try:
            action_items.reopen_action_item(item, minutes, current_user)
        except MinutesError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("%(number)s is open again.", number=number), "success")
    return _back_to_carried_over(session_id)
