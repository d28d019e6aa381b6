"""Approval with guard rails: what is still open before minutes are approved (the comment
period, comments not yet dealt with), who may approve them, the secretariat asking the
session's organisers to approve, and comments marked as dealt with.

Like every service, these functions flush but never commit."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.i18n import format_local_date, in_language_of
from eventsys.minutes.errors import WorkflowError
from eventsys.minutes.models import Minutes, MinutesComment
from eventsys.minutes.workflow import APPROVERS, comments_open
from eventsys.outbox import kinds as outbox_kinds
from eventsys.outbox import services as outbox
from eventsys.outbox.headers import mailbox
from eventsys.roles import Role

APPROVAL_REQUESTED = "minutes_approval_requested"
outbox_kinds.name_kinds({APPROVAL_REQUESTED: _l("Request to approve minutes")})


def open_comment_count(minutes: Minutes) -> int:
    """How many comments on these minutes nobody has marked as dealt with yet."""
    return db.session.scalar(
        sa.select(sa.func.count(MinutesComment.id)).where(
            MinutesComment.minutes_id == minutes.id, MinutesComment.dealt_with_at.is_(None)
        )
    )


def open_matters(minutes: Minutes, open_comments: int | None = None) -> list[str]:
    """What speaks against approving now, as sentences in the reader's language; empty when
    nothing does. `open_comments`, when known, saves counting them again."""
    matters = []
    if comments_open(minutes):
        matters.append(
            _(
                "The attendees can still comment until %(date)s.",
                date=format_local_date(minutes.last_comment_day),
            )
        )
    count = open_comment_count(minutes) if open_comments is None else open_comments
    if count:
        matters.append(
            ngettext(
                "%(num)d comment has not been dealt with yet.",
                "%(num)d comments have not been dealt with yet.",
                count,
            )
        )
    return matters


def approvers(minutes: Minutes) -> list[User]:
    """Whom the secretariat asks: the session's active organisers; without any, the active
    administrators (any organiser or administrator may approve)."""
    organisers = [
        user for user in minutes.session.organisers if user.active and user.role in APPROVERS
    ]
    if organisers:
        return organisers
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role == Role.ADMIN, User.active.is_(True))
            .order_by(User.name)
        )
    )


def ask_for_approval(minutes: Minutes, user: User, now: datetime | None = None) -> list[User]:
    """Ask the approvers by mail to approve these minutes; returns whom. Raises WorkflowError
    if they are approved already or nobody could approve them."""
    with in_language_of(user):
        if minutes.state.frozen:
            raise WorkflowError(_("These minutes are already approved."))
        if not minutes.topics:
            raise WorkflowError(_("The minutes have no TOP yet."))
        asked = approvers(minutes)
        if not asked:
            raise WorkflowError(
                _("Nobody could approve these minutes: the session has no organiser.")
            )
    minutes.approval_requested_at = now or utcnow()
    minutes.approval_requested_by = user
    db.session.flush()
    open_comments = open_comment_count(minutes)
    for approver in asked:
        _queue_request(minutes, approver, user, open_comments)
    audit.record(
        "minutes.approval_requested",
        minutes,
        f"approval of version {minutes.version_number} asked of "
        + ", ".join(approver.name for approver in asked),
        {"asked": [approver.id for approver in asked]},
    )
    return asked


def _queue_request(minutes: Minutes, approver: User, asking: User, open_comments: int) -> None:
    language = approver.language if approver.language in current_app.config["LANGUAGES"] else "de"
    with force_locale(language):
        context = {
            "approver": approver,
            "asking": asking,
            "minutes": minutes,
            "session": minutes.session,
            "session_title": minutes.session.title_for(language),
            "matters": open_matters(minutes, open_comments),
            "link": url_for("minutes.edit", session_id=minutes.session_id, _external=True)
            + "#workflow",
            "platform": current_app.config["PLATFORM_NAME"],
        }
        subject = _("Please approve the minutes: %(title)s", title=context["session_title"])
        text = render_template("minutes/mail/approval_requested.txt", **context)
    message = outbox.compose(mailbox(approver.email, approver.name), subject, text)
    message["Content-Language"] = language
    outbox.queue(APPROVAL_REQUESTED, message)


def mark_dealt_with(comment: MinutesComment, user: User, dealt_with: bool) -> bool:
    """Mark a comment as dealt with (or open again); False if it already was so."""
    if (comment.dealt_with_at is not None) == dealt_with:
        return False
    comment.dealt_with_at = utcnow() if dealt_with else None
    comment.dealt_with_by = user if dealt_with else None
    db.session.flush()
    audit.record(
        "minutes.comment_dealt_with" if dealt_with else "minutes.comment_reopened",
        comment.minutes,
        f"comment {comment.id} by {comment.expert.full_name} "
        + ("dealt with" if dealt_with else "open again"),
    )
    return True
