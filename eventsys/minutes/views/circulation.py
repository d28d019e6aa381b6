"""Attendees read circulated minutes through a signed link and comment per TOP; after approval
the same link gives the approved PDF."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventsys.access import public
from eventsys.documents import preparation
from eventsys.errors import refuse_link_of_deactivated_person
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.i18n import page_language
from eventsys.minutes import approved_pdf, document, snapshot, workflow
from eventsys.minutes.errors import MinutesError
from eventsys.minutes.models import ActionItem, Minutes, MinutesComment, MinutesTopic
from eventsys.minutes.states import MinutesState
from eventsys.minutes.tokens import read_reader_token
from eventsys.minutes.views import blueprint
from eventsys.minutes.workflow_forms import CommentForm
from eventsys.pdf import PdfRenderingError


def _reader_or_404(token: str) -> tuple[Minutes, Expert]:
    found = read_reader_token(token)
    if found is None:
        abort(404)
    minutes, expert = found
    if not expert.active:
        refuse_link_of_deactivated_person()
    if not workflow.may_read(minutes, expert):
        abort(404)
    return minutes, expert


def _topics_for_reading(minutes: Minutes) -> list[MinutesTopic]:
    query = (
        sa.select(MinutesTopic)
        .where(MinutesTopic.minutes_id == minutes.id)
        .options(
            selectinload(MinutesTopic.decisions),
            selectinload(MinutesTopic.action_items).selectinload(ActionItem.owner_expert),
            selectinload(MinutesTopic.action_items).selectinload(ActionItem.owner_organisation),
            selectinload(MinutesTopic.recommendations),
        )
        .order_by(MinutesTopic.position)
    )
    return list(db.session.scalars(query))


def _own_comments(minutes: Minutes, expert: Expert) -> list[MinutesComment]:
    query = (
        sa.select(MinutesComment)
        .where(MinutesComment.minutes_id == minutes.id, MinutesComment.expert_id == expert.id)
        .options(selectinload(MinutesComment.topic))
        .order_by(MinutesComment.created_at, MinutesComment.id)
    )
    return list(db.session.scalars(query))


def _reading_page(token: str, minutes: Minutes, expert: Expert, form: CommentForm, status=200):
    topics = _topics_for_reading(minutes)
    return (
        render_template(
            "minutes/read.html",
            token=token,
            minutes=minutes,
            session=minutes.session,
            expert=expert,
            topics=topics,
            form=form,
            comments_open=workflow.comments_open(minutes),
            own_comments=_own_comments(minutes, expert),
            latest=workflow.latest_version(minutes),
        ),
        status,
    )


@blueprint.route("/read/<token>", methods=["GET", "POST"])
@public
def read(token: str):
    minutes, expert = _reader_or_404(token)
    with force_locale(page_language(expert.language)):
        form = CommentForm()
        if form.is_submitted():
            if not form.validate():
                return _reading_page(token, minutes, expert, form, status=422)
            try:
                workflow.add_comment(minutes, expert, form.topic_id(), form.text.data)
            except MinutesError as error:
                db.session.rollback()
                form.form_errors.append(str(error))
                return _reading_page(token, minutes, expert, form, status=422)
            db.session.commit()
            flash(_("Thank you – your comment has been recorded."), "success")
            return redirect(url_for("minutes.read", token=token) + "#your-comments")
        return _reading_page(token, minutes, expert, form)


@blueprint.route("/read/<token>/minutes.pdf")
@public
def read_pdf(token: str):
    """The approved PDF once there is one; while the minutes are circulated, the draft."""
    minutes, expert = _reader_or_404(token)
    latest = workflow.latest_version(minutes)
    language = page_language(expert.language)
    if minutes.state.frozen and latest is not None:
        with force_locale(language):
            return approved_pdf.pdf_or_page(latest, back_url=url_for("minutes.read", token=token))
    if minutes.state is MinutesState.CIRCULATED:
        try:
            draft = document.draft_document(
                snapshot.take(minutes), session_id=minutes.session_id, language=language
            )
        except PdfRenderingError:
            abort(422)
        with force_locale(language):
            return preparation.respond(draft, back_url=url_for("minutes.read", token=token))
    abort(404)
