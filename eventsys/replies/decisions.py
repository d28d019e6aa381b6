"""Decisions people make about messages that arrived: record an answer for an invitation, set
a message aside, or mark a counter-proposal as dealt with. Like the other services, these
change state, flush and write the audit log; the caller commits.
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
from eventsys.replies.models import CounterProposal, InboundMessage
from eventsys.replies.parsing import parse_message
from eventsys.replies.reasons import answer_value, reason
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
        note = reason("set_aside", user=user)
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
        note = reason(
            "decided", user=user, answer=answer_value(response), invitee=invitation.expert.email
        )
    message.decided_at = utcnow()
    message.decided_by_id = person.id if person is not None else None
    message.add_reason(note)
    db.session.flush()
    audit.record(
        "reply.decided",
        message,
        f"Inbound message {message.id}: {decision}"
        + (f" for invitation {invitation.id}" if invitation and decision != "ignore" else ""),
        {"outcome": [Outcome.NEEDS_REVIEW.value, message.outcome.value]},
    )


def mark_dealt_with(proposal: CounterProposal, user_id: int | None) -> None:
    """An organiser has dealt with the proposal (moved the session, or answered the invitee):
    it is no longer shown as open. Raises ReplyError when it had been dealt with already."""
    if not proposal.is_open:
        raise ReplyError(_("This counter-proposal has been dealt with already."))
    proposal.dealt_with_at = utcnow()
    proposal.dealt_with_by_id = user_id
    db.session.flush()
    audit.record(
        "reply.counter_dealt_with",
        proposal.invitation,
        f"Counter-proposal {proposal.id} of {proposal.invitation.expert.email} dealt with",
    )
