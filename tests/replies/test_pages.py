"""The review queue, the message page with its one-click decisions, and the upload."""

import io

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.extensions import db
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.services import withdraw_invitation
from eventsys.invitations.states import Channel, Response
from eventsys.replies.models import InboundMessage
from eventsys.replies.receiving import ingest
from eventsys.replies.states import Outcome, Source
from eventsys.sessions.states import SessionStatus
from tests.conftest import page_text
from tests.replies.sample_mail import SAMPLES

MSG_SAMPLE_UID = "040000008200E00074C5B7101A82E00800000000-outlook-sample@eventsys"


@pytest.fixture
def plain_reply(invited, reply) -> InboundMessage:
    """ "Ich komme gern", answering Erika's invitation mail."""
    mail = invited.invitation_mail()
    message = ingest(reply("plain_reply", in_reply_to=mail.message_id), Source.IMAP)
    db.session.commit()
    return message


def test_queue_shows_what_needs_a_decision_by_default(secretariat_client, invited, reply):
    applied = ingest(reply("outlook_accepted"), Source.IMAP)
    waiting = ingest(reply("outlook_accepted", uid="unknown@elsewhere"), Source.IMAP)
    db.session.commit()

    response = secretariat_client.get("/replies/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"/replies/{waiting.id}" in html
    assert f"/replies/{applied.id}" not in html
    assert "1 message" in page_text(response)

    everything = secretariat_client.get("/replies/?outcome=all").get_data(as_text=True)
    assert f"/replies/{applied.id}" in everything and f"/replies/{waiting.id}" in everything
    recorded = secretariat_client.get("/replies/?outcome=applied").get_data(as_text=True)
    assert f"/replies/{applied.id}" in recorded and f"/replies/{waiting.id}" not in recorded


def test_unknown_filter_value_falls_back_to_the_queue(organiser_client, invited):
    response = organiser_client.get("/replies/?outcome=<script>&page=-3")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_message_page_shows_why_and_the_calendar_data(organiser_client, invited, reply):
    message = ingest(reply("evolution_declined", attendee=invited.jonas.email), Source.IMAP)
    db.session.commit()
    response = organiser_client.get(f"/replies/{message.id}")
    assert response.status_code == 200
    text = page_text(response)
    assert "Needs a decision" in text
    assert f"{invited.jonas.email} was never invited" in text
    assert "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin" in text
    assert "sekretariat@stadt-beispiel.example" in text  # SENT-BY
    assert "Frau Muster ist an diesem Tag auf einer Dienstreise." in text
    assert "Im Auftrag von Frau Muster." in text  # the text body
    assert f"/sessions/{invited.session.id}" in response.get_data(as_text=True)


def test_plain_reply_is_resolved_with_one_click(secretariat_client, staff, invited, plain_reply):
    page = secretariat_client.get(f"/replies/{plain_reply.id}")
    html = page.get_data(as_text=True)
    assert "ich komme gern." in page_text(page)
    # The invitation is chosen already; one button records the answer.
    assert f'<option selected value="{invited.invitation.id}">' in html
    assert 'name="decision" value="accepted"' in html

    response = secretariat_client.post(
        f"/replies/{plain_reply.id}/decide",
        data={"invitation": str(invited.invitation.id), "decision": "accepted"},
    )
    assert response.status_code == 302

    message = db.session.get(InboundMessage, plain_reply.id)
    assert message.outcome == Outcome.RESOLVED
    assert message.decided_by_id == staff.secretariat.id and message.decided_at is not None
    assert "Decided by Test Secretariat: Accepted" in message.why
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == Response.ACCEPTED
    assert invitation.channel == Channel.MANUAL
    answer = db.session.scalar(sa.select(InvitationAnswer))
    assert answer.inbound_message_id == message.id
    assert answer.recorded_by_id == staff.secretariat.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "reply.decided"))
    assert entry.entity_id == message.id and entry.actor_id == staff.secretariat.id

    followed = secretariat_client.get(response.headers["Location"])
    assert "Answer recorded for Erika Muster: Accepted." in page_text(followed)


def test_a_decided_message_cannot_be_decided_again(secretariat_client, invited, plain_reply):
    url = f"/replies/{plain_reply.id}/decide"
    data = {"invitation": str(invited.invitation.id), "decision": "declined"}
    secretariat_client.post(url, data=data)
    response = secretariat_client.post(url, data={**data, "decision": "accepted"})
    assert response.status_code == 302
    assert db.session.get(Invitation, invited.invitation.id).response == Response.DECLINED
    page = secretariat_client.get(f"/replies/{plain_reply.id}")
    assert 'name="decision"' not in page.get_data(as_text=True)


def test_reply_from_another_address_is_assigned_to_the_chosen_invitation(
    admin_client, invited, reply
):
    message = ingest(reply("google_tentative", attendee="e.muster@privat.example"), Source.IMAP)
    db.session.commit()
    page = admin_client.get(f"/replies/{message.id}").get_data(as_text=True)
    assert "Muster, Erika (erika.muster@stadt-beispiel.example)" in page

    response = admin_client.post(
        f"/replies/{message.id}/decide",
        data={"invitation": str(invited.invitation.id), "decision": "tentative"},
    )
    assert response.status_code == 302
    message = db.session.get(InboundMessage, message.id)
    assert message.outcome == Outcome.RESOLVED
    assert message.invitation_id == invited.invitation.id
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == Response.TENTATIVE
    # The note of the calendar reply goes with the answer.
    assert invitation.comment == "Mein Zug kommt erst um 10:30 an, ich versuche es"


def test_an_answer_needs_an_invitation(admin_client, invited, reply):
    message = ingest(reply("outlook_accepted", uid="unknown@elsewhere"), Source.IMAP)
    db.session.commit()
    response = admin_client.post(
        f"/replies/{message.id}/decide", data={"invitation": "", "decision": "accepted"}
    )
    assert response.status_code == 400
    assert "Please choose the invitation this message answers." in page_text(response)
    assert db.session.get(InboundMessage, message.id).outcome == Outcome.NEEDS_REVIEW


def test_an_invitation_of_another_session_cannot_be_chosen(admin_client, invited, reply):
    message = ingest(reply("plain_reply", in_reply_to="<x@y>"), Source.IMAP)
    db.session.commit()
    response = admin_client.post(
        f"/replies/{message.id}/decide", data={"invitation": "999", "decision": "accepted"}
    )
    assert response.status_code == 400
    assert db.session.get(InboundMessage, message.id).outcome == Outcome.NEEDS_REVIEW


def test_a_message_is_set_aside(organiser_client, staff, invited, plain_reply):
    response = organiser_client.post(
        f"/replies/{plain_reply.id}/decide", data={"invitation": "", "decision": "ignore"}
    )
    assert response.status_code == 302
    message = db.session.get(InboundMessage, plain_reply.id)
    assert message.outcome == Outcome.IGNORED
    assert message.decided_by_id == staff.organiser.id
    assert db.session.get(Invitation, invited.invitation.id).response == Response.NEEDS_ACTION


def test_answer_for_a_withdrawn_invitation_is_refused(admin_client, invited, plain_reply):
    withdraw_invitation(invited.invitation)
    db.session.commit()
    response = admin_client.post(
        f"/replies/{plain_reply.id}/decide",
        data={"invitation": str(invited.invitation.id), "decision": "accepted"},
    )
    assert response.status_code == 400  # a withdrawn invitation is no longer among the choices
    assert db.session.get(InboundMessage, plain_reply.id).outcome == Outcome.NEEDS_REVIEW


def test_upload_of_two_eml_files(secretariat_client, staff, invited, reply):
    response = secretariat_client.post(
        "/replies/upload",
        data={
            "files": [
                (io.BytesIO(reply("outlook_accepted")), "Zugesagt Workshop.eml"),
                (io.BytesIO(reply("outlook_counter")), "Neuer Zeitvorschlag.eml"),
            ]
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Zugesagt Workshop.eml Answer recorded" in text
    assert "Neuer Zeitvorschlag.eml Counter-proposal" in text
    messages = db.session.scalars(sa.select(InboundMessage).order_by(InboundMessage.id)).all()
    assert [m.source for m in messages] == [Source.UPLOAD, Source.UPLOAD]
    assert [m.outcome for m in messages] == [Outcome.APPLIED, Outcome.COUNTER_PROPOSAL]
    assert db.session.get(Invitation, invited.invitation.id).response == Response.ACCEPTED
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "reply.uploaded")
        )
        == 2
    )

    again = secretariat_client.post(
        "/replies/upload",
        data={"files": [(io.BytesIO(reply("outlook_accepted")), "nochmal.eml")]},
        content_type="multipart/form-data",
    )
    assert "had been received before" in page_text(again)
    assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 2


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\xff" * 500, b"Content-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n"],
    ids=["empty", "binary", "broken-calendar"],
)
def test_upload_of_garbage_is_kept_for_a_person(admin_client, invited, content):
    response = admin_client.post(
        "/replies/upload",
        data={"files": [(io.BytesIO(content), "kaputt.eml")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Needs a decision" in page_text(response)
    (message,) = db.session.scalars(sa.select(InboundMessage)).all()
    assert message.raw_message == content and message.why
    shown = admin_client.get(f"/replies/{message.id}")
    assert shown.status_code == 200


@pytest.mark.parametrize("filename", ["Zusage.pdf", "Zusage.docx", "Zusage", "Zusage.msg.exe"])
def test_upload_refuses_files_that_are_no_saved_mails(admin_client, invited, filename):
    response = admin_client.post(
        "/replies/upload",
        data={"files": [(io.BytesIO(b"%PDF-1.7"), filename)]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Only saved mails can be taken in: .eml files, or .msg files" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 0


def msg_sample(name: str) -> bytes:
    return (SAMPLES / f"{name}.msg").read_bytes()


@pytest.fixture
def outlook_sample_uid(invited):
    """The .msg samples carry a fixed UID (a binary file has no placeholders): Erika's entry."""
    invited.invitation.ical_uid = MSG_SAMPLE_UID
    db.session.commit()


def test_upload_of_an_outlook_msg_with_a_calendar_reply(
    secretariat_client, invited, outlook_sample_uid
):
    response = secretariat_client.post(
        "/replies/upload",
        data={"files": [(io.BytesIO(msg_sample("outlook_reply_with_ics")), "Zugesagt.msg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Zugesagt.msg Answer recorded" in page_text(response)
    (message,) = db.session.scalars(sa.select(InboundMessage)).all()
    assert message.source == Source.UPLOAD and message.outcome == Outcome.APPLIED
    # Kept as the mail it holds, with Outlook's transport headers.
    assert message.raw_message.startswith(b"Received: from EXCH02")
    assert message.message_id == "<AM0PR01MB6666B2C3D4E5F6A7@EXCH02.verwaltung.stadt-beispiel.de>"
    invitation = db.session.get(Invitation, invited.invitation.id)
    assert invitation.response == Response.ACCEPTED
    assert invitation.comment == "Ich freue mich auf den Workshop."


def test_upload_of_an_outlook_msg_plain_reply_chooses_the_invitation(secretariat_client, invited):
    response = secretariat_client.post(
        "/replies/upload",
        data={"files": [(io.BytesIO(msg_sample("outlook_plain_reply")), "AW Einladung.msg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    (message,) = db.session.scalars(sa.select(InboundMessage)).all()
    assert message.outcome == Outcome.NEEDS_REVIEW
    assert message.subject == "AW: Einladung: Workshop Datenräume"
    assert message.invitation_id == invited.invitation.id  # "AW:" and the invitation's subject
    page = secretariat_client.get(f"/replies/{message.id}")
    assert "ich komme gern, kann aber erst ab 11 Uhr dabei sein." in page_text(page)
    assert f'<option selected value="{invited.invitation.id}">' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "content",
    [
        b"\xd0\xcf\x11\xe0",  # the signature, then nothing
        bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600,
        b"From: a@b.example\r\n\r\nnot an Outlook file",
    ],
    ids=["cut-signature", "empty-container", "eml-named-msg"],
)
def test_upload_of_a_damaged_msg_is_refused_with_a_clear_message(
    admin_client, invited, reply, content
):
    response = admin_client.post(
        "/replies/upload",
        data={
            "files": [
                (io.BytesIO(content), "kaputt.msg"),
                (io.BytesIO(reply("outlook_accepted")), "gut.eml"),
            ]
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "kaputt.msg Not stored This file is not an Outlook message that can be read." in text
    assert "gut.eml Answer recorded" in text
    assert db.session.scalar(sa.select(sa.func.count(InboundMessage.id))) == 1


def test_a_msg_file_named_eml_is_read_as_what_it_is(admin_client, invited):
    admin_client.post(
        "/replies/upload",
        data={"files": [(io.BytesIO(msg_sample("outlook_plain_reply")), "Antwort.eml")]},
        content_type="multipart/form-data",
    )
    (message,) = db.session.scalars(sa.select(InboundMessage)).all()
    assert message.subject == "AW: Einladung: Workshop Datenräume"


def test_upload_needs_a_file(admin_client, invited):
    response = admin_client.post("/replies/upload", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Please choose at least one file." in page_text(response)


def test_pages_have_labels_and_table_headers(secretariat_client, invited, plain_reply):
    html = secretariat_client.get(f"/replies/{plain_reply.id}").get_data(as_text=True)
    assert '<label class="label" for="invitation">' in html
    assert "<legend>" in html
    listing = secretariat_client.get("/replies/").get_data(as_text=True)
    assert '<label class="label" for="outcome">' in listing and 'scope="col"' in listing
    upload = secretariat_client.get("/replies/upload").get_data(as_text=True)
    assert 'for="files"' in upload and 'type="file"' in upload and "multiple" in upload


def test_answer_for_a_cancelled_session_is_refused_with_the_reason(
    admin_client, invited, plain_reply
):
    invited.session.status = SessionStatus.CANCELLED
    db.session.commit()
    response = admin_client.post(
        f"/replies/{plain_reply.id}/decide",
        data={"invitation": str(invited.invitation.id), "decision": "accepted"},
        follow_redirects=True,
    )
    assert "The session has been cancelled." in page_text(response)
    assert db.session.get(InboundMessage, plain_reply.id).outcome == Outcome.NEEDS_REVIEW
    assert db.session.get(Invitation, invited.invitation.id).response == Response.NEEDS_ACTION
