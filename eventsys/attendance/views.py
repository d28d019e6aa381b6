"""The attendance list of a session and the check-in page used on the day."""

from collections import Counter

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.access import ALL_STAFF, roles_required
from eventsys.attendance import export, services
from eventsys.attendance.forms import (
    DAY_MARKS,
    SEARCH_MAX_LENGTH,
    AddExpertForm,
    AddGuestForm,
    AttendeeFilterForm,
    ConfirmForm,
    MarkForm,
    attendee_filter,
)
from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.documents import preparation
from eventsys.extensions import db
from eventsys.query_arguments import page_number
from eventsys.sessions.models import Session
from eventsys.spreadsheets import spreadsheet_download

blueprint = Blueprint("attendance", __name__, url_prefix="/sessions/<int:session_id>/attendance")

# The order in which states are counted and shown: what happened first, then who is awaited.
STATUS_ORDER = (*DAY_MARKS, AttendanceStatus.EXPECTED)


def _wants_json() -> bool:
    """True when the check-in page's script asks (it sends Accept: application/json)."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def _attendee_of(session_id: int, attendee_id: int) -> Attendee | None:
    """The attendee, if on this session's list; one of another session is not found here."""
    return db.session.scalar(
        sa.select(Attendee).where(Attendee.id == attendee_id, Attendee.session_id == session_id)
    )


def _fill_on_first_visit(session: Session) -> None:
    """On the first visit, when the list is still empty, fill it from the answers.

    Two people opening the page at once may both try; the second one's insert then meets the
    first one's rows, and the list they made is shown.
    """
    if services.has_attendees(session):
        return
    try:
        services.prefill(session)
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()


def _to_list(session_id: int):
    # To the top of the page, where the message is, whichever form on the page was sent.
    return redirect(url_for("attendance.list_attendees", session_id=session_id, _anchor="main"))


def _offer_experts(form: AddExpertForm, session: Session, text: str) -> None:
    form.offer(
        services.find_addable_experts(session, text),
        lambda expert_id: services.addable_expert(session, expert_id),
    )


def _list_page(
    session: Session,
    expert_form: AddExpertForm | None = None,
    guest_form: AddGuestForm | None = None,
):
    _fill_on_first_visit(session)
    filters = attendee_filter(request.args)
    filter_form = AttendeeFilterForm(formdata=None)
    filter_form.offer(filters)
    expert_search = " ".join(request.args.get("expert_q", "").split())[:SEARCH_MAX_LENGTH]
    if expert_form is None:
        expert_form = AddExpertForm(formdata=None)
        _offer_experts(expert_form, session, expert_search)
    totals = services.totals_in_database(session)
    overall = sum((row.counts for row in totals), Counter())
    return render_template(
        "attendance/list.html",
        session=session,
        page=services.attendee_page(session, filters, page_number(request.args)),
        filters=filters,
        filter_form=filter_form,
        totals=totals,
        overall=overall,
        listed=sum(overall.values()),
        statuses=STATUS_ORDER,
        expert_form=expert_form,
        expert_search=expert_search,
        guest_form=guest_form or AddGuestForm(formdata=None),
        confirm_form=ConfirmForm(formdata=None),
    )


@blueprint.route("")
@roles_required(*ALL_STAFF)
def list_attendees(session_id: int):
    return _list_page(db.get_or_404(Session, session_id))


@blueprint.route("/prefill", methods=["POST"])
@roles_required(*ALL_STAFF)
def prefill(session_id: int):
    session = db.get_or_404(Session, session_id)
    if ConfirmForm().validate_on_submit():
        try:
            added = services.prefill(session)
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
            flash(_("Someone else has just updated the list. Please try again."), "error")
        else:
            if added:
                flash(
                    ngettext(
                        "%(num)d person has been added from the answers.",
                        "%(num)d people have been added from the answers.",
                        added,
                    ),
                    "success",
                )
            else:
                flash(_("Everyone who has answered is already on the list."), "info")
    return _to_list(session.id)


@blueprint.route("/check-in")
@roles_required(*ALL_STAFF)
def check_in(session_id: int):
    """The check-in on the day: a search by name and a page of the list at a time, so that a
    phone shows it quickly however many are expected."""
    session = db.get_or_404(Session, session_id)
    _fill_on_first_visit(session)
    filters = attendee_filter(request.args)
    return render_template(
        "attendance/check_in.html",
        session=session,
        page=services.attendee_page(session, filters, page_number(request.args)),
        filters=filters,
        counts=services.status_counts(session),
        statuses=STATUS_ORDER,
        marks=DAY_MARKS,
        mark_form=MarkForm(formdata=None),
    )


def _counts_for_script(session: Session) -> dict[str, int]:
    return {status.value: number for status, number in services.status_counts(session).items()}


@blueprint.route("/<int:attendee_id>/mark", methods=["POST"])
@roles_required(*ALL_STAFF)
def mark(session_id: int, attendee_id: int):
    attendee = _attendee_of(session_id, attendee_id)
    if attendee is None:
        if _wants_json():
            return jsonify(error=_("This person is not on the list of this session.")), 404
        abort(404)
    # Back to the row, in the search the check-in page showed.
    back = redirect(
        url_for(
            "attendance.check_in",
            session_id=session_id,
            _anchor=f"attendee-{attendee.id}",
            **attendee_filter(request.args).arguments(),
        )
    )
    form = MarkForm()
    if not form.validate_on_submit():
        message = " ".join(form.status.errors) or _("Please choose present, excused or absent.")
        if _wants_json():
            return jsonify(error=message), 400
        flash(message, "error")
        return back
    services.mark(attendee, form.mark(), current_user._get_current_object())
    db.session.commit()
    message = _("%(name)s: %(status)s.", name=attendee.display_name, status=attendee.status.label)
    if _wants_json():
        return jsonify(
            id=attendee.id,
            status=attendee.status.value,
            label=attendee.status.label,
            message=message,
            counts=_counts_for_script(attendee.session),
        )
    flash(message, "success")
    return back


@blueprint.route("/experts", methods=["POST"])
@roles_required(*ALL_STAFF)
def add_expert(session_id: int):
    session = db.get_or_404(Session, session_id)
    form = AddExpertForm()
    _offer_experts(form, session, "")
    if form.validate_on_submit():
        try:
            attendee = services.add_expert(
                session, form.expert(), current_user._get_current_object()
            )
        except services.AttendanceError as error:
            db.session.rollback()
            form.expert_id.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s has been added as present.", name=attendee.display_name), "success")
            return _to_list(session.id)
    return _list_page(session, expert_form=form)


@blueprint.route("/guests", methods=["POST"])
@roles_required(*ALL_STAFF)
def add_guest(session_id: int):
    session = db.get_or_404(Session, session_id)
    form = AddGuestForm()
    if form.validate_on_submit():
        try:
            attendee = services.add_guest(
                session,
                form.name.data,
                form.organisation.data or "",
                form.group(),
                current_user._get_current_object(),
            )
        except services.AttendanceError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s has been added as a guest.", name=attendee.display_name), "success")
            return _to_list(session.id)
    return _list_page(session, guest_form=form)


@blueprint.route("/<int:attendee_id>/remove", methods=["POST"])
@roles_required(*ALL_STAFF)
def remove(session_id: int, attendee_id: int):
    attendee = _attendee_of(session_id, attendee_id)
    if attendee is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        name = attendee.display_name
        try:
            services.remove_added(attendee)
        except services.AttendanceError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("%(name)s has been removed from the list.", name=name), "success")
    return _to_list(session_id)


@blueprint.route("/close", methods=["POST"])
@roles_required(*ALL_STAFF)
def mark_remaining_absent(session_id: int):
    session = db.get_or_404(Session, session_id)
    if ConfirmForm().validate_on_submit():
        marked = services.mark_remaining_absent(session, current_user._get_current_object())
        db.session.commit()
        flash(
            ngettext(
                "%(num)d person still expected has been marked absent.",
                "%(num)d people still expected have been marked absent.",
                marked,
            ),
            "success",
        )
    return _to_list(session.id)


@blueprint.route("/attendance.<any(xlsx, csv):kind>")
@roles_required(*ALL_STAFF)
def export_attendance(session_id: int, kind: str):
    """The attendees the list's filters find (all pages) as a spreadsheet."""
    session = db.get_or_404(Session, session_id)
    filters = attendee_filter(request.args)
    data = export.attendance_file(session, filters, kind)
    return spreadsheet_download(data, f"attendance-session-{session.id}.{kind}")


@blueprint.route("/sign-in-sheet.pdf")
@roles_required(*ALL_STAFF)
def sign_in_sheet(session_id: int):
    # Imported here: the sheet has a module of its own and the list works without it.
    from eventsys.attendance.sign_in_sheet import sign_in_sheet_document

    session = db.get_or_404(Session, session_id)
    language = request.args.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])[:2]
    return preparation.respond(
        sign_in_sheet_document(session, language),
        back_url=url_for("attendance.list_attendees", session_id=session.id),
    )
