"""What people see of replies outside the plain queue: reasons in the reader's language, the
obvious invitation chosen for a plain reply, deputies from calendar delegations confirmed with
their name corrected, and counter-proposals on the session's invitations page."""

import pytest
import sqlalchemy as sa

from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.services import invite_experts
from eventsys.invitations.states import ProposalState, Response
from eventsys.outbox.models import OutboxMessage
from eventsys.replies.models import CounterProposal, InboundMessage
from eventsys.replies.receiving import ingest
from eventsys.replies.states import Outcome, Source
from tests.charters.conftest import language_chosen_per_request  # noqa: F401
from tests.conftest import page_text, sign_in


def invitations_page(client, invited):
    return client.get(f"/sessions/{invited.session.id}/invitations")


# --- Reasons in the reader's language -----------------------------------------------------


def test_reasons_are_stored_as_codes_and_shown_in_the_readers_language(
    client, staff, invited, reply
):
    message = ingest(reply("outlook_accepted"), Source.IMAP)
    db.session.commit()
    assert message.explanation == ""
    assert message.reasons == [
        {
            "code": "recorded",
            "values": {
                "attendee": invited.erika.email,
                "session": "Workshop Datenräume",
                "answer": {"answer": "accepted"},
            },
        }
    ]

    staff.secretariat.language = "de"
    db.session.commit()
    sign_in(client, staff.secretariat)
    german = (
        "Kalenderantwort von erika.muster@stadt-beispiel.example zu „Workshop Datenräume“ "
        "erfasst: Zusage."
    )
    assert german in page_text(client.get(f"/replies/{message.id}"))
    assert german in page_text(client.get("/replies/?outcome=applied"))

    staff.secretariat.language = "en"
    db.session.commit()
    english = (
        "Calendar reply of erika.muster@stadt-beispiel.example recorded for "
        "“Workshop Datenräume”: Accepted."
    )
    assert english in page_text(client.get(f"/replies/{message.id}"))


def test_a_message_stored_with_a_sentence_still_shows_it(secretariat_client, invited):
    message = InboundMessage(
        source=Source.IMAP,
        digest="e" * 64,
        raw_message=b"Subject: Zusage\r\n\r\nIch komme.",
        subject="Zusage",
        outcome=Outcome.NEEDS_REVIEW,
        explanation="Eine einfache E-Mail ohne Kalenderantwort. Bitte lesen und entscheiden.",
    )
    db.session.add(message)
    db.session.commit()
    assert message.reasons == []
    text = page_text(secretariat_client.get(f"/replies/{message.id}"))
    assert "Eine einfache E-Mail ohne Kalenderantwort." in text

    secretariat_client.post(
        f"/replies/{message.id}/decide", data={"invitation": "", "decision": "ignore"}
    )
    message = db.session.get(InboundMessage, message.id)
    assert message.why == (
        "Eine einfache E-Mail ohne Kalenderantwort. Bitte lesen und entscheiden.\n"
        "Set aside by Test Secretariat."
    )


def test_an_unknown_reason_is_shown_rather_than_hidden(secretariat_client, invited):
    message = InboundMessage(
        source=Source.IMAP,
        digest="f" * 64,
        raw_message=b"Subject: x\r\n\r\n",
        outcome=Outcome.NEEDS_REVIEW,
        reasons=[{"code": "from_a_later_version", "values": {"x": "<b>1</b>"}}],
    )
    db.session.add(message)
    db.session.commit()
    response = secretariat_client.get(f"/replies/{message.id}")
    assert response.status_code == 200
    assert 'from_a_later_version {"x": "<b>1</b>"}' in page_text(response)
    assert "<b>1</b>" not in response.get_data(as_text=True)  # escaped


# --- The obvious invitation for a plain reply ---------------------------------------------


def aw_reply(invited, subject: str, sender: str | None = None) -> bytes:
    return (
        f"From: Erika Muster <{sender or invited.erika.email}>\r\n"
        "To: einladungen@dialogplattform.example\r\n"
        f"Subject: {subject}\r\n"
        "Message-ID: <aw-1@stadt-beispiel.example>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Ich komme gern.\r\n"
    ).encode()


@pytest.fixture
def second_session(invited):
    """Erika is invited to another workshop too: her replies must find the right one."""
    from datetime import timedelta

    from eventsys.sessions.models import Session
    from eventsys.sessions.states import SessionKind, SessionStatus

    other = Session(
        title="Plenum Datenstrategien",
        kind=SessionKind.PLENARY,
        starts_at=invited.session.starts_at + timedelta(days=30),
        ends_at=invited.session.ends_at + timedelta(days=30),
        status=SessionStatus.CONFIRMED,
    )
    db.session.add(other)
    db.session.flush()
    (invitation,) = invite_experts(other, [invited.erika]).invited
    db.session.commit()
    return invitation


@pytest.mark.parametrize("prefix", ["AW: ", "Re: ", "RE: ", "Antwort: ", "AW: AW: "])
def test_a_plain_reply_to_the_invitation_subject_is_matched(
    secretariat_client, invited, second_session, prefix
):
    subject = invited.invitation_mail().subject
    assert subject == "Einladung: Workshop Datenräume"
    message = ingest(aw_reply(invited, prefix + subject), Source.IMAP)
    db.session.commit()

    assert message.outcome == Outcome.NEEDS_REVIEW
    assert message.invitation_id == invited.invitation.id
    html = secretariat_client.get(f"/replies/{message.id}").get_data(as_text=True)
    assert f'<option selected value="{invited.invitation.id}">' in html


def test_the_subject_alone_from_another_sender_is_not_a_match(invited, second_session):
    subject = invited.invitation_mail().subject
    message = ingest(aw_reply(invited, f"AW: {subject}", "jemand@andere.example"), Source.IMAP)
    assert message.invitation_id is None


def test_a_subject_without_reply_prefix_is_not_taken_for_a_reply(invited, second_session):
    message = ingest(aw_reply(invited, invited.invitation_mail().subject), Source.IMAP)
    assert message.invitation_id is None


def test_a_message_stored_before_gets_the_match_preselected(
    secretariat_client, invited, second_session
):
    """A plain reply stored before subjects were matched has no invitation linked; the page
    still chooses the one its subject answers, not Erika's first invitation."""
    message = ingest(aw_reply(invited, "AW: Einladung: Plenum Datenstrategien"), Source.IMAP)
    message.invitation_id = None
    db.session.commit()
    html = secretariat_client.get(f"/replies/{message.id}").get_data(as_text=True)
    assert f'<option selected value="{second_session.id}">' in html
    assert f'<option selected value="{invited.invitation.id}">' not in html


# --- Deputies named in calendar replies ---------------------------------------------------


def delegate_to_julia(invited, reply, cn: str = "Neumann, Julia") -> InboundMessage:
    message = ingest(
        reply(
            "evolution_delegated",
            sender="sekretariat@stadt-beispiel.example",
            deputy="julia.neumann@stadt-beispiel.example",
            deputy_name=cn,
        ),
        Source.IMAP,
    )
    db.session.commit()
    return message


def test_the_organiser_corrects_the_name_and_invites_the_deputy_in_one_step(
    organiser_client, invited, reply
):
    delegate_to_julia(invited, reply, cn="J. Neumann")
    proposal = db.session.get(Invitation, invited.invitation.id).deputy_proposal
    page = invitations_page(organiser_client, invited)
    html = page.get_data(as_text=True)
    assert "J. Neumann" in page_text(page)
    assert f'id="deputy-first-name-{proposal.id}" name="first_name" value="J."' in html
    assert f'id="deputy-last-name-{proposal.id}" name="last_name" value="Neumann"' in html

    response = organiser_client.post(
        f"/sessions/{invited.session.id}/deputy-proposals/{proposal.id}",
        data={"first_name": "Julia", "last_name": "Neumann", "confirm": "y"},
        follow_redirects=True,
    )

    assert "Julia Neumann has been invited as the deputy of Erika Muster." in page_text(response)
    julia = db.session.scalar(
        sa.select(Expert).where(Expert.email == "julia.neumann@stadt-beispiel.example")
    )
    assert (julia.first_name, julia.last_name) == ("Julia", "Neumann")
    assert julia.organisation_id == invited.erika.organisation_id
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.deputy_proposal.state == ProposalState.CONFIRMED
    assert invitation.delegated_to.expert_id == julia.id
    assert db.session.scalar(
        sa.select(OutboxMessage.kind).where(OutboxMessage.recipient == julia.email)
    )


def test_a_deputy_without_a_name_needs_one_to_be_confirmed(organiser_client, invited, reply):
    delegate_to_julia(invited, reply, cn="")
    proposal = db.session.get(Invitation, invited.invitation.id).deputy_proposal
    assert "No name given (julia.neumann@stadt-beispiel.example)" in page_text(
        invitations_page(organiser_client, invited)
    )
    url = f"/sessions/{invited.session.id}/deputy-proposals/{proposal.id}"
    refused = organiser_client.post(url, data={"confirm": "y"}, follow_redirects=True)
    assert "First name" in page_text(refused)
    assert db.session.get(Invitation, invited.invitation.id).deputy_proposal.is_pending

    organiser_client.post(url, data={"first_name": "Julia", "last_name": "Neumann", "confirm": "y"})
    assert db.session.get(Invitation, invited.invitation.id).deputy_proposal.state == (
        ProposalState.CONFIRMED
    )


def test_a_deputy_in_the_directory_is_confirmed_without_name_fields(
    organiser_client, invited, reply
):
    """Erika types Jonas's address through her link: the directory's entry is used."""
    from eventsys.invitations.deputies import NewDeputy, propose_deputy

    propose_deputy(invited.invitation, NewDeputy("J.", "V.", invited.jonas.email))
    db.session.commit()
    html = invitations_page(organiser_client, invited).get_data(as_text=True)
    assert 'name="first_name"' not in html


# --- Counter-proposals on the invitations page --------------------------------------------


@pytest.fixture
def counter(invited, reply) -> CounterProposal:
    ingest(reply("outlook_counter"), Source.IMAP)
    db.session.commit()
    return db.session.scalar(sa.select(CounterProposal))


def test_a_counter_proposal_is_shown_with_the_invitations(secretariat_client, invited, counter):
    text = page_text(invitations_page(secretariat_client, invited))
    assert "Proposed new times" in text
    assert "Erika Muster" in text
    assert "Proposed: 2 Jul 2030, 09:00 – 15:00 (Berlin time)" in text
    assert "„Am 1. Juli tagt unser Stadtrat. Wäre der Folgetag möglich?“" in text
    # The secretariat sees it; marking it is for those who plan the session.
    assert "Mark as dealt with" not in text


def test_an_organiser_marks_a_counter_proposal_as_dealt_with(
    organiser_client, staff, invited, counter
):
    assert "Mark as dealt with" in page_text(invitations_page(organiser_client, invited))
    url = f"/replies/sessions/{invited.session.id}/counter-proposals/{counter.id}/dealt-with"
    response = organiser_client.post(url, follow_redirects=True)
    text = page_text(response)
    assert "The counter-proposal of Erika Muster is marked as dealt with." in text
    assert "Proposed new times" not in text
    counter = db.session.get(CounterProposal, counter.id)
    assert counter.dealt_with_by_id == staff.organiser.id and not counter.is_open
    # The invitee's answer is untouched.
    assert db.session.get(Invitation, invited.invitation.id).response == Response.NEEDS_ACTION

    again = organiser_client.post(url, follow_redirects=True)
    assert "has been dealt with already" in page_text(again)


def test_marking_needs_a_planner_and_the_right_session(
    secretariat_client, invited, counter, second_session
):
    url = f"/replies/sessions/{invited.session.id}/counter-proposals/{counter.id}/dealt-with"
    assert secretariat_client.post(url).status_code == 403
    elsewhere = (
        f"/replies/sessions/{second_session.session_id}/counter-proposals/{counter.id}/dealt-with"
    )
    assert secretariat_client.post(elsewhere).status_code == 403
    assert db.session.get(CounterProposal, counter.id).is_open


def test_a_counter_proposal_of_another_session_is_not_found(
    organiser_client, counter, second_session
):
    url = f"/replies/sessions/{second_session.session_id}/counter-proposals/{counter.id}/dealt-with"
    assert organiser_client.post(url).status_code == 404
    assert (
        organiser_client.post(
            f"/replies/sessions/999/counter-proposals/{counter.id}/dealt-with"
        ).status_code
        == 404
    )
    assert db.session.get(CounterProposal, counter.id).is_open
