"""Acting on calendar answers (METHOD:REPLY and METHOD:COUNTER): record the answer of the
invited attendee, a deputy named by delegation, or keep what is stale, repeated or unclear
for a person, with a sentence saying why.
"""

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.calendar_reading import CalendarAttendee
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.services import InvitationError, record_answer, send_deputy
from eventsys.invitations.states import Channel, Response
from eventsys.replies.authenticity import sender_problem
from eventsys.replies.matching import (
    CalendarEntry,
    Decision,
    answer_written_later,
    answering_invitations,
    calendar_entry_for_uid,
    chosen_attendee,
    describe_time,
    invitation_answered_by_mail,
    invitation_label,
    invitations_by_address,
    with_link,
)
from eventsys.replies.models import InboundMessage
from eventsys.replies.parsing import CalendarReply, ParsedMessage
from eventsys.replies.states import Outcome
from eventsys.sessions.states import SessionStatus

ANSWERS = {
    "ACCEPTED": Response.ACCEPTED,
    "TENTATIVE": Response.TENTATIVE,
    "DECLINED": Response.DECLINED,
}


def _not_invited(parsed: ParsedMessage, entry: CalendarEntry, address: str, intro: str) -> Decision:
    session = entry.session
    explanation = intro
    expert = db.session.scalar(sa.select(Expert).where(Expert.email == address))
    if expert is not None:
        explanation += " " + _(
            "The address belongs to %(name)s in the directory.", name=expert.full_name
        )
    by_mail = invitation_answered_by_mail(parsed)
    from_invitee = invitations_by_address(session, [parsed.sender]).get(parsed.sender)
    comes_from = _(
        "The mail comes from %(invitee)s, who was invited; check whether this is their "
        "answer, given from another address.",
        **(invitation_label(from_invitee) if from_invitee else {"invitee": "", "session": ""}),
    )
    if entry.invitation is not None:
        # The UID names the calendar entry of one invitation: the reply is about that one.
        invitation = entry.invitation
        if from_invitee is invitation:
            explanation += " " + comes_from
        else:
            explanation += " " + _(
                "The reply is written in the calendar entry sent to %(invitee)s; check "
                "whether this is their answer, given from another address.",
                **invitation_label(invitation),
            )
    elif by_mail is not None and by_mail.session_id == session.id:
        invitation = by_mail
        explanation += " " + _(
            "The mail answers the invitation sent to %(invitee)s; check whether this is their "
            "answer, given from another address.",
            **invitation_label(invitation),
        )
    elif from_invitee is not None:
        invitation = from_invitee
        explanation += " " + comes_from
    else:
        invitation = None
    return Decision(Outcome.NEEDS_REVIEW, explanation, invitation)


def _not_their_entry(uid: str, attendee: str, invitation: Invitation) -> Decision:
    """The attendee is invited, but the reply's UID is not the one their calendar holds."""
    return Decision(
        Outcome.NEEDS_REVIEW,
        _(
            "The calendar reply answers for %(attendee)s, but its calendar entry (UID "
            "%(uid)s) is not the one sent to %(attendee)s, so it cannot come from their "
            "calendar. It is kept, not recorded.",
            attendee=attendee,
            uid=uid,
        ),
        invitation,
    )


def decide_reply(
    message: InboundMessage, parsed: ParsedMessage, calendar: CalendarReply
) -> Decision:
    """Record the answer a METHOD:REPLY gives, or say why it is kept unrecorded.

    Applied only when the reply can only have come from the invitee: its UID is that of their
    own calendar entry (or the session's, for an invitation sent with it), its ATTENDEE is the
    invitee or the deputy they named, and the mail's sender is that attendee or its SENT-BY,
    without a DMARC or DKIM failure reported by our mail server.
    """
    entry = calendar_entry_for_uid(calendar.uid)
    if entry is None:
        return with_link(
            parsed,
            _(
                "The calendar reply refers to an entry (UID %(uid)s) that belongs to no session "
                "here.",
                uid=calendar.uid,
            ),
        )
    session = entry.session
    answering = answering_invitations(entry)
    attendee = chosen_attendee(calendar, answering)
    if attendee is None:
        return with_link(
            parsed,
            _(
                "The calendar reply about “%(session)s” names no attendee, so it is unclear "
                "whose answer it is.",
                session=session.title,
            ),
        )
    message.attendee = attendee.address[:320]
    invitation = answering.get(attendee.address)
    if invitation is None:
        invited = invitations_by_address(session, [attendee.address]).get(attendee.address)
        if invited is not None:
            return _not_their_entry(calendar.uid, attendee.address, invited)
        return _not_invited(
            parsed,
            entry,
            attendee.address,
            _(
                "%(attendee)s was never invited to “%(session)s”.",
                attendee=attendee.address,
                session=session.title,
            ),
        )
    problem = sender_problem(parsed, attendee)
    if problem:
        return Decision(Outcome.NEEDS_REVIEW, problem, invitation)
    labels = {"attendee": attendee.address, "session": session.title}
    if invitation.withdrawn_at is not None:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "The invitation of %(attendee)s to “%(session)s” had been withdrawn when this "
                "reply arrived; it is kept, not recorded.",
                **labels,
            ),
            invitation,
        )
    if session.status == SessionStatus.CANCELLED:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "“%(session)s” has been cancelled; the reply of %(attendee)s is kept, not "
                "recorded.",
                **labels,
            ),
            invitation,
        )
    # A reply without SEQUENCE is taken as answering the current version: dropping it would
    # lose an answer, and the clients INTEROP.md describes all echo SEQUENCE.
    sequence = session.ical_sequence if calendar.sequence is None else calendar.sequence
    if sequence < session.ical_sequence:
        return Decision(
            Outcome.STALE,
            _(
                "This reply answers version %(version)d of “%(session)s”, which has changed "
                "since (now version %(current)d). It is kept, not recorded: only an answer "
                "of %(attendee)s to the changed invitation counts.",
                version=sequence,
                current=session.ical_sequence,
                **labels,
            ),
            invitation,
        )
    # A client that counts further than we do still answers the current version.
    sequence = session.ical_sequence
    later = answer_written_later(invitation, calendar)
    if later is not None:
        return Decision(
            Outcome.STALE,
            _(
                "%(attendee)s answered again after writing this reply (%(answer)s, already "
                "recorded); this earlier reply is kept, not recorded.",
                answer=later.response.label,
                **labels,
            ),
            invitation,
        )
    note = calendar.note_of(attendee)
    if attendee.partstat == "DELEGATED":
        return _delegation(message, invitation, attendee, note, sequence)
    response = ANSWERS.get(attendee.partstat)
    if response is None:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "The reply of %(attendee)s does not say whether they will come (PARTSTAT "
                "%(partstat)s).",
                partstat=attendee.partstat or "–",
                **labels,
            ),
            invitation,
        )
    same_answer = invitation.response == response and invitation.responded_sequence == sequence
    if not note and same_answer:
        # A reply without a note does not erase the note given with the same answer earlier.
        note = invitation.comment
    mode = invitation.attendance_mode if response != Response.DECLINED else None
    result = record_answer(
        invitation,
        response,
        Channel.CALENDAR,
        comment=note,
        attendance_mode=mode,
        sequence=sequence,
        inbound_message_id=message.id,
    )
    if not result.changed:
        return Decision(
            Outcome.DUPLICATE,
            _(
                "The same answer (%(answer)s) of %(attendee)s had been recorded already; "
                "nothing changed.",
                answer=response.label,
                **labels,
            ),
            invitation,
        )
    explanation = _(
        "Calendar reply of %(attendee)s recorded for “%(session)s”: %(answer)s.",
        answer=response.label,
        **labels,
    )
    if result.waitlisted:
        explanation += " " + _("The session is full; the acceptance is on the waiting list.")
    return Decision(Outcome.APPLIED, explanation, invitation)


def _delegation(
    message: InboundMessage,
    invitation: Invitation,
    attendee: CalendarAttendee,
    note: str,
    sequence: int,
) -> Decision:
    labels = {"attendee": attendee.address, "session": invitation.session.title}
    if not attendee.delegated_to:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "%(attendee)s delegated the invitation to “%(session)s” without naming a deputy.",
                **labels,
            ),
            invitation,
        )
    deputies = {
        expert.email: expert
        for expert in db.session.scalars(
            sa.select(Expert).where(Expert.email.in_(attendee.delegated_to))
        )
    }
    deputy = next((deputies[a] for a in attendee.delegated_to if a in deputies), None)
    if deputy is None:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "%(attendee)s wants to send %(deputy)s as a deputy to “%(session)s”, but that "
                "address is not in the directory. Add the person to the directory and invite "
                "them, or set the answer here.",
                deputy=", ".join(attendee.delegated_to),
                **labels,
            ),
            invitation,
        )
    labels["deputy"] = deputy.email
    previous_deputy = invitation.delegated_to
    try:
        with db.session.begin_nested():
            # Recorded first as the calendar answer it is; send_deputy then finds it in place.
            result = record_answer(
                invitation,
                Response.DELEGATED,
                Channel.CALENDAR,
                comment=note,
                sequence=sequence,
                inbound_message_id=message.id,
            )
            deputy_invitation = send_deputy(invitation, deputy, comment=note)
    except InvitationError as error:
        return Decision(
            Outcome.NEEDS_REVIEW,
            _(
                "%(attendee)s wants to send %(deputy)s as a deputy to “%(session)s”: %(reason)s",
                reason=str(error),
                **labels,
            ),
            invitation,
        )
    if (
        not result.changed
        and previous_deputy is not None
        and previous_deputy.id == deputy_invitation.id
    ):
        return Decision(
            Outcome.DUPLICATE,
            _(
                "%(attendee)s had already named %(deputy)s as a deputy for “%(session)s”; "
                "nothing changed.",
                **labels,
            ),
            invitation,
        )
    return Decision(
        Outcome.APPLIED,
        _(
            "%(attendee)s sends %(deputy)s as a deputy to “%(session)s”; %(deputy)s has an "
            "invitation of their own.",
            **labels,
        ),
        invitation,
    )


def decide_counter(
    message: InboundMessage, parsed: ParsedMessage, calendar: CalendarReply
) -> Decision:
    """Keep a METHOD:COUNTER for the organisers; the answer is not changed."""
    entry = calendar_entry_for_uid(calendar.uid)
    session = entry.session if entry is not None else None
    if session is None:
        return with_link(
            parsed,
            _(
                "A counter-proposal for a calendar entry (UID %(uid)s) that belongs to no "
                "session here.",
                uid=calendar.uid,
            ),
        )
    invited = invitations_by_address(session, [a.address for a in calendar.attendees])
    attendee = chosen_attendee(calendar, invited)
    address = attendee.address if attendee else parsed.sender
    message.attendee = address[:320]
    invitation = invited.get(address)
    explanation = _(
        "%(attendee)s proposes another time for “%(session)s”: %(start)s to %(end)s. This is "
        "shown to the organisers with the session's invitations; the answer is not changed.",
        attendee=address or "?",
        session=session.title,
        start=describe_time(calendar.start),
        end=describe_time(calendar.end),
    )
    note = calendar.note_of(attendee)
    if note:
        explanation += " " + _("Note: “%(note)s”", note=note)
    if invitation is None:
        explanation += " " + _("The sender was not invited to this session.")
    return Decision(Outcome.COUNTER_PROPOSAL, explanation, invitation)
