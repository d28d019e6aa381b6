"""Calendar replies that prove who sent them: each attack on Erika's invitation lands in review
with the reason and leaves her answer unchanged; genuine replies are still applied."""

import re

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.services import invite_experts
from eventsys.invitations.states import Response
from eventsys.replies.authenticity import read_authentication_results
from eventsys.replies.receiving import ingest
from eventsys.replies.states import Outcome, Source
from tests.conftest import page_text
from tests.replies.conftest import make_expert

OUR_SERVER = "mx.dialogplattform.example"


@pytest.fixture
def max_invited(invited) -> Invitation:
    """Max Mitbewerber, invited to the same session: he holds a copy of his own invitation."""
    expert = make_expert(
        "Max", "Mitbewerber", "max.mitbewerber@andere-stadt.example", invited.erika.organisation
    )
    db.session.flush()
    (invitation,) = invite_experts(invited.session, [expert]).invited
    db.session.commit()
    return invitation


@pytest.fixture
def legacy(invited) -> Invitation:
    """Erika's invitation as one sent before invitations had UIDs of their own."""
    invited.invitation.ical_uid = None
    db.session.commit()
    return invited.invitation


@pytest.fixture
def trusting_our_server(app):
    app.config["REPLIES_TRUSTED_AUTHSERV_ID"] = OUR_SERVER


def sent_from(raw: bytes, address: str) -> bytes:
    """The mail with its From header replaced: what anyone can write."""
    return re.sub(rb"(?m)^From: .*\r$", f"From: <{address}>\r".encode(), raw, count=1)


def with_headers(raw: bytes, *headers: str) -> bytes:
    return "".join(f"{header}\r\n" for header in headers).encode() + raw


def declined(raw: bytes) -> bytes:
    return raw.replace(b"PARTSTAT=ACCEPTED", b"PARTSTAT=DECLINED")


def erikas_answer(invited) -> Response:
    invitation = db.session.get(Invitation, invited.invitation.id)
    return invitation.response


def no_answers_recorded() -> bool:
    return db.session.scalar(sa.select(sa.func.count(InvitationAnswer.id))) == 0


def assert_kept_for_review(message, invited, *reason: str) -> None:
    assert message.outcome == Outcome.NEEDS_REVIEW, message.why
    for words in reason:
        assert words in message.why
    assert erikas_answer(invited) == Response.NEEDS_ACTION
    assert no_answers_recorded()


# --- Attacks ------------------------------------------------------------------------------


def test_decline_for_erika_from_another_invitees_address_lands_in_review(
    invited, reply, max_invited
):
    """Even with Erika's own UID (say, from a forwarded invitation), Max's mail cannot answer."""
    raw = sent_from(declined(reply("thunderbird_accepted")), max_invited.expert.email)
    message = ingest(raw, Source.IMAP)
    db.session.commit()
    assert_kept_for_review(
        message,
        invited,
        f"answers for {invited.erika.email}",
        f"sent from {max_invited.expert.email}",
        "may come from someone else",
    )
    assert message.invitation_id == invited.invitation.id  # shown with the invitation it names


def test_decline_for_erika_in_another_invitees_calendar_entry_lands_in_review(
    invited, reply, max_invited
):
    """Max answers for Erika in his own copy, from his own address."""
    raw = sent_from(
        declined(reply("thunderbird_accepted", uid=max_invited.ical_uid)),
        max_invited.expert.email,
    )
    message = ingest(raw, Source.IMAP)
    assert_kept_for_review(message, invited, "is not the one sent to", max_invited.ical_uid)


@pytest.mark.parametrize("sender", ["max", "erika"], ids=["from-max", "from-forged-erika"])
def test_decline_with_the_guessed_session_uid_lands_in_review(invited, reply, max_invited, sender):
    """The session's UID is shared and no secret; Erika's calendar never held it."""
    address = max_invited.expert.email if sender == "max" else invited.erika.email
    raw = sent_from(declined(reply("thunderbird_accepted", uid=invited.session.ical_uid)), address)
    message = ingest(raw, Source.IMAP)
    assert_kept_for_review(
        message, invited, "cannot come from their calendar", invited.session.ical_uid
    )
    assert message.invitation_id == invited.invitation.id


def test_decline_for_an_invitation_sent_before_own_uids_from_another_address(
    invited, reply, legacy, max_invited
):
    raw = sent_from(
        declined(reply("thunderbird_accepted", uid=invited.session.ical_uid)),
        max_invited.expert.email,
    )
    message = ingest(raw, Source.IMAP)
    assert_kept_for_review(message, invited, f"sent from {max_invited.expert.email}")


def test_an_unguessed_uid_of_the_right_shape_belongs_to_nobody(invited, reply, max_invited):
    guessed = invited.invitation.ical_uid[:-20] + "0" * 11 + invited.invitation.ical_uid[-9:]
    raw = sent_from(declined(reply("thunderbird_accepted", uid=guessed)), invited.erika.email)
    message = ingest(raw, Source.IMAP)
    assert_kept_for_review(message, invited, "belongs to no session")


def test_a_from_with_several_addresses_is_not_the_attendee(invited, reply, max_invited):
    raw = re.sub(
        rb"(?m)^From: .*\r$",
        f"From: <{invited.erika.email}>, <{max_invited.expert.email}>\r".encode(),
        declined(reply("thunderbird_accepted")),
        count=1,
    )
    message = ingest(raw, Source.IMAP)
    assert_kept_for_review(message, invited, "may come from someone else")


@pytest.mark.parametrize(
    "verdict",
    [
        "dmarc=fail (p=reject) header.from=stadt-beispiel.example",
        'dkim=fail reason="signature did not verify" header.d=stadt-beispiel.example',
        "spf=pass smtp.mailfrom=elsewhere.example; dmarc=fail header.from=stadt-beispiel.example",
    ],
    ids=["dmarc", "dkim", "dmarc-after-spf-pass"],
)
def test_forged_sender_that_our_mail_server_caught_lands_in_review(
    invited, reply, trusting_our_server, verdict
):
    raw = with_headers(
        declined(reply("thunderbird_accepted")), f"Authentication-Results: {OUR_SERVER}; {verdict}"
    )
    message = ingest(raw, Source.IMAP)
    assert_kept_for_review(message, invited, "Our mail server reports", "may be forged")


def test_authentication_results_are_ignored_unless_configured(invited, reply):
    raw = with_headers(
        reply("thunderbird_accepted"),
        f"Authentication-Results: {OUR_SERVER}; dmarc=fail header.from=stadt-beispiel.example",
    )
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.APPLIED, message.why


def test_only_the_topmost_authentication_results_of_our_server_count(
    invited, reply, trusting_our_server
):
    # A sender can write any Authentication-Results; ours is added on top when it arrives.
    forged_pass = with_headers(
        declined(reply("thunderbird_accepted")),
        f"Authentication-Results: {OUR_SERVER}; dmarc=fail header.from=stadt-beispiel.example",
        f"Authentication-Results: {OUR_SERVER}; dmarc=pass header.from=stadt-beispiel.example",
    )
    message = ingest(forged_pass, Source.IMAP)
    assert_kept_for_review(message, invited, "dmarc=fail")

    elsewhere = with_headers(
        reply("thunderbird_accepted", variant="-2"),
        "Authentication-Results: mx.elsewhere.example;"
        " dmarc=fail header.from=stadt-beispiel.example",
    )
    assert ingest(elsewhere, Source.IMAP).outcome == Outcome.APPLIED


def test_a_failure_for_another_domain_does_not_count(invited, reply, trusting_our_server):
    raw = with_headers(
        reply("thunderbird_accepted"),
        f"Authentication-Results: {OUR_SERVER}; dkim=fail header.d=mailinglist.example;"
        " dkim=pass header.d=stadt-beispiel.example; dmarc=pass header.from=stadt-beispiel.example",
    )
    assert ingest(raw, Source.IMAP).outcome == Outcome.APPLIED


# --- Genuine replies ----------------------------------------------------------------------


def test_apple_mail_from_a_different_account_lands_in_review_with_the_reason(
    invited, reply, secretariat_client
):
    """Apple Calendar may send the reply from another mail account than the ATTENDEE: nothing
    proves it is Erika's, so a person decides; the reason says what to check."""
    message = ingest(reply("apple_accepted", sender="erika.m@icloud.example"), Source.IMAP)
    db.session.commit()
    assert_kept_for_review(
        message,
        invited,
        "sent from erika.m@icloud.example",
        "Apple Calendar among them",
        "if you know this is their answer, set it here",
    )
    assert message.invitation_id == invited.invitation.id
    page = page_text(secretariat_client.get(f"/replies/{message.id}"))
    assert "answer from another mail account of the same person" in page


def test_apple_mail_from_the_attendees_account_is_applied(invited, reply):
    message = ingest(reply("apple_accepted"), Source.IMAP)
    assert message.outcome == Outcome.APPLIED, message.why
    assert erikas_answer(invited) == Response.ACCEPTED


def test_an_assistant_named_with_sent_by_answers(invited, reply):
    message = ingest(reply("evolution_declined"), Source.IMAP)
    assert message.outcome == Outcome.APPLIED, message.why
    assert erikas_answer(invited) == Response.DECLINED


def test_an_assistant_not_named_with_sent_by_does_not(invited, reply):
    raw = reply("evolution_declined").replace(b"SENT-BY=", b"X-SENT-BY=")
    message = ingest(raw, Source.IMAP)
    assert_kept_for_review(message, invited, "sent from sekretariat@stadt-beispiel.example")


def test_mixed_case_and_mailto_do_not_matter(invited, reply):
    raw = sent_from(reply("outlook_accepted"), invited.erika.email.upper())
    message = ingest(raw, Source.IMAP)
    assert message.outcome == Outcome.APPLIED, message.why


def test_google_sends_with_its_own_sender_header(invited, reply):
    message = ingest(reply("google_tentative"), Source.IMAP)
    assert message.outcome == Outcome.APPLIED, message.why


def test_a_sender_that_our_mail_server_passed_is_applied(invited, reply, trusting_our_server):
    raw = with_headers(
        reply("thunderbird_accepted"),
        f"Authentication-Results: {OUR_SERVER}; spf=pass smtp.mailfrom=stadt-beispiel.example;"
        " dkim=pass header.d=stadt-beispiel.example; dmarc=pass header.from=stadt-beispiel.example",
    )
    assert ingest(raw, Source.IMAP).outcome == Outcome.APPLIED


def test_an_invitation_sent_before_own_uids_still_takes_its_invitees_reply(invited, reply, legacy):
    message = ingest(reply("outlook_accepted", uid=invited.session.ical_uid), Source.IMAP)
    assert message.outcome == Outcome.APPLIED, message.why
    assert message.invitation_id == invited.invitation.id
    assert erikas_answer(invited) == Response.ACCEPTED


def test_the_named_deputy_answers_in_the_entry_passed_on_to_them(invited, reply):
    """Erika delegates to Jonas; his client answers with the entry she passed on (her UID)."""
    assert ingest(reply("delegated"), Source.IMAP).outcome == Outcome.APPLIED
    db.session.commit()
    deputy = db.session.get(Invitation, invited.invitation.id).delegated_to
    message = ingest(reply("thunderbird_accepted", attendee=invited.jonas.email), Source.IMAP)
    assert message.outcome == Outcome.APPLIED, message.why
    assert message.invitation_id == deputy.id
    assert db.session.get(Invitation, deputy.id).response == Response.ACCEPTED


def test_reading_authentication_results():
    results = read_authentication_results(
        "mx.example.org 1; (a comment (nested)) spf=pass smtp.mailfrom=a.example;"
        ' dkim=fail (bad sig) header.d=a.example header.s="sel 1"; dmarc=fail header.from=A.example'
    )
    assert results.authserv_id == "mx.example.org"
    assert [(r.method, r.result) for r in results.results] == [
        ("spf", "pass"),
        ("dkim", "fail"),
        ("dmarc", "fail"),
    ]
    assert results.results[1].properties["header.d"] == "a.example"
    assert results.results[2].properties["header.from"] == "a.example"
    assert read_authentication_results("") is None
    assert read_authentication_results("mx.example.org; none").results == []


def test_naming_oneself_with_sent_by_does_not_answer_for_erika(invited, reply, legacy, max_invited):
    """The session's UID is shared by invitations sent before own UIDs: Max holds it, writes
    Erika's decline and names himself as her SENT-BY. He is not of her side."""
    raw = reply("evolution_declined", uid=invited.session.ical_uid).replace(
        b"sekretariat@stadt-beispiel.example", max_invited.expert.email.encode()
    )
    message = ingest(raw, Source.IMAP)
    assert_kept_for_review(
        message,
        invited,
        f"sent on their behalf by {max_invited.expert.email}",
        "outside the attendee's organisation",
    )
