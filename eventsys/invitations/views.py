"""Invitation pages: the organisers' invite and answers pages, and the experts' answer page."""

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eventsys.access import ALL_STAFF, PLANNERS, public, roles_required
from eventsys.errors import refuse_link_of_deactivated_person
from eventsys.experts.checks import DirectoryError
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.i18n import page_language
from eventsys.invitations import deputies, mail, overview, rsvp, selection, services
from eventsys.invitations.forms import (
    AgendaUpdateForm,
    DeputyDecisionForm,
    InvitationFilterForm,
    InviteForm,
    RemindChosenForm,
    RsvpForm,
    SetAnswerForm,
    WithdrawForm,
    invitation_filter,
)
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.states import AttendanceMode, Channel
from eventsys.invitations.states import Response as ResponseState
from eventsys.invitations.tokens import read_rsvp_token
from eventsys.outbox import confirmation
from eventsys.query_arguments import page_number
from eventsys.sessions.models import Session
from eventsys.spreadsheets import spreadsheet_download

blueprint = Blueprint("invitations", __name__)


@blueprint.app_template_global("invitation_summary")
def invitation_summary(session: Session) -> overview.AnswerSummary:
    """The answer counts for the session page's invitations box."""
    return overview.answer_summary(session)


def _session_or_404(session_id: int) -> Session:
    return db.first_or_404(
        sa.select(Session).where(Session.id == session_id).options(selectinload(Session.organisers))
    )


def _invitation_or_404(session_id: int, invitation_id: int) -> Invitation:
    """The invitation, if it belongs to this session; one of another session is not found."""
    return db.first_or_404(
        sa.select(Invitation).where(
            Invitation.id == invitation_id, Invitation.session_id == session_id
        )
    )


def _to_list(session_id: int):
    return redirect(url_for("invitations.list_invitations", session_id=session_id))


def _to_invitation(session_id: int, invitation_id: int):
    return redirect(
        url_for("invitations.show_invitation", session_id=session_id, invitation_id=invitation_id)
    )


@blueprint.route("/sessions/<int:session_id>/invitations")
@roles_required(*ALL_STAFF)
def list_invitations(session_id: int):
    """A page of the invitations as filtered, with the counts of all of them; the rows carry
    one checkbox each for the one reminder form of the page, and link to their own page."""
    session = _session_or_404(session_id)
    filters = invitation_filter(request.args)
    filter_form = InvitationFilterForm(formdata=None)
    filter_form.offer(filters)
    return render_template(
        "invitations/list.html",
        session=session,
        totals=overview.answer_totals(session),
        listing=overview.invitation_page(session, filters, page_number(request.args)),
        filters=filters,
        filter_form=filter_form,
        answer_keys=overview.ANSWER_KEYS,
        answer_labels=overview.ANSWER_LABELS,
        waitlisted=overview.WAITLISTED,
        withdrawn=overview.WITHDRAWN,
        can_plan=current_user.role in PLANNERS,
        remind_form=RemindChosenForm(formdata=None),
        proposals=deputies.proposals_to_decide(session),
        proposal_form=DeputyDecisionForm(formdata=None),
    )


@blueprint.route("/sessions/<int:session_id>/invitations/<int:invitation_id>")
@roles_required(*ALL_STAFF)
def show_invitation(session_id: int, invitation_id: int):
    """One invitation: its answer and history, the mail sent about it, and the changes staff
    make by hand (an answer that came another way; withdrawing it)."""
    session = _session_or_404(session_id)
    invitation = db.first_or_404(
        sa.select(Invitation)
        .where(Invitation.id == invitation_id, Invitation.session_id == session_id)
        .options(
            selectinload(Invitation.expert).selectinload(Expert.organisation),
            selectinload(Invitation.answers).selectinload(InvitationAnswer.recorded_by),
            selectinload(Invitation.delegated_to).selectinload(Invitation.expert),
        )
    )
    return render_template(
        "invitations/detail.html",
        session=session,
        row=overview.invitation_detail(invitation),
        answer_labels=overview.ANSWER_LABELS,
        can_plan=current_user.role in PLANNERS,
        answer_form=SetAnswerForm(formdata=None),
        withdraw_form=WithdrawForm(formdata=None),
    )


@blueprint.route("/sessions/<int:session_id>/invitations.csv")
@roles_required(*ALL_STAFF)
def export_csv(session_id: int):
    session = db.get_or_404(Session, session_id)
    return spreadsheet_download(
        overview.answers_csv(session), f"invitations-session-{session.id}.csv"
    )


@blueprint.route("/sessions/<int:session_id>/invitations.xlsx")
@roles_required(*ALL_STAFF)
def export_xlsx(session_id: int):
    session = db.get_or_404(Session, session_id)
    return spreadsheet_download(
        overview.answers_xlsx(session), f"invitations-session-{session.id}.xlsx"
    )


def _offer_choices(form: InviteForm, session: Session) -> None:
    """The groups, the experts ticked so far and a page of search results, if searched."""
    previous = selection.previous_session(session)
    chosen = selection.experts_with_ids(form.ticked_expert_ids())
    results = None
    if form.q.data and not form.q.errors:
        results = selection.search_experts_to_choose(form.q.data, form.results_page.data or 1)
    shown = [*chosen, *(results.items if results else [])]
    form.offer(
        chosen=chosen,
        results=list(results.items) if results else [],
        working_groups=selection.working_groups_with_sizes(),
        previous=previous,
        previous_invitees=selection.count_invitees(previous) if previous is not None else 0,
        invited_ids=selection.invited_among(session, (expert.id for expert in shown)),
    )
    form.result_pages = results


def _invite_page(session: Session, form: InviteForm):
    return render_template(
        "invitations/invite.html",
        session=session,
        form=form,
        closed_reason=selection.closed_for_invitations(session),
    )


def _preview_page(session: Session, form: InviteForm, plan: selection.SelectionPlan):
    form.selection_count.data = plan.to_invite_count
    form.selection_digest.data = plan.digest
    return render_template("invitations/preview.html", session=session, form=form, plan=plan)


@blueprint.route("/sessions/<int:session_id>/invitations/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
def invite(session_id: int):
    session = _session_or_404(session_id)
    form = InviteForm()
    if form.is_search:
        form.q.validate(form)
        _offer_choices(form, session)
        return _invite_page(session, form)
    _offer_choices(form, session)
    if not (form.validate_on_submit() and not form.change.data):
        return _invite_page(session, form)
    if form.send.data:
        experts = selection.experts_to_send(
            session, form.choice(), form.selection_digest.data or ""
        )
        if experts is None or len(experts) != form.selection_count.data:
            # Someone joined a group, was invited or deactivated since the preview: show the
            # selection as it is now rather than invite others than those previewed.
            form.form_errors.append(
                _(
                    "The selection has changed since the preview. Nothing has been sent; "
                    "please check the experts below and confirm again."
                )
            )
            return _preview_page(session, form, selection.plan_selection(session, form.choice()))
        try:
            result = services.invite_experts(session, experts)
        except services.InvitationError as error:
            db.session.rollback()
            flash(str(error), "error")
            return _to_list(session.id)
        db.session.commit()
        flash(
            ngettext("%(num)d invitation sent.", "%(num)d invitations sent.", len(result.invited))
            + " "
            + _(
                "Skipped: %(already)d already invited, %(inactive)d inactive.",
                already=len(result.already_invited),
                inactive=len(result.inactive),
            ),
            "success",
        )
        return _to_list(session.id)
    return _preview_page(session, form, selection.plan_selection(session, form.choice()))


@blueprint.route("/sessions/<int:session_id>/agenda-update", methods=["POST"])
@roles_required(*PLANNERS)
def send_agenda_update(session_id: int):
    """Bring the invitees' calendars up to date with the edited agenda, after a look at who
    gets mail."""
    session = _session_or_404(session_id)
    back = url_for("sessions.show_session", session_id=session_id)
    if not AgendaUpdateForm().validate_on_submit():
        flash(_("The form has expired. Please send it again."), "error")
        return redirect(back)
    page = confirmation.ask_first(
        lambda: services.send_agenda_update(session),
        heading=_("Send the new agenda"),
        send_label=_("Send the update"),
        back_url=back,
    )
    if page is not None:
        return page
    count = services.send_agenda_update(session)
    db.session.commit()
    flash(
        ngettext(
            "The new agenda is on its way to %(num)d invitee.",
            "The new agenda is on its way to %(num)d invitees.",
            count,
        ),
        "success",
    )
    return redirect(back)


@blueprint.route(
    "/sessions/<int:session_id>/invitations/<int:invitation_id>/withdraw", methods=["POST"]
)
@roles_required(*PLANNERS)
def withdraw(session_id: int, invitation_id: int):
    invitation = _invitation_or_404(session_id, invitation_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        name = invitation.expert.full_name
        try:
            services.withdraw_invitation(invitation)
        except services.InvitationError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "The invitation of %(name)s has been withdrawn; a cancellation is on its way.",
                    name=name,
                ),
                "success",
            )
    return _to_list(session_id)


@blueprint.route(
    "/sessions/<int:session_id>/invitations/<int:invitation_id>/answer", methods=["POST"]
)
@roles_required(*ALL_STAFF)
def set_answer(session_id: int, invitation_id: int):
    invitation = _invitation_or_404(session_id, invitation_id)
    form = SetAnswerForm()
    if not form.validate_on_submit():
        flash(_("Please choose an answer."), "error")
        return _to_invitation(session_id, invitation_id)
    try:
        services.record_answer(
            invitation,
            form.response.data,
            Channel.MANUAL,
            comment=form.comment.data or "",
            attendance_mode=form.attendance_mode.data,
        )
    except services.InvitationError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(
            _(
                "The answer of %(name)s has been recorded: %(answer)s.",
                name=invitation.expert.full_name,
                answer=form.response.data.label,
            ),
            "success",
        )
    return _to_invitation(session_id, invitation_id)


@blueprint.route("/sessions/<int:session_id>/deputy-proposals/<int:proposal_id>", methods=["POST"])
@roles_required(*PLANNERS)
def decide_deputy(session_id: int, proposal_id: int):
    session = _session_or_404(session_id)
    proposal = deputies.proposal_of(session, proposal_id)
    if proposal is None:
        abort(404)
    form = DeputyDecisionForm()
    if not form.validate_on_submit():
        flash(_("Please confirm or decline the deputy."), "error")
        return _to_list(session_id)
    name, invitee = proposal.full_name, proposal.invitation.expert.full_name
    try:
        if form.confirm.data:
            deputies.confirm_proposal(
                proposal, current_user.id, form.first_name.data or "", form.last_name.data or ""
            )
            name = proposal.full_name
            message = _(
                "%(name)s has been invited as the deputy of %(invitee)s.",
                name=name,
                invitee=invitee,
            )
        else:
            deputies.decline_proposal(proposal, current_user.id)
            message = _(
                "%(name)s has not been invited. Please let %(invitee)s know.",
                name=name,
                invitee=invitee,
            )
    except (services.InvitationError, DirectoryError) as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return _to_list(session_id)


@blueprint.route("/rsvp/<token>", methods=["GET", "POST"])
@blueprint.route("/rsvp/<token>/<answer>", methods=["GET", "POST"])
@public
def respond(token: str, answer: str = ""):
    # A GET never records anything: mail gateways open every link to scan it.
    invitation, expired = read_rsvp_token(token)
    if invitation is None:
        return render_template("invitations/rsvp_invalid.html"), 404
    expert = invitation.expert
    with force_locale(page_language(invitation.expert.language)):
        state = rsvp.link_state(invitation, expired)
        if state is rsvp.LinkState.DEACTIVATED:
            refuse_link_of_deactivated_person(rsvp.contact_for(invitation).names)
        form = RsvpForm(data={"response": _preselected(invitation, answer)})
        form.offer(rsvp.usable_deputy(expert))
        if state is rsvp.LinkState.OPEN and form.validate_on_submit():
            try:
                outcome = rsvp.answer_by_link(invitation, expired, form.answer())
            except services.InvitationError as error:
                db.session.rollback()
                form.form_errors.append(str(error))
            else:
                db.session.commit()
                flash(_confirmation(outcome, invitation), "success")
                return redirect(url_for("invitations.respond", token=token))
        quick = _quick_answer(invitation, state, answer) if not form.errors else None
        return _answer_page(invitation, state, form, token, quick)


def _quick_answer(invitation: Invitation, state: rsvp.LinkState, answer: str):
    """The answer a mail's button stood for, to confirm with one click; None when there is
    nothing to confirm (no such button, the link takes no answers, or that answer is the one
    recorded for the current version)."""
    if state is not rsvp.LinkState.OPEN:
        return None
    chosen = next((r for r in rsvp.LINK_RESPONSES if r.value == answer), None)
    if chosen is None:
        return None
    if invitation.response == chosen and not invitation.answered_earlier_version:
        return None
    return chosen


QUICK_BUTTONS = {
    "accepted": lambda: _("Confirm acceptance"),
    "tentative": lambda: _("Confirm acceptance with reservation"),
    "declined": lambda: _("Confirm decline"),
}


def _preselected(invitation: Invitation, answer: str) -> str | None:
    """The answer the link's button stands for, else the one given so far, if any."""
    offered = {response.value for response in rsvp.LINK_RESPONSES}
    if answer in offered:
        return answer
    current = invitation.response.value
    return current if current in offered else None


def _confirmation(outcome: rsvp.LinkOutcome, invitation: Invitation) -> str:
    """Exactly what was recorded, what happens to the expert's calendar, and how to change it."""
    deadline = mail.format_deadline(
        invitation.session.rsvp_deadline,
        page_language(invitation.expert.language),
        invitation.expert.timezone,
    )
    if deadline:
        change = _("You can change your answer on this page until %(deadline)s.", deadline=deadline)
    else:
        change = _("You can change your answer on this page at any time.")
    if outcome.proposal is not None:
        # Only what the expert typed: the directory's data about that address stays unshown.
        said = _(
            "Thank you. You have named %(name)s (%(email)s) as your deputy. The organisers "
            "confirm your deputy, who then receives an invitation of their own. The session is "
            "removed from your calendar.",
            name=outcome.proposal.full_name,
            email=outcome.proposal.email,
        )
    elif outcome.deputy is not None:
        said = _(
            "Thank you. %(name)s has been invited as your deputy and receives an invitation "
            "of their own. The session is removed from your calendar.",
            name=outcome.deputy.full_name,
        )
    elif outcome.waitlisted:
        if invitation.attendance_mode == AttendanceMode.ONLINE:
            said = _(
                "Thank you for your acceptance. All places online are taken at the moment, so "
                "you are on the waiting list. We will write to you as soon as a place becomes "
                "free."
            )
        elif invitation.session.is_hybrid:
            said = _(
                "Thank you for your acceptance. All seats in the room are taken at the moment, "
                "so you are on the waiting list for one. We will write to you as soon as a seat "
                "becomes free; until then you can take part online."
            )
        else:
            said = _(
                "Thank you for your acceptance. All places are taken at the moment, so you are "
                "on the waiting list. We will write to you as soon as a place becomes free."
            )
    elif invitation.response == ResponseState.DECLINED:
        said = _(
            "Your decline has been recorded. The session is removed from your calendar; a "
            "confirmation is on its way by e-mail."
        )
    elif invitation.response == ResponseState.TENTATIVE:
        said = _(
            "Your acceptance with reservation has been recorded. A confirmation with the "
            "calendar entry is on its way by e-mail."
        )
    elif invitation.attendance_mode == AttendanceMode.ONLINE:
        said = _(
            "Your acceptance has been recorded: you take part online. A confirmation with the "
            "calendar entry is on its way by e-mail."
        )
    elif invitation.attendance_mode == AttendanceMode.IN_PERSON:
        said = _(
            "Your acceptance has been recorded: you take part in person. A confirmation with "
            "the calendar entry is on its way by e-mail."
        )
    else:
        said = _(
            "Your acceptance has been recorded. A confirmation with the calendar entry is on "
            "its way by e-mail."
        )
    return f"{said} {change}"


def _answer_page(
    invitation: Invitation,
    state: rsvp.LinkState,
    form: RsvpForm,
    token: str,
    quick_answer: ResponseState | None = None,
):
    session = invitation.session
    expert = invitation.expert
    language = page_language(invitation.expert.language)
    status = 410 if state is rsvp.LinkState.EXPIRED else 200
    return (
        render_template(
            "invitations/rsvp.html",
            invitation=invitation,
            session=session,
            expert=expert,
            language=language,
            session_title=session.title_for(language),
            state=state,
            states=rsvp.LinkState,
            form=form,
            token=token,
            when=mail.describe_when(session, language, expert.timezone),
            deadline=mail.format_deadline(session.rsvp_deadline, language, expert.timezone),
            answered_at=mail.format_deadline(invitation.responded_at, language, expert.timezone),
            waitlist_position=rsvp.waitlist_position(invitation),
            contact=rsvp.contact_for(invitation),
            place=_place_line(session),
            quick_answer=quick_answer,
            quick_button=QUICK_BUTTONS[quick_answer.value]() if quick_answer else "",
        ),
        status,
    )


def _place_line(session: Session) -> str:
    """Where, in a few words for the page's second line: the venue, and "online" beside it."""
    venue = ", ".join(part for part in (session.venue_address, session.venue_room) if part)
    if venue and session.online_url:
        return _("%(venue)s and online", venue=venue)
    return venue or (_("Online") if session.online_url else "")
