"""What becomes of each message that arrives: applied, kept as stale or repeated, or queued for a
person with the reason; never dropped."""

import random

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.services import (
    invite_experts,
    record_answer,
    session_moved,
    withdraw_invitation,
)
from eventsys.invitations.states import AttendanceMode, Channel, Response
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

    assert message.outcome == Outcome.APPLIED, message.explanation
    assert message.invitation_id == invited.invitation.id
    assert message.attendee == invited.erika.email
    assert message.method == "REPLY" and message.calendar_uid == invited.invitation.ical_uid
    assert invited.erika.email in message.explanation
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == response
    assert invitation.comment == comment
    assert invitation.channel == Channel.CALENDAR
    assert invitation.responded_sequence == 0
    (answer,) = answers_of(invitation)
    assert answer.inbound_message_id == message.id
    assert answer.channel == Channel.CALENDAR and answer.response == response


def test_reply_to_the_current_version_after_a_move(invited, reply):
    session_moved(invited.session)
    db.session.commit()
    message = ingest(reply("outlook_accepted", sequence=1), Source.PIPE)
    assert message.outcome == Outcome.APPLIED
    assert db.session.get(Invitation, invited.invitation.id).responded_sequence == 1


def test_reply_to_an_earlier_version_is_stale(invited, reply):
    session_moved(invited.session)
    db.session.commit()
    message = ingest(reply("thunderbird_accepted", sequence=0), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.STALE
    assert "version 0" in message.explanation and "version 1" in message.explanation
    assert message.invitation_id == invited.invitation.id
    assert db.session.get(Invitation, invited.invitation.id).response == Response.NEEDS_ACTION
    assert answers_of(invited.invitation) == []


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
    assert "already" in again.explanation
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
    assert "after writing this reply" in late.explanation
    assert db.session.get(Invitation, invited.invitation.id).response == Response.DECLINED


def test_unknown_uid_waits_for_a_person(invited, reply):
    message = ingest(reply("outlook_accepted", uid="no-such-entry@elsewhere"), Source.IMAP)
    db.session.commit()
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "no-such-entry@elsewhere" in message.explanation
    assert "belongs to no session" in message.explanation
    assert message.invitation_id is None
    assert answers_of(invited.invitation) == []


def test_expert_who_was_never_invited_waits_for_a_person(invited, reply):
    message = ingest(reply("google_tentative", attendee=invited.jonas.email), Source.IMAP)
    db.session.commit()
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert f"{invited.jonas.email} was never invited" in message.explanation
    assert "Jonas Vertreter in the directory" in message.explanation
    assert message.attendee == invited.jonas.email
    assert answers_of(invited.invitation) == []


def test_stranger_answering_our_invitation_mail_is_linked_for_the_person(invited, reply):
    raw = reply("thunderbird_accepted", attendee="e.muster@privat.example")
    raw = raw.replace(
        b"Subject:", f"In-Reply-To: {invited.invitation_mail().message_id}\r\nSubject:".encode()
    )
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "e.muster@privat.example was never invited" in message.explanation
    assert invited.erika.email in message.explanation
    assert message.invitation_id == invited.invitation.id
    assert answers_of(invited.invitation) == []


def test_reply_for_a_withdrawn_invitation_waits_with_the_reason(invited, reply):
    withdraw_invitation(invited.invitation)
    db.session.commit()
    message = ingest(reply("outlook_accepted"), Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "withdrawn" in message.explanation
    assert message.invitation_id == invited.invitation.id


def test_reply_for_a_cancelled_session_waits_with_the_reason(invited, reply):
    invited.session.status = SessionStatus.CANCELLED
    db.session.commit()
    message = ingest(reply("outlook_accepted"), Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "cancelled" in message.explanation
    assert answers_of(invited.invitation) == []


def test_delegation_to_a_known_expert_invites_the_deputy(invited, reply):
    message = ingest(reply("delegated"), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.APPLIED, message.explanation
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


def test_delegation_to_an_unknown_address_waits_and_shows_it(invited, reply):
    message = ingest(reply("delegated", deputy="kollege@privat.example"), Source.IMAP)
    db.session.commit()
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "kollege@privat.example" in message.explanation
    assert db.session.get(Invitation, invited.invitation.id).response == Response.NEEDS_ACTION


def test_counter_proposal_is_shown_not_applied(invited, reply):
    message = ingest(reply("outlook_counter"), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.COUNTER_PROPOSAL
    assert message.method == "COUNTER"
    assert db.session.get(Invitation, invited.invitation.id).response == Response.NEEDS_ACTION
    assert answers_of(invited.invitation) == []
    (proposal,) = counter_proposals_for(invited.session)
    assert proposal.message.id == message.id
    assert proposal.attendee == invited.erika.email
    assert proposal.start == "2 Jul 2030, 09:00"  # Berlin time, from Outlook's Windows zone
    assert proposal.end == "2 Jul 2030, 15:00"
    assert proposal.note == "Am 1. Juli tagt unser Stadtrat. Wäre der Folgetag möglich?"


def test_plain_reply_is_linked_by_in_reply_to(invited, reply):
    mail = invited.invitation_mail()
    message = ingest(reply("plain_reply", in_reply_to=mail.message_id), Source.IMAP)
    db.session.commit()
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert message.invitation_id == invited.invitation.id
    assert "plain e-mail" in message.explanation
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
    assert "automatic reply" in message.explanation
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
    assert "could not be delivered" in message.explanation
    assert message.invitation_id == invited.invitation.id


def test_reply_naming_no_known_method_waits(invited, reply):
    raw = reply("thunderbird_accepted").replace(b"METHOD:REPLY", b"METHOD:REFRESH")
    raw = raw.replace(b"method=REPLY", b"method=REFRESH")
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "METHOD:REFRESH" in message.explanation


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
    assert reason in message.explanation
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
    assert "unexpected error" in message.explanation and "RuntimeError" in message.explanation
    assert db.session.get(Invitation, invited.invitation.id).comment == ""


def test_reply_that_does_not_say_whether_they_come_waits(invited, reply):
    raw = reply("thunderbird_accepted").replace(b"PARTSTAT=ACCEPTED", b"PARTSTAT=NEEDS-ACTION")
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "PARTSTAT NEEDS-ACTION" in message.explanation
    assert message.invitation_id == invited.invitation.id


def test_reply_without_attendee_waits(invited, reply):
    raw = b"\r\n".join(
        line
        for line in reply("thunderbird_accepted").split(b"\r\n")
        if not line.startswith((b"ATTENDEE", b" VIDUAL"))
    )
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "names no attendee" in message.explanation


def test_reply_naming_a_private_address_sent_by_the_invitee_is_linked(invited, reply):
    # Apple Calendar answers as the calendar account's address, from the mail account.
    raw = reply("thunderbird_accepted", attendee="erika@icloud.example")
    raw = raw.replace(
        b"From: Erika Muster <erika@icloud.example>",
        f"From: Erika Muster <{invited.erika.email}>".encode(),
    )
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert "erika@icloud.example was never invited" in message.explanation
    assert f"comes from {invited.erika.email}, who was invited" in message.explanation
    assert message.invitation_id == invited.invitation.id
