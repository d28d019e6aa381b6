"""A mail per answer, for the organisers who chose one (receiver of `signals.answer_recorded`).

The mail is queued in the transaction that records the answer, so the two are committed
together, and written after the commit by the outbox (`register_composer`), in the organiser's
language: the expert's answer page does not wait for it, and a name that cannot go into a
header fails that one mail (an admin sees it in the outbox), never the answer.
"""

from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.auth.models import User
from eventsys.extensions import db
from eventsys.i18n import in_language_of
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.overview import answer_summary
from eventsys.invitations.states import Response
from eventsys.notices.answers import answer_line, answer_lines_query
from eventsys.notices.models import AnswerNoticeMail, NoticeChoice
from eventsys.notices.preferences import organisers_choosing
from eventsys.outbox import kinds as outbox_kinds
from eventsys.outbox import services as outbox
from eventsys.outbox.headers import mailbox
from eventsys.outbox.models import OutboxMessage
from eventsys.sessions.models import Session
from eventsys.signals import answer_recorded

ANSWER_MAIL_KIND = "answer_notice"
outbox_kinds.name_kinds({ANSWER_MAIL_KIND: _l("Notice of an answer")})


def notice_sender() -> str:
    """Notices come from the platform's general address: they are not invitations, and a reply
    to them should not land in the mailbox that reads calendar replies."""
    return current_app.config["MAIL_DEFAULT_SENDER"]


@answer_recorded.connect
def tell_the_organisers(invitation: Invitation, previous: Response) -> None:
    """Queue a mail about the new answer to each responsible organiser who chose one, except
    the one who set it by hand."""
    recipients = organisers_choosing(invitation.session, NoticeChoice.EACH)
    if not recipients:
        return
    answer = db.session.scalar(
        sa.select(InvitationAnswer)
        .where(InvitationAnswer.invitation_id == invitation.id)
        .order_by(InvitationAnswer.id.desc())
        .limit(1)
    )
    for user in recipients:
        if answer.recorded_by_id == user.id:
            continue
        # No invitation_id: the mail goes to staff, not to the invitee, and so does not belong
        # in the invitee's mail log.
        entry = outbox.queue_for_composition(ANSWER_MAIL_KIND, user.email, notice_sender())
        db.session.add(AnswerNoticeMail(answer=answer, user=user, outbox_message=entry))
    db.session.flush()


def compose_answer_mail(notice: AnswerNoticeMail, message_id: str | None = None) -> EmailMessage:
    """The mail about `notice`'s answer, in its organiser's language."""
    user: User = notice.user
    row = db.session.execute(
        answer_lines_query().where(InvitationAnswer.id == notice.answer_id)
    ).one()
    line = answer_line(row)
    session = db.session.get(Session, line.session_id)
    invitation = db.session.get(Invitation, line.invitation_id)
    with in_language_of(user):
        context = {
            "user": user,
            "session": session,
            "line": line,
            "waitlisted": line.response == Response.ACCEPTED and invitation.is_waitlisted,
            "summary": answer_summary(session),
        }
        subject = _(
            "%(name)s: %(answer)s – %(title)s",
            name=line.name,
            answer=line.response.label,
            title=session.title,
        )
        text = render_template("notices/mail/answer.txt", **context)
        html = render_template("notices/mail/answer.html", **context)
    return outbox.compose(
        mailbox(user.email, user.name),
        subject,
        text,
        html=html,
        sender=notice_sender(),
        message_id=message_id,
    )


@outbox.register_composer(ANSWER_MAIL_KIND)
def _compose_queued(entry: OutboxMessage) -> EmailMessage:
    notice = db.session.scalar(
        sa.select(AnswerNoticeMail).where(AnswerNoticeMail.outbox_message_id == entry.id)
    )
    if notice is None:
        raise LookupError("the answer this notice is about no longer exists")
    return compose_answer_mail(notice, message_id=entry.message_id)
