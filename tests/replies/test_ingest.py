"""What becomes of each message that arrives: applied, kept as stale or repeated, or queued for a
person with the reason; never dropped."""

import random
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.services import (
    invite_experts,
    record_answer,
    send_deputy,
    session_moved,
    withdraw_invitation,
)
from eventsys.invitations.states import AttendanceMode, Channel, ProposalState, Response
from eventsys.outbox.models import OutboxMessage
from eventsys.replies import calendar_answers
from eventsys.replies.models import InboundMessage
from eventsys.replies.receiving import ingest, receive
from eventsys.replies.review import counter_proposals_for
from eventsys.replies.states import Outcome, Source
from eventsys.sessions.states import SessionStatus


def answers_of(invitation: Invitation) -> list[InvitationAnswer]:
    return list(
        db.session.scalars(
            sa.select(InvitationAnswer)
            .where(InvitationAnswer.invitation_id == invitation.id)
            .order_by(InvitationAnswer.id)
        )
    )


def stored_messages() -> list[InboundMessage]:
    return list(db.session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)))


def moved(session) -> None:
    """The session moves (a major change): its calendar update has a new SEQUENCE, and answers
    to the version before no longer count."""
    session_moved(session)
    session.major_change_sequence = session.ical_sequence
    db.session.commit()


def title_corrected(session) -> None:
    """A minor change: the calendar gets the update with a new SEQUENCE, answers stay valid."""
    session.ical_sequence += 1
    db.session.commit()


@pytest.mark.parametrize(
    ("name", "response", "comment"),
    [
        (
            "outlook_accepted",
            Response.ACCEPTED,
            "Ich nehme gern teil, komme aber erst zu TOP 2.",
        ),
        (
            "google_tentative",
            Response.TENTATIVE,
            "Mein Zug kommt erst um 10:30 an, ich versuche es",
        ),
        (
            "thunderbird_accepted",
            Response.ACCEPTED,
            "Gern, ich bringe die Ergebnisse unserer Datenstudie mit.",
        ),
        ("apple_accepted", Response.ACCEPTED, ""),
        (
            "evolution_declined",
            Response.DECLINED,
            "Frau Muster ist an diesem Tag auf einer Dienstreise.",
        ),
    ],
)
def test_each_client_reply_is_applied(invited, reply, name, response, comment):
    message = ingest(reply(name), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.APPLIED, message.why
    assert message.invitation_id == invited.invitation.id
    assert message.attendee == invited.erika.email
    assert message.method == "REPLY" and message.calendar_uid == invited.invitation.ical_uid
    assert invited.erika.email in message.why
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == response
    assert invitation.comment == comment
    assert invitation.channel == Channel.CALENDAR
    assert invitation.responded_sequence == 0
    (answer,) = answers_of(invitation)
    assert answer.inbound_message_id == message.id
    assert answer.channel == Channel.CALENDAR and answer.response == response


def test_reply_to_the_current_version_after_a_move(invited, reply):
    moved(invited.session)
    message = ingest(reply("outlook_accepted", sequence=1), Source.PIPE)
    assert message.outcome == Outcome.APPLIED
    assert db.session.get(Invitation, invited.invitation.id).responded_sequence == 1


def test_reply_to_an_earlier_version_is_stale(invited, reply):
    moved(invited.session)
    message = ingest(reply("thunderbird_accepted", sequence=0), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.STALE
    assert "version 0" in message.why and "version 1" in message.why
    assert message.invitation_id == invited.invitation.id
    assert db.session.get(Invitation, invited.invitation.id).response == Response.NEEDS_ACTION
    assert answers_of(invited.invitation) == []


def test_reply_to_the_version_before_a_corrected_title_is_current(invited, reply):
    title_corrected(invited.session)
    message = ingest(reply("thunderbird_accepted", sequence=0), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.APPLIED, message.why
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == Response.ACCEPTED
    assert invitation.responded_sequence == 0 and not invitation.answered_earlier_version
    (answer,) = answers_of(invitation)
    assert answer.sequence == 0


def test_reply_to_the_version_before_a_move_then_a_title_fix_is_stale(invited, reply):
    moved(invited.session)  # version 1 moves the session
    title_corrected(invited.session)  # version 2 corrects its title
    assert ingest(reply("thunderbird_accepted", sequence=0), Source.IMAP).outcome == (Outcome.STALE)
    current = ingest(reply("outlook_accepted", sequence=1), Source.IMAP)
    assert current.outcome == Outcome.APPLIED, current.why
    assert db.session.get(Invitation, invited.invitation.id).responded_sequence == 1


def test_the_sequence_of_the_invitees_own_entry_is_converted(invited, reply):
    """After a move (version 1) the invitee's own entry was changed once more (say, taken out of
    and brought back into their calendar): it holds SEQUENCE 2, which stands for version 1."""
    moved(invited.session)
    invited.invitation.own_sequence = 1
    db.session.commit()

    stale = ingest(reply("thunderbird_accepted", sequence=1), Source.IMAP)
    assert stale.outcome == Outcome.STALE  # SEQUENCE 1 in this entry is version 0
    current = ingest(reply("outlook_accepted", sequence=2), Source.IMAP)
    db.session.commit()
    assert current.outcome == Outcome.APPLIED, current.why
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.responded_sequence == 1
    assert [answer.sequence for answer in answers_of(invitation)] == [1]
    # A client that counts further than we do still answers the current version: the same
    # answer again, for version 1.
    ahead = ingest(reply("outlook_accepted", sequence=7, variant="-ahead"), Source.IMAP)
    assert ahead.outcome == Outcome.DUPLICATE, ahead.why
    assert len(answers_of(invitation)) == 1


def test_same_message_twice_is_stored_once_and_applied_once(invited, reply):
    raw = reply("outlook_accepted")
    first = receive(raw, Source.IMAP)
    db.session.commit()
    second = receive(raw, Source.PIPE)
    db.session.commit()

    assert not first.repeated and second.repeated
    assert second.message.id == first.message.id
    assert len(stored_messages()) == 1
    assert len(answers_of(invited.invitation)) == 1


def test_same_answer_in_a_second_mail_is_a_duplicate(invited, reply):
    ingest(reply("thunderbird_accepted"), Source.IMAP)
    db.session.commit()
    again = ingest(reply("thunderbird_accepted", variant="-again"), Source.IMAP)
    db.session.commit()

    assert again.outcome == Outcome.DUPLICATE
    assert "already" in again.why
    assert len(stored_messages()) == 2
    assert len(answers_of(invited.invitation)) == 1


def test_reply_without_note_keeps_the_note_of_the_same_answer(invited, reply):
    ingest(reply("thunderbird_accepted"), Source.IMAP)
    db.session.commit()
    apple = ingest(reply("apple_accepted"), Source.IMAP)
    assert apple.outcome == Outcome.DUPLICATE
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.comment == "Gern, ich bringe die Ergebnisse unserer Datenstudie mit."


def test_calendar_acceptance_keeps_the_attendance_mode_chosen_before(invited, reply):
    record_answer(invited.invitation, Response.TENTATIVE, Channel.LINK, "", AttendanceMode.ONLINE)
    db.session.commit()
    message = ingest(reply("outlook_accepted"), Source.IMAP)
    assert message.outcome == Outcome.APPLIED
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == Response.ACCEPTED
    assert invitation.attendance_mode == AttendanceMode.ONLINE


def test_a_reply_written_earlier_does_not_overwrite_a_later_one(invited, reply):
    # Evolution's decline was written on 6 June, the Thunderbird acceptance on 4 June; the
    # acceptance arrives last.
    ingest(reply("evolution_declined"), Source.IMAP)
    db.session.commit()
    late = ingest(reply("thunderbird_accepted"), Source.IMAP)
    db.session.commit()

    assert late.outcome == Outcome.STALE
    assert "after writing this reply" in late.why
    assert db.session.get(Invitation, invited.invitation.id).response == Response.DECLINED


def test_unknown_uid_waits_for_a_person(invited, reply):
    message = ingest(reply("outlook_accepted", uid="no-such-entry@elsewhere"), Source.IMAP)
    db.session.commit()
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "no-such-entry@elsewhere" in message.why
    assert "belongs to no session" in message.why
    assert message.invitation_id is None
    assert answers_of(invited.invitation) == []


def test_expert_who_was_never_invited_waits_for_a_person(invited, reply):
    message = ingest(reply("google_tentative", attendee=invited.jonas.email), Source.IMAP)
    db.session.commit()
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert f"{invited.jonas.email} was never invited" in message.why
    assert "Jonas Vertreter in the directory" in message.why
    assert message.attendee == invited.jonas.email
    assert answers_of(invited.invitation) == []


def test_stranger_answering_our_invitation_mail_is_linked_for_the_person(invited, reply):
    raw = reply("thunderbird_accepted", attendee="e.muster@privat.example")
    raw = raw.replace(
        b"Subject:", f"In-Reply-To: {invited.invitation_mail().message_id}\r\nSubject:".encode()
    )
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "e.muster@privat.example was never invited" in message.why
    assert invited.erika.email in message.why
    assert message.invitation_id == invited.invitation.id
    assert answers_of(invited.invitation) == []


def test_reply_for_a_withdrawn_invitation_waits_with_the_reason(invited, reply):
    withdraw_invitation(invited.invitation)
    db.session.commit()
    message = ingest(reply("outlook_accepted"), Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "withdrawn" in message.why
    assert message.invitation_id == invited.invitation.id


def test_reply_for_a_cancelled_session_waits_with_the_reason(invited, reply):
    invited.session.status = SessionStatus.CANCELLED
    db.session.commit()
    message = ingest(reply("outlook_accepted"), Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "cancelled" in message.why
    assert answers_of(invited.invitation) == []


def test_delegation_to_a_known_expert_invites_the_deputy(invited, reply):
    message = ingest(reply("delegated"), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.APPLIED, message.why
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == Response.DELEGATED
    assert invitation.comment == "Mein Kollege vertritt mich."
    assert invitation.delegated_to.expert_id == invited.jonas.id
    (answer,) = answers_of(invitation)
    assert answer.channel == Channel.CALENDAR and answer.inbound_message_id == message.id
    deputy_mail = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == invited.jonas.email)
    )
    assert deputy_mail is not None

    again = ingest(reply("delegated", variant="-again"), Source.IMAP)
    assert again.outcome == Outcome.DUPLICATE


def test_accepting_from_the_calendar_after_a_delegation_withdraws_the_deputy(invited, reply):
    send_deputy(invited.invitation, invited.jonas)
    invited.invitation.responded_at = datetime(2020, 1, 1, tzinfo=UTC)  # before the reply
    db.session.commit()
    deputy_invitation = db.session.get(Invitation, invited.invitation.id).delegated_to
    assert deputy_invitation.is_active

    message = ingest(reply("outlook_accepted"), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.APPLIED, message.why
    db.session.expire_all()
    assert db.session.get(Invitation, invited.invitation.id).delegated_to_id is None
    assert not db.session.get(Invitation, deputy_invitation.id).is_active  # gets a cancellation


def test_delegation_to_an_unknown_address_is_a_deputy_to_confirm(invited, reply):
    experts_before = db.session.scalar(sa.select(sa.func.count(Expert.id)))
    message = ingest(reply("delegated", deputy="Kollege@Privat.example"), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.APPLIED, message.why
    assert "kollege@privat.example" in message.why and "confirm the deputy" in message.why
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == Response.DELEGATED
    assert invitation.comment == "Mein Kollege vertritt mich."
    assert invitation.delegated_to is None
    proposal = invitation.deputy_proposal
    assert (proposal.email, proposal.state) == ("kollege@privat.example", ProposalState.PENDING)
    # Nobody is added to the directory or mailed before staff confirm.
    assert db.session.scalar(sa.select(sa.func.count(Expert.id))) == experts_before
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.recipient == "kollege@privat.example"
            )
        )
        == 0
    )
    (answer,) = answers_of(invitation)
    assert answer.channel == Channel.CALENDAR and answer.inbound_message_id == message.id

    again = ingest(reply("delegated", deputy="kollege@privat.example", variant="-2"), Source.IMAP)
    assert again.outcome == Outcome.DUPLICATE
    assert len(answers_of(invitation)) == 1


def test_a_delegation_to_oneself_waits_with_the_reason(invited, reply):
    message = ingest(reply("delegated", deputy=invited.erika.email.upper()), Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "Please name someone else as your deputy." in message.why
    assert db.session.get(Invitation, invited.invitation.id).response == Response.NEEDS_ACTION


@pytest.mark.parametrize(
    ("cn", "first_name", "last_name"),
    [
        ("Jonas Vertreter", "Jonas", "Vertreter"),
        ("Vertreter, Jonas", "Jonas", "Vertreter"),
        ('"Dr. Jonas Vertreter"', "Jonas", "Vertreter"),
        ("Prof. Dr.-Ing. Anna Maria Schmidt", "Anna Maria", "Schmidt"),
        ("Vertreter", "", "Vertreter"),
        ("jonas@privat.example", "", ""),
        ("", "", ""),
    ],
)
def test_the_name_of_a_deputy_from_the_cn(cn, first_name, last_name):
    named = calendar_answers.deputy_named(cn, " Jonas@Privat.example ")
    assert (named.first_name, named.last_name, named.email) == (
        first_name,
        last_name,
        "jonas@privat.example",
    )


def test_counter_proposal_is_recorded_not_applied(invited, reply):
    record_answer(invited.invitation, Response.TENTATIVE, Channel.LINK, "Vielleicht")
    db.session.commit()
    message = ingest(reply("outlook_counter"), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.COUNTER_PROPOSAL, message.why
    assert message.method == "COUNTER"
    assert "2 Jul 2030, 09:00 to 2 Jul 2030, 15:00" in message.why  # Berlin time
    # It is no answer: the answer given before stays as it was.
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert (invitation.response, invitation.comment) == (Response.TENTATIVE, "Vielleicht")
    assert len(answers_of(invitation)) == 1
    (proposal,) = counter_proposals_for(invited.session)
    assert proposal.message.id == message.id
    assert proposal.invitation_id == invited.invitation.id
    # Outlook's Windows zone read as Berlin: 09:00 and 15:00 there are 07:00 and 13:00 UTC.
    assert proposal.starts_at == datetime(2030, 7, 2, 7, 0, tzinfo=UTC)
    assert proposal.ends_at == datetime(2030, 7, 2, 13, 0, tzinfo=UTC)
    assert proposal.comment == "Am 1. Juli tagt unser Stadtrat. Wäre der Folgetag möglich?"
    assert proposal.is_open and proposal.session_version == 0

    # The same proposal in a second mail is shown once.
    again = ingest(reply("outlook_counter", variant="-2"), Source.IMAP)
    assert again.outcome == Outcome.DUPLICATE
    assert len(counter_proposals_for(invited.session)) == 1


def test_counter_proposal_from_someone_else_waits_for_a_person(invited, reply):
    raw = reply("outlook_counter").replace(
        f"<{invited.erika.email}>".encode(), b"<max@andere-stadt.example>", 1
    )
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "sent from max@andere-stadt.example" in message.why
    assert counter_proposals_for(invited.session) == []


def test_counter_proposal_of_someone_never_invited_waits(invited, reply):
    message = ingest(reply("outlook_counter", attendee="fremd@andere-stadt.example"), Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "is not among its invitees" in message.why
    assert counter_proposals_for(invited.session) == []


def test_counter_proposal_in_an_unknown_zone_keeps_the_time_as_written(invited):
    """Outlook names a zone it made up ("Customized Time Zone 1"): the time is shown as written
    rather than guessed."""
    raw = (
        f"From: Erika Muster <{invited.erika.email}>\r\n"
        "To: einladungen@dialogplattform.example\r\n"
        "Subject: Neue Uhrzeit vorgeschlagen: Workshop\r\n"
        "Message-ID: <custom-zone@stadt-beispiel.example>\r\n"
        "Content-Type: text/calendar; charset=utf-8; method=COUNTER\r\n\r\n"
        "BEGIN:VCALENDAR\r\nMETHOD:COUNTER\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"
        f"UID:{invited.invitation.ical_uid}\r\nSEQUENCE:0\r\nDTSTAMP:20300607T073002Z\r\n"
        "DTSTART;TZID=Customized Time Zone 1:20300702T090000\r\n"
        "DTEND;TZID=Customized Time Zone 1:20300702T150000\r\n"
        f"ATTENDEE;PARTSTAT=TENTATIVE:MAILTO:{invited.erika.email}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.COUNTER_PROPOSAL, message.why
    (proposal,) = counter_proposals_for(invited.session)
    assert proposal.starts_at is None
    assert proposal.start_written == "20300702T090000 (Customized Time Zone 1)"
    assert "20300702T090000 (Customized Time Zone 1)" in message.why


def test_plain_reply_is_linked_by_in_reply_to(invited, reply):
    mail = invited.invitation_mail()
    message = ingest(reply("plain_reply", in_reply_to=mail.message_id), Source.IMAP)
    db.session.commit()
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert message.invitation_id == invited.invitation.id
    assert "plain e-mail" in message.why
    assert answers_of(invited.invitation) == []


def test_plain_reply_found_through_references(invited, reply):
    mail = invited.invitation_mail()
    raw = reply("plain_reply", in_reply_to="<unknown@elsewhere.example>")
    raw = raw.replace(
        b"References: <unknown@elsewhere.example>",
        f"References: {mail.message_id} <unknown@elsewhere.example>".encode(),
    )
    message = ingest(raw, Source.IMAP)
    assert message.invitation_id == invited.invitation.id


def test_out_of_office_notice_is_set_aside(invited, reply):
    mail = invited.invitation_mail()
    message = ingest(reply("out_of_office", in_reply_to=mail.message_id), Source.IMAP)
    assert message.outcome == Outcome.IGNORED
    assert "automatic reply" in message.why
    assert message.invitation_id == invited.invitation.id


def test_delivery_failure_report_is_linked_to_the_invitation(invited):
    mail = invited.invitation_mail()
    raw = (
        "From: Mail Delivery System <MAILER-DAEMON@mail.example>\r\n"
        "To: einladungen@dialogplattform.example\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\n\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {mail.message_id}\r\nSubject: Einladung\r\n\r\n"
        "--b--\r\n"
    ).encode()
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "could not be delivered" in message.why
    assert message.invitation_id == invited.invitation.id


def test_reply_naming_no_known_method_waits(invited, reply):
    raw = reply("thunderbird_accepted").replace(b"METHOD:REPLY", b"METHOD:REFRESH")
    raw = raw.replace(b"method=REPLY", b"method=REFRESH")
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "METHOD:REFRESH" in message.why


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "empty"),
        (bytes(random.Random(3).randrange(256) for _ in range(2000)), "does not look like"),
        (b"\x00\x01\x02\x03", "does not look like"),
        (
            b"From: erika@x.example\r\nSubject: Zusage\r\nContent-Type: text/calendar; "
            b"method=REPLY\r\n\r\nBEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
            b"ATTENDEE;PARTSTAT=ACCEPTED:mailto:erika@x.example\r\n",
            "could not be read",
        ),
        (
            b"From: \xff\xfe\r\nSubject: \x00\xc3\r\n\r\n\x00 text",
            "neither a calendar reply",
        ),
    ],
    ids=["empty", "random", "control-bytes", "broken-calendar", "bad-header-bytes"],
)
def test_garbage_is_stored_for_a_person_with_the_reason(invited, raw, reason):
    message = ingest(raw, Source.UPLOAD)
    db.session.commit()
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert reason in message.why
    assert db.session.get(InboundMessage, message.id).raw_message == raw


def test_every_message_is_kept(invited, reply):
    for name in ("outlook_accepted", "plain_reply", "outlook_counter"):
        ingest(reply(name, in_reply_to="<x@y>"), Source.PIPE)
    db.session.commit()
    assert [m.source for m in stored_messages()] == [Source.PIPE] * 3


def test_a_deputy_invited_later_answers_for_themselves(invited, reply):
    (jonas,) = invite_experts(invited.session, [invited.jonas]).invited
    db.session.commit()
    message = ingest(
        reply("thunderbird_accepted", attendee=invited.jonas.email, uid=jonas.ical_uid),
        Source.IMAP,
    )
    assert message.outcome == Outcome.APPLIED
    assert db.session.get(Invitation, invited.invitation.id).response == Response.NEEDS_ACTION


def test_an_error_while_applying_keeps_the_message_and_changes_nothing(invited, reply, monkeypatch):
    def broken_answer(*args, **kwargs):
        invited.invitation.comment = "half-done change"
        db.session.flush()
        raise RuntimeError("bug")

    monkeypatch.setattr(calendar_answers, "record_answer", broken_answer)
    message = ingest(reply("outlook_accepted"), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "unexpected error" in message.why and "RuntimeError" in message.why
    assert db.session.get(Invitation, invited.invitation.id).comment == ""


def test_reply_that_does_not_say_whether_they_come_waits(invited, reply):
    raw = reply("thunderbird_accepted").replace(b"PARTSTAT=ACCEPTED", b"PARTSTAT=NEEDS-ACTION")
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "PARTSTAT NEEDS-ACTION" in message.why
    assert message.invitation_id == invited.invitation.id


def test_reply_without_attendee_waits(invited, reply):
    raw = b"\r\n".join(
        line
        for line in reply("thunderbird_accepted").split(b"\r\n")
        if not line.startswith((b"ATTENDEE", b" VIDUAL"))
    )
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "names no attendee" in message.why


def test_reply_naming_a_private_address_sent_by_the_invitee_is_linked(invited, reply):
    # Apple Calendar answers as the calendar account's address, from the mail account.
    raw = reply("thunderbird_accepted", attendee="erika@icloud.example")
    raw = raw.replace(
        b"From: Erika Muster <erika@icloud.example>",
        f"From: Erika Muster <{invited.erika.email}>".encode(),
    )
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "erika@icloud.example was never invited" in message.why
    assert f"comes from {invited.erika.email}, who was invited" in message.why
    assert message.invitation_id == invited.invitation.id


# --- Calendar parts that must not be applied ------------------------------------------------


def test_a_cut_off_acceptance_is_never_applied(invited, reply):
    message = ingest(reply("truncated_reply"), Source.PIPE)
    db.session.commit()

    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "cut off" in message.why and "END:VEVENT, END:VCALENDAR" in message.why
    assert message.reasons[0]["code"] == "calendar_incomplete"
    # Linked to the invitation it names, so that a person decides with one click.
    assert message.invitation_id == invited.invitation.id
    assert message.attendee == invited.erika.email
    assert db.session.get(Invitation, invited.invitation.id).response == Response.NEEDS_ACTION
    assert answers_of(invited.invitation) == []


@pytest.mark.parametrize(
    ("cut_after", "missing"),
    [
        (b"END:VEVENT\r\n", "END:VCALENDAR"),
        (b"ATTENDEE;CN=Erika Muster;PARTSTAT=ACC", "END:VEVENT"),
    ],
    ids=["no-end-vcalendar", "cut-in-a-line"],
)
def test_a_part_cut_anywhere_is_not_applied(invited, reply, cut_after, missing):
    raw = reply("thunderbird_accepted")
    # Both calendar parts of Thunderbird's mail say the same; the inline one is cut off here.
    inline_end = raw.index(cut_after) + len(cut_after)
    boundary = raw.index(b"--------------0eH3Jx7VbQn2TuR9mWc4LdGy--")
    raw = raw[:inline_end] + b"\r\n" + raw[boundary:]
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW, message.why
    assert missing in message.why
    assert answers_of(invited.invitation) == []


@pytest.mark.parametrize(
    ("written", "bad"),
    [
        (b"DTSTART:20300701T080000Z", b"DTSTART:20300701T0800Z"),
        (b"DTEND:20300701T140000Z", b"DTEND:20301301T140000Z"),
        (b"DTSTAMP:20300604T154021Z", b"DTSTAMP:gestern"),
        (b"SEQUENCE:", b"RECURRENCE-ID:2030-07-01\r\nSEQUENCE:"),
    ],
    ids=["dtstart", "dtend-month-13", "dtstamp", "recurrence-id"],
)
def test_a_reply_whose_times_cannot_be_read_is_not_applied(invited, reply, written, bad):
    raw = reply("thunderbird_accepted").replace(written, bad, 1)
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW, message.why
    name = bad.split(b":")[0].split(b"\r\n")[-1].decode()
    assert f"calendar part's {name}" in message.why
    assert answers_of(invited.invitation) == []


def test_the_unreadable_times_sample_waits_with_each_property(invited, reply):
    message = ingest(reply("unreadable_times"), Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "DTSTART “2030-07-01T10:00:00”" in message.why
    assert "DTEND “2030-07-01T16:00:00”" in message.why
    assert message.invitation_id == invited.invitation.id


def test_a_cut_off_reply_from_someone_else_says_so_too(invited, reply):
    raw = reply("truncated_reply").replace(
        f"From: Erika Muster <{invited.erika.email}>".encode(), b"From: <max@andere.example>"
    )
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "cut off" in message.why and "sent from max@andere.example" in message.why


# --- Delegations sent by an assistant ------------------------------------------------------

ASSISTANT = "sekretariat@stadt-beispiel.example"


def test_an_assistants_delegation_to_an_unknown_deputy_is_proposed_with_the_cn(invited, reply):
    raw = reply(
        "evolution_delegated",
        sender=ASSISTANT,
        deputy="j.neumann@stadt-beispiel.example",
        deputy_name="Neumann, Julia",
    )
    message = ingest(raw, Source.IMAP)
    db.session.commit()
    assert message.outcome == Outcome.APPLIED, message.why
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == Response.DELEGATED
    proposal = invitation.deputy_proposal
    assert (proposal.first_name, proposal.last_name, proposal.email) == (
        "Julia",
        "Neumann",
        "j.neumann@stadt-beispiel.example",
    )


def test_an_assistants_delegation_to_a_known_expert_invites_them(invited, reply):
    message = ingest(reply("evolution_delegated", sender=ASSISTANT), Source.IMAP)
    db.session.commit()
    assert message.outcome == Outcome.APPLIED, message.why
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.delegated_to.expert_id == invited.jonas.id
    assert invitation.deputy_proposal is None


@pytest.mark.parametrize(
    "assistant",
    ["helfer@andere-stadt.example", "erika.sekretariat@gmail.com"],
    ids=["other-domain", "public-mail-service"],
)
def test_sent_by_from_outside_the_invitees_domain_does_not_act_for_them(invited, reply, assistant):
    message = ingest(
        reply("evolution_delegated", sender=assistant, deputy="x@privat.example"), Source.IMAP
    )
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert f"sent on their behalf by {assistant}" in message.why
    assert message.reasons[0]["code"] == "sent_by_outside"
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == Response.NEEDS_ACTION and invitation.deputy_proposal is None


def test_sent_by_from_a_subdomain_of_the_invitee_counts(invited, reply):
    message = ingest(
        reply("evolution_delegated", sender="vorzimmer@rathaus.stadt-beispiel.example"),
        Source.IMAP,
    )
    assert message.outcome == Outcome.APPLIED, message.why
