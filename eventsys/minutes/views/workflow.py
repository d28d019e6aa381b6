"""Moving minutes through their states: circulate, approve, publish, correct; and reading the
attendees' comments."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from eventsys.access import ALL_STAFF, PLANNERS, roles_required
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.i18n import local
from eventsys.minutes import approval, approved_pdf, workflow
from eventsys.minutes.errors import MinutesError
from eventsys.minutes.models import MinutesComment
from eventsys.minutes.views import blueprint
from eventsys.minutes.views.lookup import minutes_of_session_or_404
from eventsys.minutes.workflow_forms import CirculateForm, CommentDealtWithForm, CorrectionForm
from eventsys.outbox import confirmation


def _back_to_minutes(session_id: int):
    return redirect(url_for("minutes.edit", session_id=session_id) + "#workflow")


def _refused(error: MinutesError, session_id: int):
    db.session.rollback()
    flash(str(error), "error")
    return _back_to_minutes(session_id)


def _today():
    return local(utcnow()).date()


@blueprint.route("/session/<int:session_id>/circulate", methods=["POST"])
@roles_required(*ALL_STAFF)
def circulate(session_id: int):
    minutes = minutes_of_session_or_404(session_id)
    form = CirculateForm(today=_today())
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return _back_to_minutes(session_id)
    try:
        page = confirmation.ask_first(
            lambda: workflow.circulate(minutes, form.deadline_instant()),
            heading=_("Send the draft minutes for comments"),
            send_label=_("Send the draft"),
            back_url=url_for("minutes.edit", session_id=session_id) + "#workflow",
        )
        if page is not None:
            return page
        count = workflow.circulate(minutes, form.deadline_instant())
    except MinutesError as error:
        return _refused(error, session_id)
    db.session.commit()
    flash(
        ngettext(
            "The draft was sent to %(num)d attendee for comments.",
            "The draft was sent to %(num)d attendees for comments.",
            count,
        ),
        "success",
    )
    return _back_to_minutes(session_id)


@blueprint.route("/session/<int:session_id>/approve", methods=["POST"])
@roles_required(*PLANNERS)
def approve(session_id: int):
    minutes = minutes_of_session_or_404(session_id)
    matters = approval.open_matters(minutes)
    if matters and not minutes.state.frozen:
        page = confirmation.ask_once(
            heading=_("Approve version %(number)d", number=minutes.version_number),
            notes=[
                *matters,
                _(
                    "Approval freezes the text of this version and stores its PDF for the "
                    "files; later changes need a correction with a reason. Nobody gets mail "
                    "until the minutes are published."
                ),
            ],
            confirm_label=_("Approve all the same"),
            back_url=url_for("minutes.edit", session_id=session_id) + "#workflow",
        )
        if page is not None:
            return page
    try:
        version = workflow.approve(minutes, current_user)
    except MinutesError as error:
        return _refused(error, session_id)
    db.session.commit()  # and the PDF's rendering starts
    if approved_pdf.stored(version):  # rendered at once (DOCUMENT_PREPARATION "inline")
        message = _(
            "Version %(number)d is approved and frozen; its PDF is stored.", number=version.number
        )
    else:
        message = _(
            "Version %(number)d is approved and frozen. Its PDF is being prepared and is stored "
            "as soon as it is ready.",
            number=version.number,
        )
    flash(message, "success")
    return _back_to_minutes(session_id)


@blueprint.route("/session/<int:session_id>/ask-for-approval", methods=["POST"])
@roles_required(*ALL_STAFF)
def ask_for_approval(session_id: int):
    minutes = minutes_of_session_or_404(session_id)
    try:
        asked = approval.ask_for_approval(minutes, current_user)
    except MinutesError as error:
        return _refused(error, session_id)
    db.session.commit()
    flash(
        _(
            "Approval was asked of %(names)s by mail.",
            names=", ".join(user.name for user in asked),
        ),
        "success",
    )
    return _back_to_minutes(session_id)


@blueprint.route("/session/<int:session_id>/comments/<int:comment_id>/dealt-with", methods=["POST"])
@roles_required(*ALL_STAFF)
def comment_dealt_with(session_id: int, comment_id: int):
    minutes = minutes_of_session_or_404(session_id)
    comment = db.get_or_404(MinutesComment, comment_id)
    if comment.minutes_id != minutes.id:
        abort(404)
    back = redirect(url_for("minutes.comments", session_id=session_id) + f"#comment-{comment.id}")
    form = CommentDealtWithForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return back
    if approval.mark_dealt_with(comment, current_user, form.dealt_with.data == "1"):
        db.session.commit()
    return back


@blueprint.route("/session/<int:session_id>/publish", methods=["POST"])
@roles_required(*PLANNERS)
def publish(session_id: int):
    minutes = minutes_of_session_or_404(session_id)
    try:
        page = confirmation.ask_first(
            lambda: workflow.publish(minutes, current_user),
            heading=_("Publish the minutes"),
            send_label=_("Publish and send"),
            back_url=url_for("minutes.edit", session_id=session_id) + "#workflow",
        )
        if page is not None:
            return page
        count = workflow.publish(minutes, current_user)
    except MinutesError as error:
        return _refused(error, session_id)
    db.session.commit()
    flash(
        ngettext(
            "The minutes are published; %(num)d attendee was sent the link.",
            "The minutes are published; %(num)d attendees were sent the link.",
            count,
        ),
        "success",
    )
    latest = workflow.latest_version(minutes)
    if latest is not None and not approved_pdf.stored(latest):
        flash(
            _(
                "The PDF is still being prepared; until it is ready, the link in the mail opens "
                "a page that waits for it."
            ),
            "info",
        )
    return _back_to_minutes(session_id)


@blueprint.route("/session/<int:session_id>/correct", methods=["POST"])
@roles_required(*PLANNERS)
def correct(session_id: int):
    minutes = minutes_of_session_or_404(session_id)
    form = CorrectionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return _back_to_minutes(session_id)
    try:
        workflow.start_correction(minutes, form.reason.data, current_user)
    except MinutesError as error:
        return _refused(error, session_id)
    db.session.commit()
    flash(
        _(
            "Version %(number)d was started as a draft; the approved versions are kept.",
            number=minutes.version_number,
        ),
        "success",
    )
    return _back_to_minutes(session_id)


@blueprint.route("/session/<int:session_id>/comments")
@roles_required(*ALL_STAFF)
def comments(session_id: int):
    minutes = minutes_of_session_or_404(session_id)
    return render_template(
        "minutes/comments.html",
        minutes=minutes,
        session=minutes.session,
        comments=workflow.comments_of(minutes),
        dealt_with_form=CommentDealtWithForm(formdata=None),
    )


@blueprint.app_context_processor
def workflow_panel_helpers():
    """What templates/minutes/_workflow_panel.html needs, wherever it is included."""

    def workflow_panel(minutes):
        return {
            "circulate_form": CirculateForm(formdata=None, today=_today()),
            "correction_form": CorrectionForm(formdata=None),
            "comment_count": workflow.comment_count(minutes),
            "open_comment_count": approval.open_comment_count(minutes),
            "approvers": approval.approvers(minutes),
            "comments_open": workflow.comments_open(minutes),
            "may_approve": current_user.is_authenticated
            and current_user.role in workflow.APPROVERS,
            # The renderings of versions whose PDF is not stored yet, by version id.
            "pdf_renderings": approved_pdf.renderings(minutes.versions),
        }

    return {"workflow_panel": workflow_panel}
