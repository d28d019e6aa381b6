"""The review queue of messages that arrived, the upload of .eml and .msg files, and the
counter-proposals shown with a session's invitations."""

import logging
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.access import ALL_STAFF, PLANNERS, roles_required
from eventsys.audit import services as audit
from eventsys.extensions import db
from eventsys.query_arguments import page_number
from eventsys.replies import decisions, outlook_files, review
from eventsys.replies.forms import (
    DECISION_LABELS,
    DealtWithForm,
    DecisionForm,
    UploadForm,
    invitation_choices,
)
from eventsys.replies.models import CounterProposal, InboundMessage
from eventsys.replies.parsing import parse_message
from eventsys.replies.receiving import Receipt, describe_error, receive
from eventsys.replies.states import Outcome, Source
from eventsys.sessions.models import Session

blueprint = Blueprint("replies", __name__, url_prefix="/replies")
log = logging.getLogger(__name__)


@blueprint.app_template_global("counter_proposals")
def counter_proposals(session: Session) -> list[CounterProposal]:
    """The open counter-proposals of `session`, for its invitations page."""
    return review.counter_proposals_for(session)


ALL = "all"
# How much of a message's source the page shows; attachments can be megabytes.
SOURCE_SHOWN = 100_000


def _chosen_outcome() -> tuple[str, Outcome | None]:
    """The outcome filter: one outcome, or all; by default the messages waiting for a person."""
    value = request.args.get("outcome", Outcome.NEEDS_REVIEW.value)
    if value == ALL:
        return ALL, None
    if value not in {outcome.value for outcome in Outcome}:
        value = Outcome.NEEDS_REVIEW.value
    return value, Outcome(value)


@blueprint.route("/")
@roles_required(*ALL_STAFF)
def list_messages():
    chosen, outcome = _chosen_outcome()
    page = review.list_messages(outcome, page=page_number(request.args))
    return render_template(
        "replies/list.html",
        page=page,
        chosen=chosen,
        outcomes=list(Outcome),
        counts=review.count_by_outcome(),
    )


def _decision_form(message: InboundMessage) -> DecisionForm:
    choices = review.invitation_choices_for(message)
    session = review.session_of(message)
    form = DecisionForm()
    form.invitation.choices = invitation_choices(choices, grouped=session is None)
    if not form.is_submitted():
        suggestion = review.suggested_invitation(message, choices)
        form.invitation.data = suggestion.id if suggestion is not None else None
    return form


def _render_message(message: InboundMessage, form: DecisionForm | None):
    parsed = parse_message(message.raw_message)
    source_text = message.raw_message[:SOURCE_SHOWN].decode("utf-8", "replace")
    return render_template(
        "replies/show.html",
        message=message,
        parsed=parsed,
        calendar=parsed.calendar,
        session=review.session_of(message),
        form=form,
        decision_labels=DECISION_LABELS,
        source_text=source_text,
        source_cut=len(message.raw_message) > SOURCE_SHOWN,
    )


@blueprint.route("/<int:message_id>")
@roles_required(*ALL_STAFF)
def show_message(message_id: int):
    message = db.get_or_404(InboundMessage, message_id)
    form = _decision_form(message) if message.outcome in decisions.OPEN_OUTCOMES else None
    return _render_message(message, form)


@blueprint.route("/<int:message_id>/decide", methods=["POST"])
@roles_required(*ALL_STAFF)
def decide(message_id: int):
    message = db.get_or_404(InboundMessage, message_id)
    if message.outcome not in decisions.OPEN_OUTCOMES:
        flash(_("This message has been dealt with already."), "error")
        return redirect(url_for("replies.show_message", message_id=message.id))
    form = _decision_form(message)
    if not form.validate_on_submit():
        return _render_message(message, form), 400
    invitation = None
    if form.invitation.data is not None:
        invitation = next(
            (i for i in review.invitation_choices_for(message) if i.id == form.invitation.data),
            None,
        )
    try:
        decisions.decide(message, form.decision.data, invitation)
    except decisions.ReplyError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("replies.show_message", message_id=message_id))
    db.session.commit()
    if form.decision.data == "ignore":
        flash(_("The message has been set aside."), "success")
    else:
        flash(
            _(
                "Answer recorded for %(invitee)s: %(answer)s.",
                invitee=invitation.expert.full_name,
                answer=DECISION_LABELS[form.decision.data],
            ),
            "success",
        )
    return redirect(url_for("replies.list_messages"))


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    receipt: Receipt | None  # None when the file could not be stored
    problem: str = ""


@blueprint.route("/upload", methods=["GET", "POST"])
@roles_required(*ALL_STAFF)
def upload():
    form = UploadForm()
    results: list[UploadedFile] = []
    if form.validate_on_submit():
        for upload in form.files.data:
            results.append(_take_in_upload(upload.filename or "", upload.read()))
    elif form.is_submitted():
        return render_template("replies/upload.html", form=form, results=results), 400
    return render_template("replies/upload.html", form=form, results=results)


def _take_in_upload(filename: str, raw: bytes) -> UploadedFile:
    """Store and act on one uploaded file in a transaction of its own; a file that cannot be
    stored is reported on the page, and the others are still taken in. An Outlook .msg file is
    taken in as the mail it holds (recognised by its content, whatever its name)."""
    if filename.lower().endswith(".msg") or outlook_files.looks_like_msg(raw):
        try:
            raw = outlook_files.message_from_msg(raw)
        except outlook_files.NotAnOutlookMessage as error:
            log.info("Uploaded file %r is no readable Outlook message: %s", filename, error)
            return UploadedFile(
                filename,
                None,
                _(
                    "This file is not an Outlook message that can be read. Please save the "
                    "mail from Outlook again (File, Save As, “Outlook Message Format”), or "
                    "as .eml."
                ),
            )
    try:
        receipt = receive(raw, Source.UPLOAD)
        if not receipt.repeated:
            audit.record(
                "reply.uploaded",
                receipt.message,
                f"{filename} uploaded as inbound message {receipt.message.id}",
            )
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("Uploaded file %r could not be stored", filename)
        return UploadedFile(
            filename,
            None,
            _(
                "This file could not be stored (%(error)s). Please try again later; the other "
                "files were taken in.",
                error=describe_error(error),
            ),
        )
    return UploadedFile(filename, receipt)


@blueprint.route(
    "/sessions/<int:session_id>/counter-proposals/<int:proposal_id>/dealt-with",
    methods=["POST"],
)
@roles_required(*PLANNERS)
def counter_dealt_with(session_id: int, proposal_id: int):
    session = db.get_or_404(Session, session_id)
    proposal = review.counter_proposal_of(session, proposal_id)
    if proposal is None:
        abort(404)
    back = redirect(
        url_for("invitations.list_invitations", session_id=session.id, _anchor="counter-proposals")
    )
    if not DealtWithForm().validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return back
    try:
        decisions.mark_dealt_with(proposal, current_user.id)
    except decisions.ReplyError as error:
        db.session.rollback()
        flash(str(error), "error")
        return back
    db.session.commit()
    flash(
        _(
            "The counter-proposal of %(name)s is marked as dealt with.",
            name=proposal.invitation.expert.full_name,
        ),
        "success",
    )
    return back
