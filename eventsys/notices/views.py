"""The session page's parts about answers (template globals) and the organiser's choice of
notices, sent from that page."""

from datetime import datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eventsys.access import PLANNERS, roles_required
from eventsys.extensions import db
from eventsys.notices import preferences
from eventsys.notices.forms import NoticeChoiceForm
from eventsys.notices.models import NoticeChoice
from eventsys.notices.recent import RecentAnswers, answers_since
from eventsys.sessions.models import Session

blueprint = Blueprint("notices", __name__)

CONFIRMATIONS = {
    NoticeChoice.EACH: lambda: _("You will get a mail for each answer to this session."),
    NoticeChoice.DIGEST: lambda: _("You will get one mail a day with the answers to this session."),
    NoticeChoice.NONE: lambda: _("You will get no mail about answers to this session."),
}


@blueprint.app_template_global("recent_answers")
def recent_answers(session: Session, since: datetime | None) -> RecentAnswers:
    """The answers recorded since the reader's previous visit, for the session page."""
    return answers_since(session, since, current_user)


@blueprint.app_template_global("answer_notice_form")
def answer_notice_form(session: Session) -> NoticeChoiceForm | None:
    """The reader's choice of notices for the session page; None unless they are one of the
    organisers responsible for it."""
    if current_user.role not in PLANNERS or not preferences.is_responsible(session, current_user):
        return None
    return NoticeChoiceForm(
        formdata=None, data={"choice": preferences.choice_of(session, current_user)}
    )


@blueprint.route("/sessions/<int:session_id>/answer-notices", methods=["POST"])
@roles_required(*PLANNERS)
def choose(session_id: int):
    """Set the signed-in organiser's own choice; anyone not responsible for the session is
    refused."""
    session = db.first_or_404(
        sa.select(Session).where(Session.id == session_id).options(selectinload(Session.organisers))
    )
    if not preferences.is_responsible(session, current_user):
        abort(403)
    form = NoticeChoiceForm()
    if form.validate_on_submit():
        if preferences.set_choice(session, current_user, form.choice.data):
            db.session.commit()
        flash(CONFIRMATIONS[form.choice.data](), "success")
    else:  # nothing chosen, or a value the form does not offer
        flash(_("Please choose how you want to hear about answers."), "error")
    return redirect(url_for("sessions.show_session", session_id=session.id) + "#answer-notices")
