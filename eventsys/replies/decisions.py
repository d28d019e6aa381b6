"""Decisions people make about messages in the review queue: record an answer for an
invitation, or set the message aside. Like the other services, these change state, flush and
write the audit log; the caller commits.
"""

from flask import has_request_context
from flask_babel import gettext as _
from flask_login import current_user

from eventsys.audit import services as audit
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.services import InvitationError, record_answer
from eventsys.invitations.states import Channel, Response
from eventsys.replies.models import InboundMessage
from eventsys.replies.parsing import parse_message
from eventsys.replies.receiving import stored_language
from eventsys.replies.states import Outcome

# What a person may decide for a message in the queue.
DECISIONS = ("accepted", "tentative", "declined", "ignore")
OPEN_OUTCOMES = (Outcome.NEEDS_REVIEW,)


class ReplyError(ValueError):
    """A user-facing reason why a decision about a message was refused."""


def _signed_in_user():
    if has_request_context() and current_user.is_authenticated:
        return current_user
    return None


def decide(message: InboundMessage, decision: str, invitation: Invitation | None) -> None:
    """A person's decision about a message in the queue: record an answer (accepted, tentative,
    declined) for `invitation`, or set the message aside ("ignore"). Raises ReplyError when the
    message is not waiting for a decision or the decision cannot be carried out."""
    if message.outcome not in OPEN_OUTCOMES:
        raise ReplyError(_("This message has been dealt with already."))
    if decision not in DECISIONS:
        raise ReplyError(_("Please choose a decision."))
    person = _signed_in_user()
    user = person.name if person is not None else "system"
    if decision == "ignore":
        message.outcome = Outcome.IGNORED
        with stored_language():
            note = _("Set aside by %(user)s.", user=user)
    else:
        if invitation is None:
            raise ReplyError(_("Please choose the invitation this message answers."))
        response = Response(decision)
        calendar = parse_message(message.raw_message).calendar
        comment = calendar.note_of(calendar.attendee_named(message.attendee)) if calendar else ""
        try:
            record_answer(
                invitation,
                response,
                Channel.MANUAL,
                comment=comment,
                attendance_mode=invitation.attendance_mode
                if response != Response.DECLINED
                else None,
                inbound_message_id=message.id,
            )
        except InvitationError as error:
            raise ReplyError(str(error)) from error
        message.invitation_id = invitation.id
        message.invitation = invitation
        message.outcome = Outcome.RESOLVED
        with stored_language():
            note = _(
                "Decided by %(user)s: %(answer)s for %(invitee)s.",
                user=user,
                answer=response.label,
                invitee=invitation.expert.email,
            )
    message.decided_at = utcnow()
    message.decided_by_id = person.id if person is not None else None
    message.explanation = f"{message.explanation}\n{note}".strip()
    db.session.flush()
    audit.record(
        "reply.decided",
        message,
        f"Inbound message {message.id}: {decision}"
        + (f" for invitation {invitation.id}" if invitation and decision != "ignore" else ""),
        {"outcome": [Outcome.NEEDS_REVIEW.value, message.outcome.value]},
    )
