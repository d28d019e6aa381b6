"""The answer page behind the signed link: no login, a GET never records, a POST does."""

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.states import AttendanceMode, Channel, Response
from eventsys.outbox.models import OutboxMessage
from eventsys.sessions.states import SessionStatus
from tests.conftest import page_text
from tests.invitations.conftest import invitation_of, make_session, rsvp_path, text_of


@pytest.fixture
def invited(platform):
    """Claire (English, Toronto) and Anna (German) invited to the platform's session."""
    services.invite_experts(platform.session, [platform.claire, platform.anna])
    db.session.commit()
    return platform


def answers_recorded() -> int:
    return db.session.scalar(sa.select(sa.func.count(InvitationAnswer.id)))


def checked_answer(response) -> str | None:
    match = re.search(r'<input[^>]*checked[^>]*name="response"[^>]*value="(\w+)"', response.text)
    if match is None:
        match = re.search(
            r'<input[^>]*name="response"[^>]*value="(\w+)"[^>]*checked', response.text
        )
    return match.group(1) if match else None


def test_opening_the_link_shows_the_choices_and_records_nothing(client, invited):
    invitation = invitation_of(invited.session, invited.claire)
    mails_before = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))

    response = client.get(rsvp_path(invitation, "accepted"))

    assert response.status_code == 200
    text = page_text(response)
    assert "Invitation for Claire Tremblay" in text
    assert "You have not answered yet." in text
    assert checked_answer(response) == "accepted"
    for choice in ("I accept", "I accept with reservation", "I decline", "I send a deputy"):
        assert choice in text
    assert "Send my answer" in text
    db.session.expire_all()
    assert invitation.response == Response.NEEDS_ACTION
    assert answers_recorded() == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == mails_before


def test_a_head_request_from_a_link_scanner_records_nothing(client, invited):
    invitation = invitation_of(invited.session, invited.claire)

    assert client.head(rsvp_path(invitation, "declined")).status_code == 200

    db.session.expire_all()
    assert invitation.response == Response.NEEDS_ACTION


def test_submitting_records_the_answer_with_its_comment(client, invited):
    invitation = invitation_of(invited.session, invited.claire)

    response = client.post(
        rsvp_path(invitation),
        data={"response": "tentative", "comment": "  I may arrive after lunch.  "},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == rsvp_path(invitation)
    db.session.expire_all()
    assert invitation.response == Response.TENTATIVE
    assert invitation.channel == Channel.LINK
    assert invitation.comment == "I may arrive after lunch."
    assert invitation.responded_sequence == 0
    page = page_text(client.get(response.headers["Location"]))
    assert "Your acceptance with reservation has been recorded." in page
    assert "You can change your answer on this page" in page
    assert "Your answer so far Tentative" in page
    assert "I may arrive after lunch." in page


def test_the_answer_can_be_changed_and_the_history_is_kept(client, invited):
    invitation = invitation_of(invited.session, invited.claire)

    client.post(rsvp_path(invitation), data={"response": "accepted"})
    response = client.post(rsvp_path(invitation), data={"response": "declined"})

    assert response.status_code == 302
    db.session.expire_all()
    assert invitation.response == Response.DECLINED
    assert [answer.response for answer in invitation.answers] == [
        Response.ACCEPTED,
        Response.DECLINED,
    ]
    assert checked_answer(client.get(rsvp_path(invitation))) == "declined"


def test_the_button_pressed_in_the_mail_is_preselected_over_the_answer_so_far(client, invited):
    invitation = invitation_of(invited.session, invited.claire)
    services.record_answer(invitation, Response.ACCEPTED, Channel.LINK)
    db.session.commit()

    assert checked_answer(client.get(rsvp_path(invitation, "declined"))) == "declined"
    assert checked_answer(client.get(rsvp_path(invitation, "nonsense"))) == "accepted"


def test_without_a_choice_the_page_asks_for_one(client, invited):
    invitation = invitation_of(invited.session, invited.claire)

    response = client.post(rsvp_path(invitation), data={"comment": "Hallo"})

    assert response.status_code == 200
    assert "Please choose an answer." in page_text(response)
    assert answers_recorded() == 0


def test_after_the_deadline_the_page_says_whom_to_contact_and_records_nothing(
    client, invited, staff
):
    session = invited.session
    session.rsvp_deadline = utcnow() - timedelta(hours=1)
    session.organisers = [staff.organiser]
    db.session.commit()
    invitation = invitation_of(session, invited.claire)

    shown = client.get(rsvp_path(invitation, "accepted"))
    posted = client.post(rsvp_path(invitation), data={"response": "accepted"})

    for response in (shown, posted):
        assert response.status_code == 200
        text = page_text(response)
        assert "The deadline for answers passed on" in text
        assert "Test Organiser" in text
        assert "einladungen@dialogplattform.example" in text
        assert "Send my answer" not in text
    db.session.expire_all()
    assert invitation.response == Response.NEEDS_ACTION
    assert answers_recorded() == 0


def test_after_the_session_the_link_has_expired(client, platform):
    past = make_session(title="Auftakt", starts_at=datetime(2020, 3, 2, 9, 0, tzinfo=UTC))
    invitation = Invitation(session=past, expert=platform.claire)
    db.session.add(invitation)
    db.session.commit()

    shown = client.get(rsvp_path(invitation, "accepted"))
    posted = client.post(rsvp_path(invitation), data={"response": "accepted"})

    for response in (shown, posted):
        assert response.status_code == 410
        assert "The link has expired: the session is over." in page_text(response)
    assert answers_recorded() == 0


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "eyJpIjoxLCJzIjoxfQ.forged-signature", "eyJpIjpudWxsLCJzIjpudWxsfQ.x"],
)
def test_a_mangled_link_is_not_found_with_a_clear_message(client, invited, token):
    for path in (f"/rsvp/{token}", f"/rsvp/{token}/accepted"):
        response = client.get(path)
        assert response.status_code == 404
        # No invitation, so no expert's language: the page speaks the site's default, German.
        assert "Dieser Antwortlink ist nicht gültig" in page_text(response)


def test_a_link_with_a_changed_character_is_refused(client, invited):
    invitation = invitation_of(invited.session, invited.claire)
    path = rsvp_path(invitation)
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")

    assert client.get(tampered).status_code == 404
    assert client.post(tampered, data={"response": "accepted"}).status_code == 404


def test_a_withdrawn_invitation_says_so(client, invited):
    invitation = invitation_of(invited.session, invited.claire)
    services.withdraw_invitation(invitation)
    db.session.commit()

    response = client.post(rsvp_path(invitation), data={"response": "accepted"})

    assert "Your invitation to this session has been withdrawn." in page_text(response)
    assert "Send my answer" not in page_text(response)
    assert answers_recorded() == 0


def test_a_cancelled_session_says_so(client, invited):
    invited.session.status = SessionStatus.CANCELLED
    db.session.commit()
    invitation = invitation_of(invited.session, invited.claire)

    response = client.get(rsvp_path(invitation, "accepted"))

    assert "This session has been cancelled." in page_text(response)
    assert "Send my answer" not in page_text(response)


def test_the_page_speaks_the_experts_language_and_shows_their_time(client, invited):
    german = client.get(rsvp_path(invitation_of(invited.session, invited.anna)))
    english = client.get(rsvp_path(invitation_of(invited.session, invited.claire)))

    assert '<html lang="de">' in german.text
    assert "Montag, 1. Juli 2030" in page_text(german)
    assert "10:00 Uhr – 16:00 Uhr" in page_text(german)
    assert '<html lang="en">' in english.text
    assert "Monday, 1 July 2030" in page_text(english)
    assert "04:00 – 10:00 (Toronto time; in Berlin 10:00–16:00)" in page_text(english)


def test_the_language_switch_overrides_the_experts_language(client, invited):
    client.post("/language", data={"language": "en"})

    response = client.get(rsvp_path(invitation_of(invited.session, invited.anna)))

    assert '<html lang="en">' in response.text


def test_a_hybrid_session_asks_how_the_expert_takes_part(client, invited):
    invitation = invitation_of(invited.session, invited.claire)
    assert "How will you take part?" not in page_text(client.get(rsvp_path(invitation)))
    invited.session.online_url = "https://konferenz.example.org/datenraeume"
    db.session.commit()

    assert "How will you take part?" in page_text(client.get(rsvp_path(invitation)))
    client.post(rsvp_path(invitation), data={"response": "accepted", "attendance_mode": "online"})

    db.session.expire_all()
    assert invitation.attendance_mode == AttendanceMode.ONLINE
    assert "Accepted (Online)" in page_text(client.get(rsvp_path(invitation)))


def test_a_full_session_puts_the_acceptance_on_the_waiting_list_and_says_so(client, invited):
    invited.session.capacity = 1
    db.session.commit()
    services.record_answer(
        invitation_of(invited.session, invited.anna), Response.ACCEPTED, Channel.LINK
    )
    db.session.commit()
    invitation = invitation_of(invited.session, invited.claire)

    response = client.post(
        rsvp_path(invitation), data={"response": "accepted"}, follow_redirects=True
    )

    text = page_text(response)
    assert "All places are taken at the moment, so you are on the waiting list." in text
    assert "on the waiting list (position 1)" in text
    db.session.expire_all()
    assert invitation.is_waitlisted


def test_sending_the_deputy_on_record(client, invited):
    invited.claire.deputy = invited.bernd
    db.session.commit()
    invitation = invitation_of(invited.session, invited.claire)
    page = page_text(client.get(rsvp_path(invitation)))
    assert "Bernd Vogel, my deputy on record (bernd.vogel@example.org)" in page

    response = client.post(
        rsvp_path(invitation),
        data={"response": "deputy", "deputy": "configured", "comment": "Bernd comes for me."},
        follow_redirects=True,
    )

    assert "Bernd Vogel has been invited as your deputy" in page_text(response)
    db.session.expire_all()
    deputy_invitation = invitation_of(invited.session, invited.bernd)
    assert invitation.response == Response.DELEGATED
    assert invitation.delegated_to_id == deputy_invitation.id
    assert deputy_invitation.response == Response.NEEDS_ACTION
    kinds = db.session.scalars(
        sa.select(OutboxMessage.kind).where(OutboxMessage.invitation_id == deputy_invitation.id)
    ).all()
    assert kinds == ["deputy_invited"]
    raw = db.session.scalar(
        sa.select(OutboxMessage.raw_message).where(
            OutboxMessage.invitation_id == deputy_invitation.id
        )
    )
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert "Claire Tremblay hat Sie als Vertretung benannt" in text_of(mail)


def test_a_deputy_needs_a_name_and_an_address(client, invited):
    invitation = invitation_of(invited.session, invited.claire)

    response = client.post(
        rsvp_path(invitation), data={"response": "deputy", "deputy_first_name": "Marc"}
    )

    assert response.status_code == 200
    assert "Please fill in this field to name your deputy." in page_text(response)
    db.session.expire_all()
    assert invitation.response == Response.NEEDS_ACTION


def test_one_cannot_be_ones_own_deputy(client, invited):
    invitation = invitation_of(invited.session, invited.claire)

    response = client.post(
        rsvp_path(invitation),
        data={
            "response": "deputy",
            "deputy_first_name": "Claire",
            "deputy_last_name": "Tremblay",
            "deputy_email": "claire.tremblay@example.org",
        },
    )

    assert "Please name someone else as your deputy." in page_text(response)
    db.session.expire_all()
    assert invitation.response == Response.NEEDS_ACTION


def test_typing_someone_else_wins_over_the_deputy_on_record(client, invited):
    invited.claire.deputy = invited.bernd
    db.session.commit()
    invitation = invitation_of(invited.session, invited.claire)
    page = client.get(rsvp_path(invitation))
    assert re.search(r'<input[^>]*checked[^>]*value="configured"', page.text)

    client.post(
        rsvp_path(invitation),
        data={
            "response": "deputy",
            "deputy": "configured",
            "deputy_first_name": "Marc",
            "deputy_last_name": "Gagnon",
            "deputy_email": "marc.gagnon@example.org",
        },
    )

    db.session.expire_all()
    assert invitation.deputy_proposal.email == "marc.gagnon@example.org"
    assert invitation_of(invited.session, invited.bernd) is None
