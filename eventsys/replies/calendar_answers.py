"""Acting on calendar answers (METHOD:REPLY and METHOD:COUNTER): record the answer of the
invited attendee or a deputy named by delegation, keep a counter-proposal for the organisers,
or keep what is stale, repeated or unclear for a person, with the reasons why.
"""

import re

import sqlalchemy as sa

from eventsys.calendar_reading import CalendarAttendee
from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations import deputies
from eventsys.invitations.deputies import NewDeputy
from eventsys.invitations.models import DeputyProposal, Invitation
from eventsys.invitations.services import (
    InvitationError,
    record_answer,
    release_deputy_of,
    send_deputy,
)
from eventsys.invitations.states import Channel, Response
from eventsys.replies.authenticity import sender_problem
from eventsys.replies.matching import (
    CalendarEntry,
    Decision,
    answer_written_later,
    answering_invitations,
    calendar_entry_for_uid,
    chosen_attendee,
    invitation_answered_by_mail,
    invitation_label,
    invitations_by_address,
    with_link,
)
from eventsys.replies.models import CounterProposal, InboundMessage
from eventsys.replies.parsing import CalendarReply, ParsedMessage, clean_text
from eventsys.replies.reasons import Reason, answer_value, reason, time_value
from eventsys.replies.states import Outcome
from eventsys.sessions.states import SessionStatus

ANSWERS = {
    "ACCEPTED": Response.ACCEPTED,
    "TENTATIVE": Response.TENTATIVE,
    "DECLINED": Response.DECLINED,
}
# Academic titles a CN may start with; the proposal keeps first and last name only.
_TITLES = re.compile(r"^(?:(?:prof|dr|dipl|ing|mag|med|rer|nat|phil|jur|habil)\.?[-\s]*)+", re.I)
NAME_LENGTH = 100  # DeputyProposal.first_name and last_name


def _not_invited(parsed: ParsedMessage, entry: CalendarEntry, address: str, intro: Reason):
    session = entry.session
    reasons = [intro]
    expert = db.session.scalar(sa.select(Expert).where(Expert.email == address))
    if expert is not None:
        reasons.append(reason("directory_owner", name=expert.full_name))
    by_mail = invitation_answered_by_mail(parsed)
    from_invitee = invitations_by_address(session, [parsed.sender]).get(parsed.sender)
    if entry.invitation is not None:
        # The UID names the calendar entry of one invitation: the reply is about that one.
        invitation = entry.invitation
        if from_invitee is invitation:
            reasons.append(reason("comes_from_invitee", **invitation_label(invitation)))
        else:
            reasons.append(reason("written_in_entry_of", **invitation_label(invitation)))
    elif by_mail is not None and by_mail.session_id == session.id:
        invitation = by_mail
        reasons.append(reason("answers_mail_to", **invitation_label(invitation)))
    elif from_invitee is not None:
        invitation = from_invitee
        reasons.append(reason("comes_from_invitee", **invitation_label(invitation)))
    else:
        invitation = None
    return Decision(Outcome.NEEDS_REVIEW, reasons, invitation)


def _answering_invitation(
    message: InboundMessage, parsed: ParsedMessage, calendar: CalendarReply, counter: bool
) -> tuple[Invitation, CalendarAttendee] | Decision:
    """The invitation a REPLY or COUNTER speaks for and its attendee, or the decision to keep
    it for a person: the UID must name the invitee's own calendar entry (or the session's, for
    an invitation sent with it), the ATTENDEE must be that invitee or the deputy they named,
    and the mail must come from that attendee or their SENT-BY, without a DMARC or DKIM failure
    reported by our mail server."""
    entry = calendar_entry_for_uid(calendar.uid)
    if entry is None:
        code = "counter_unknown_entry" if counter else "unknown_entry"
        return with_link(parsed, reason(code, uid=calendar.uid))
    session = entry.session
    answering = answering_invitations(entry)
    attendee = chosen_attendee(calendar, answering)
    if attendee is None:
        return with_link(parsed, reason("no_attendee", session=session.title))
    message.attendee = attendee.address[:320]
    invitation = answering.get(attendee.address)
    if invitation is None:
        invited = invitations_by_address(session, [attendee.address]).get(attendee.address)
        if invited is not None:
            return Decision.because(
                Outcome.NEEDS_REVIEW,
                reason("not_their_entry", uid=calendar.uid, attendee=attendee.address),
                invited,
            )
        if counter:
            intro = reason(
                "counter_not_invited",
                attendee=attendee.address,
                session=session.title,
                start=time_value(calendar.start),
                end=time_value(calendar.end),
            )
        else:
            intro = reason("never_invited", attendee=attendee.address, session=session.title)
        return _not_invited(parsed, entry, attendee.address, intro)
    problem = sender_problem(parsed, attendee)
    if problem is not None:
        return Decision.because(Outcome.NEEDS_REVIEW, problem, invitation)
    return invitation, attendee


def decide_reply(
    message: InboundMessage, parsed: ParsedMessage, calendar: CalendarReply
) -> Decision:
    """Record the answer a METHOD:REPLY gives, or say why it is kept unrecorded.

    Applied only when the reply can only have come from the invitee (see
    `_answering_invitation`) and answers the session as it is now: a reply to the version
    before the session last moved is stale, one to the version before a corrected title is not.
    """
    found = _answering_invitation(message, parsed, calendar, counter=False)
    if isinstance(found, Decision):
        return found
    invitation, attendee = found
    session = invitation.session
    labels = {"attendee": attendee.address, "session": session.title}
    if invitation.withdrawn_at is not None:
        return Decision.because(Outcome.NEEDS_REVIEW, reason("withdrawn", **labels), invitation)
    if session.status == SessionStatus.CANCELLED:
        return Decision.because(Outcome.NEEDS_REVIEW, reason("cancelled", **labels), invitation)
    # A reply without SEQUENCE is taken as answering the current version: dropping it would
    # lose an answer, and the clients INTEROP.md describes all echo SEQUENCE. The SEQUENCE in
    # the invitee's calendar may run ahead of the session's by changes to their entry alone;
    # a client that counts further than we do still answers the current version.
    if calendar.sequence is None:
        version = session.ical_sequence
    else:
        version = invitation.session_version(calendar.sequence)
    if version < session.major_change_sequence:
        return Decision.because(
            Outcome.STALE,
            reason("earlier_version", version=version, current=session.ical_sequence, **labels),
            invitation,
        )
    later = answer_written_later(invitation, calendar)
    if later is not None:
        return Decision.because(
            Outcome.STALE,
            reason("written_later", answer=answer_value(later.response), **labels),
            invitation,
        )
    note = calendar.note_of(attendee)
    if attendee.partstat == "DELEGATED":
        return _delegation(message, calendar, invitation, attendee, note, version)
    response = ANSWERS.get(attendee.partstat)
    if response is None:
        return Decision.because(
            Outcome.NEEDS_REVIEW,
            reason("no_answer", partstat=attendee.partstat or "–", **labels),
            invitation,
        )
    same_answer = invitation.response == response and invitation.responded_sequence == version
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
        sequence=version,
        inbound_message_id=message.id,
    )
    # Answering for oneself: a deputy named earlier is not wanted any more, whether still
    # waiting for staff or invited only for this invitee (as an answer by link does).
    deputies.drop_proposal(invitation)
    release_deputy_of(invitation)
    if not result.changed:
        return Decision.because(
            Outcome.DUPLICATE,
            reason("duplicate", answer=answer_value(response), **labels),
            invitation,
        )
    reasons = [reason("recorded", answer=answer_value(response), **labels)]
    if result.waitlisted:
        reasons.append(reason("waitlisted"))
    return Decision(Outcome.APPLIED, reasons, invitation)


def deputy_named(cn: str, address: str) -> NewDeputy:
    """The deputy a delegation names, by address and the CN written with it, if any: "Jonas
    Vertreter" and Outlook's "Vertreter, Jonas" give first and last name; titles are left out;
    a CN that is only an address gives no name. Staff check the name before confirming."""
    name = " ".join(clean_text(cn).replace('"', " ").split())
    if "@" in name:
        name = ""
    name = _TITLES.sub("", name).strip()
    if "," in name:
        last, _comma, first = name.partition(",")
    else:
        first, _space, last = name.rpartition(" ")
    return NewDeputy(
        first_name=first.strip()[:NAME_LENGTH],
        last_name=last.strip()[:NAME_LENGTH],
        email=address.strip().lower(),
    )


def _delegation(
    message: InboundMessage,
    calendar: CalendarReply,
    invitation: Invitation,
    attendee: CalendarAttendee,
    note: str,
    version: int,
) -> Decision:
    labels = {"attendee": attendee.address, "session": invitation.session.title}
    delegated_to = [address for address in attendee.delegated_to if "@" in address]
    if not delegated_to:
        return Decision.because(
            Outcome.NEEDS_REVIEW, reason("delegated_without_deputy", **labels), invitation
        )
    known = {
        expert.email: expert
        for expert in db.session.scalars(sa.select(Expert).where(Expert.email.in_(delegated_to)))
    }
    deputy = next((known[a] for a in delegated_to if a in known), None)
    if deputy is None:
        return _propose_deputy(message, calendar, invitation, delegated_to[0], note, version)
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
                sequence=version,
                inbound_message_id=message.id,
            )
            deputies.drop_proposal(invitation)
            deputy_invitation = send_deputy(invitation, deputy, comment=note)
    except InvitationError as error:
        return Decision.because(
            Outcome.NEEDS_REVIEW, reason("deputy_refused", reason=str(error), **labels), invitation
        )
    if (
        not result.changed
        and previous_deputy is not None
        and previous_deputy.id == deputy_invitation.id
    ):
        return Decision.because(
            Outcome.DUPLICATE, reason("deputy_already_named", **labels), invitation
        )
    return Decision.because(Outcome.APPLIED, reason("deputy_invited", **labels), invitation)


def _propose_deputy(
    message: InboundMessage,
    calendar: CalendarReply,
    invitation: Invitation,
    address: str,
    note: str,
    version: int,
) -> Decision:
    """A delegation to someone the directory does not know: recorded as the answer it is, and
    the deputy kept as a proposal (as if typed into the answer link), which staff confirm with
    the name corrected where needed; only then is anyone added to the directory or mailed."""
    named_as = calendar.attendee_named(address)
    deputy = deputy_named(named_as.name if named_as is not None else "", address)
    labels = {
        "attendee": invitation.expert.email,
        "session": invitation.session.title,
        "deputy": deputy.email,
    }
    pending: DeputyProposal | None = invitation.deputy_proposal
    already = (
        pending is not None
        and pending.is_pending
        and pending.email == deputy.email
        and invitation.response == Response.DELEGATED
        and invitation.responded_sequence == version
    )
    if already:
        return Decision.because(
            Outcome.DUPLICATE, reason("deputy_already_proposed", **labels), invitation
        )
    try:
        with db.session.begin_nested():
            record_answer(
                invitation,
                Response.DELEGATED,
                Channel.CALENDAR,
                comment=note,
                sequence=version,
                inbound_message_id=message.id,
            )
            deputies.propose_deputy(invitation, deputy)
    except InvitationError as error:
        return Decision.because(
            Outcome.NEEDS_REVIEW, reason("deputy_refused", reason=str(error), **labels), invitation
        )
    return Decision.because(Outcome.APPLIED, reason("deputy_proposed", **labels), invitation)


def decide_counter(
    message: InboundMessage, parsed: ParsedMessage, calendar: CalendarReply
) -> Decision:
    """Keep a METHOD:COUNTER of an invitee for the organisers; the answer is not changed.

    The same proof as for a reply is asked of the sender: a proposal shown to the organisers
    must be the invitee's. One from anyone else waits for a person.
    """
    found = _answering_invitation(message, parsed, calendar, counter=True)
    if isinstance(found, Decision):
        return found
    invitation, attendee = found
    session = invitation.session
    labels = {
        "attendee": attendee.address,
        "session": session.title,
        "start": time_value(calendar.start),
        "end": time_value(calendar.end),
    }
    if calendar.start is None or calendar.start.decoded is None:
        return Decision.because(
            Outcome.NEEDS_REVIEW,
            reason("counter_without_time", attendee=attendee.address, session=session.title),
            invitation,
        )
    note = calendar.note_of(attendee)
    starts_at, ends_at = calendar.start.moment, calendar.end.moment if calendar.end else None
    repeated = db.session.scalar(
        sa.select(CounterProposal.id).where(
            CounterProposal.invitation_id == invitation.id,
            CounterProposal.dealt_with_at.is_(None),
            CounterProposal.starts_at.is_not_distinct_from(starts_at),
            CounterProposal.ends_at.is_not_distinct_from(ends_at),
            CounterProposal.start_written == _written(calendar.start),
            CounterProposal.comment == note,
        )
    )
    if repeated is not None:
        return Decision.because(Outcome.DUPLICATE, reason("counter_repeated", **labels), invitation)
    db.session.add(
        CounterProposal(
            invitation=invitation,
            message=message,
            received_at=utcnow(),
            starts_at=starts_at,
            ends_at=ends_at,
            start_written=_written(calendar.start),
            end_written=_written(calendar.end),
            comment=note,
            session_version=session.ical_sequence
            if calendar.sequence is None
            else invitation.session_version(calendar.sequence),
        )
    )
    db.session.flush()
    reasons = [reason("counter_recorded", **labels)]
    if note:
        reasons.append(reason("note", note=note))
    return Decision(Outcome.COUNTER_PROPOSAL, reasons, invitation)


def _written(time) -> str:
    if time is None:
        return ""
    text = f"{time.value} ({time.tzid})" if time.tzid else time.value
    return clean_text(text)[:200]
