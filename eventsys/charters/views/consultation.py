"""Consultation on a frozen version: organisers send it out, experts comment through their
signed link, the secretariat reads the comments at each recommendation and answers them."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.access import ALL_STAFF, PLANNERS, public, roles_required
from eventsys.charters import consultation, document
from eventsys.charters.consultation import RecipientGroup
from eventsys.charters.consultation_forms import (
    AnswerForm,
    ConsultationCommentForm,
    StartConsultationForm,
)
from eventsys.charters.content import clauses_of
from eventsys.charters.errors import CharterError
from eventsys.charters.models import CharterVersion, ConsultationComment
from eventsys.charters.states import CommentStatus, VersionState
from eventsys.charters.tokens import read_consultation_token
from eventsys.charters.versions import version_or_404
from eventsys.charters.views import blueprint
from eventsys.database import utcnow
from eventsys.documents import preparation
from eventsys.errors import refuse_link_of_deactivated_person
from eventsys.experts.models import Expert, WorkingGroup
from eventsys.extensions import db
from eventsys.i18n import format_local_date, local, page_language
from eventsys.invitations.selection import working_groups_with_sizes
from eventsys.outbox import confirmation
from eventsys.pdf import PdfRenderingError

SHOW_OPEN = "open"


# --- Starting a consultation (organisers) ---------------------------------------------------


def _start_form(version: CharterVersion) -> StartConsultationForm:
    counts = {
        group: len(consultation.candidates(version, group))
        for group in (RecipientGroup.ATTENDEES, RecipientGroup.EVERYONE)
    }
    return StartConsultationForm(
        today=local(utcnow()).date(), counts=counts, working_groups=working_groups_with_sizes()
    )


def _start_page(version: CharterVersion, form: StartConsultationForm, status: int = 200):
    return (
        render_template(
            "charters/consultation_start.html",
            version=version,
            charter=version.charter,
            form=form,
            may_start=version.state is not VersionState.ADOPTED,
            recipient_count=len(consultation.recipient_ids(version)),
            last_day=consultation.last_comment_day(version),
        ),
        status,
    )


@blueprint.route(
    "/<int:charter_id>/versions/<int:major>.<int:minor>/consultation", methods=["GET", "POST"]
)
@roles_required(*PLANNERS)
def start_consultation(charter_id: int, major: int, minor: int):
    version = version_or_404(charter_id, major, minor)
    form = _start_form(version)
    if not form.is_submitted():
        return _start_page(version, form)
    if not form.validate():
        return _start_page(version, form, status=422)
    working_group = None
    if form.group() is RecipientGroup.WORKING_GROUP:
        working_group = db.session.get(WorkingGroup, form.working_group.data)
        if working_group is None:
            form.working_group.errors = [_("Please choose the working group.")]
            return _start_page(version, form, status=422)
    experts = consultation.candidates(version, form.group(), working_group)
    try:
        page = confirmation.ask_first(
            lambda: consultation.start(version, experts, form.deadline_instant(), current_user),
            heading=_("Send version %(label)s for comments", label=version.label),
            send_label=_("Send for comments"),
            back_url=request.path,
        )
        if page is not None:
            return page
        count = consultation.start(version, experts, form.deadline_instant(), current_user)
    except CharterError as error:
        db.session.rollback()
        form.form_errors.append(str(error))
        return _start_page(version, form, status=422)
    db.session.commit()
    last_day = format_local_date(consultation.last_comment_day(version))
    if count:
        message = ngettext(
            "Version %(label)s was sent to %(num)d expert for comments until %(day)s.",
            "Version %(label)s was sent to %(num)d experts for comments until %(day)s.",
            count,
            label=version.label,
            day=last_day,
        )
    else:
        message = _(
            "Everyone chosen had already been sent version %(label)s; comments are now taken "
            "until %(day)s.",
            label=version.label,
            day=last_day,
        )
    flash(message, "success")
    return redirect(
        url_for("charters.consultation_comments", charter_id=charter_id, major=major, minor=minor)
    )


# --- The comments and their answers (staff) -------------------------------------------------


@blueprint.route("/<int:charter_id>/versions/<int:major>.<int:minor>/comments")
@roles_required(*ALL_STAFF)
def consultation_comments(charter_id: int, major: int, minor: int):
    version = version_or_404(charter_id, major, minor)
    only_open = request.args.get("show") == SHOW_OPEN
    comments = consultation.comments_of(version, only_open=only_open)
    status_counts = consultation.status_counts(version)
    return render_template(
        "charters/consultation_comments.html",
        version=version,
        charter=version.charter,
        content=version.content,
        places=consultation.sorted_by_place(comments),
        only_open=only_open,
        status_counts=status_counts,
        open_count=status_counts[CommentStatus.OPEN],
        recipient_count=len(consultation.recipient_ids(version)),
        last_day=consultation.last_comment_day(version),
        comments_open=consultation.comments_open(version),
        may_start=current_user.role in consultation.CONSULTING_ROLES
        and version.state is not VersionState.ADOPTED,
        show=SHOW_OPEN if only_open else "",
    )


@blueprint.route("/<int:charter_id>/comments/<int:charter_comment_id>/answer", methods=["POST"])
@roles_required(*ALL_STAFF)
def answer_comment(charter_id: int, charter_comment_id: int):
    comment = db.get_or_404(ConsultationComment, charter_comment_id)
    version = comment.version
    if version.charter_id != charter_id:
        abort(404)
    form = AnswerForm()
    back = redirect(
        url_for(
            "charters.consultation_comments",
            charter_id=charter_id,
            major=version.major,
            minor=version.minor,
            show=SHOW_OPEN if form.show.data == SHOW_OPEN else None,
        )
        + f"#comment-{comment.id}"
    )
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(error) for error in errors), "error")
        return back
    try:
        consultation.answer(comment, form.answer_text(), current_user, resolve=form.resolves())
    except CharterError as error:
        db.session.rollback()
        flash(str(error), "error")
        return back
    db.session.commit()
    flash(
        _(
            "The comment of %(name)s is now: %(status)s.",
            name=comment.expert.full_name,
            status=comment.status.label,
        ),
        "success",
    )
    return back


# --- The experts' page, through their signed link -------------------------------------------


def _recipient_or_404(token: str) -> tuple[CharterVersion, Expert]:
    found = read_consultation_token(token)
    if found is None:
        abort(404)
    version, expert = found
    if not expert.active:
        refuse_link_of_deactivated_person()
    if not consultation.is_recipient(version, expert):
        abort(404)
    return version, expert


def _consult_page(
    token: str,
    version: CharterVersion,
    expert: Expert,
    form: ConsultationCommentForm,
    status: int = 200,
):
    later = consultation.later_version(version)
    return (
        render_template(
            "charters/consult.html",
            token=token,
            version=version,
            charter=version.charter,
            content=version.content,
            expert=expert,
            form=form,
            comments_open=consultation.comments_open(version),
            last_day=consultation.last_comment_day(version),
            own_comments=consultation.comments_of(version, expert=expert),
            chapters={chapter["id"]: chapter for chapter in version.content["chapters"]},
            clauses={clause["id"]: clause for clause in clauses_of(version.content)},
            later=later,
            fates=consultation.clause_fates(version, later) if later is not None else {},
        ),
        status,
    )


@blueprint.route("/consult/<token>", methods=["GET", "POST"])
@public
def consult(token: str):
    version, expert = _recipient_or_404(token)
    with force_locale(page_language(expert.language)):
        form = ConsultationCommentForm()
        if not form.is_submitted():
            return _consult_page(token, version, expert, form)
        if not form.validate():
            return _consult_page(token, version, expert, form, status=422)
        chapter_id, clause_id = form.place()
        try:
            consultation.add_comment(
                version, expert, chapter_id=chapter_id, clause_id=clause_id, text=form.text.data
            )
        except CharterError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
            return _consult_page(token, version, expert, form, status=422)
        db.session.commit()
        flash(_("Thank you – your comment has been recorded."), "success")
        return redirect(url_for("charters.consult", token=token) + "#your-comments")


@blueprint.route("/consult/<token>/charter.pdf")
@public
def consult_pdf(token: str):
    """The version the expert was asked about, as PDF in their language."""
    version, expert = _recipient_or_404(token)
    language = page_language(expert.language)
    with force_locale(language):
        try:
            text = document.charter_document(
                version.content,
                subject=f"charter-version:{version.id}:{language}",
                language=language,
                state_label=version.state.label,
                frozen_at=version.frozen_at,
            )
        except PdfRenderingError:
            abort(422)
        return preparation.respond(text, back_url=url_for("charters.consult", token=token))
