"""Draft → circulated → approved → published, with real mail, signed links and stored PDFs."""

import hashlib
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time
from pypdf import PdfReader

from eventsys.audit.models import AuditEntry
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.minutes import workflow
from eventsys.minutes.errors import WorkflowError
from eventsys.minutes.models import Minutes, MinutesComment, MinutesTopic, MinutesVersion
from eventsys.minutes.states import MinutesState
from eventsys.minutes.tokens import make_reader_token
from tests.conftest import confirm_sending, page_text, reading_english
from tests.invitations.conftest import make_expert, make_session, text_of
from tests.minutes.workflow_records import HELD_ON, held_workshop


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def staff(staff):
    return reading_english(staff)


@pytest.fixture
def workshop(app):
    return held_workshop()


def link_in(message, path: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/minutes/{path}[^\s\"<]*)", text_of(message))
    assert match, f"no /minutes/{path} link in the mail"
    return match.group(1)


def circulate(client, session_id: int, deadline: str = "2099-12-31"):
    """Send the draft for comments, confirming on the page that shows who gets mail."""
    preview = client.post(f"/minutes/session/{session_id}/circulate", data={"deadline": deadline})
    return confirm_sending(client, preview)


def test_circulating_mails_the_attendees_who_were_there(
    workshop, secretariat_client, smtp_server, client
):
    minutes = workshop.minutes
    preview = secretariat_client.post(
        f"/minutes/session/{minutes.session_id}/circulate", data={"deadline": "2099-12-31"}
    )
    assert "2 people receive “Protokollentwurf zur Kommentierung" in page_text(preview)
    assert "The mail in English" in page_text(preview)
    assert smtp_server.sink.received == []
    response = confirm_sending(secretariat_client, preview)
    assert response.status_code == 302

    db.session.refresh(minutes)
    assert minutes.state is MinutesState.CIRCULATED
    german = smtp_server.sink.messages_to(workshop.present.email)
    english = smtp_server.sink.messages_to(workshop.also_present.email)
    assert len(german) == 1 and len(english) == 1
    assert smtp_server.sink.messages_to(workshop.excused.email) == []
    assert german[0]["Subject"] == "Protokollentwurf zur Kommentierung: Workshop Datenräume"
    assert english[0]["Subject"] == "Draft minutes for your comments: Workshop Datenräume"
    assert "31.12.2099" in text_of(german[0])

    reading = client.get(link_in(german[0], "read/"))
    assert reading.status_code == 200
    text = page_text(reading)
    assert "Item 2: Datenräume" in text and "Kommunale Datenräume fördern" in text
    assert f"E-{minutes.session_id}.2.1" in text
    assert "<strong>Offene Daten</strong>" in reading.get_data(as_text=True)


def test_an_attendee_comments_on_one_top_through_the_link(workshop, client, app):
    minutes = workshop.minutes
    workflow.circulate(minutes, utcnow() + timedelta(days=7))
    db.session.commit()
    token = make_reader_token(minutes, workshop.present)
    topic = minutes.topics[1]

    response = client.post(
        f"/minutes/read/{token}", data={"topic": str(topic.id), "text": "Bitte „alle“ streichen."}
    )
    assert response.status_code == 302
    comment = db.session.scalar(sa.select(MinutesComment))
    assert comment.topic_id == topic.id and comment.expert_id == workshop.present.id
    assert comment.text == "Bitte „alle“ streichen." and comment.version_number == 1
    assert "Bitte „alle“ streichen." in page_text(client.get(f"/minutes/read/{token}"))


@pytest.mark.parametrize(
    ("topic", "text", "message"),
    [
        ("", "   ", "Bitte schreiben Sie Ihren Kommentar."),
        ("999999", "Text", "Dieser TOP gehört nicht zu diesem Protokoll."),
        ("abc", "Text", "Dieser TOP gehört nicht zu diesem Protokoll."),
        ("", "x" * 5001, "5000"),
    ],
)
def test_bad_comments_are_refused_with_a_reason(workshop, client, topic, text, message):
    minutes = workshop.minutes
    workflow.circulate(minutes, utcnow() + timedelta(days=7))
    db.session.commit()
    token = make_reader_token(minutes, workshop.present)

    response = client.post(f"/minutes/read/{token}", data={"topic": topic, "text": text})
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(MinutesComment.id))) == 0


def test_comments_end_with_the_deadline(workshop, client):
    minutes = workshop.minutes
    workflow.circulate(minutes, utcnow() + timedelta(days=1))
    minutes.comment_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    token = make_reader_token(minutes, workshop.present)

    response = client.post(f"/minutes/read/{token}", data={"topic": "", "text": "Zu spät"})
    assert response.status_code == 422
    assert "Die Frist für Kommentare ist abgelaufen." in page_text(response)
    assert "Kommentar senden" not in page_text(client.get(f"/minutes/read/{token}"))


def test_links_are_bound_to_an_attendee_and_cannot_be_forged(workshop, client, app):
    minutes = workshop.minutes
    workflow.circulate(minutes, utcnow() + timedelta(days=7))
    db.session.commit()
    token = make_reader_token(minutes, workshop.present)
    assert client.get(f"/minutes/read/{token[:-3]}abc").status_code == 404
    assert client.get("/minutes/read/not-a-token").status_code == 404
    outsider = held_workshop_outsider(workshop)
    assert client.get(f"/minutes/read/{make_reader_token(minutes, outsider)}").status_code == 404


def test_links_expire(workshop, client):
    minutes = workshop.minutes
    workflow.circulate(minutes, utcnow() + timedelta(days=7))
    db.session.commit()
    token = make_reader_token(minutes, workshop.present)
    assert client.get(f"/minutes/read/{token}").status_code == 200
    with freeze_time(datetime.now(UTC) + timedelta(days=181)):
        assert client.get(f"/minutes/read/{token}").status_code == 404


def held_workshop_outsider(workshop):
    outsider = make_expert("Olaf", "Außen", workshop.present.organisation)
    db.session.commit()
    return outsider


def test_circulating_needs_a_future_deadline_and_readers(workshop, secretariat_client):
    minutes = workshop.minutes
    response = circulate(secretariat_client, minutes.session_id, deadline="2001-01-01")
    assert response.status_code == 302
    followed = secretariat_client.get(response.location)
    assert "cannot lie in the past" in page_text(followed)
    db.session.refresh(minutes)
    assert minutes.state is MinutesState.DRAFT

    with pytest.raises(WorkflowError):
        workflow.circulate(minutes, utcnow() - timedelta(hours=1))


def test_the_secretariat_cannot_approve(workshop, secretariat_client, staff):
    minutes = workshop.minutes
    assert (
        secretariat_client.post(f"/minutes/session/{minutes.session_id}/approve").status_code == 403
    )
    with pytest.raises(WorkflowError):
        workflow.approve(minutes, staff.secretariat)
    assert minutes.versions == [] and minutes.state is MinutesState.DRAFT


def test_an_organiser_approves_and_the_pdf_is_stored_once(workshop, organiser_client):
    """Rendered right after the approval's commit here (DOCUMENT_PREPARATION "inline"); see
    tests/documents/test_approved_pdf.py for the renderer threads."""
    minutes = workshop.minutes
    session_id = minutes.session_id
    approved = organiser_client.post(f"/minutes/session/{session_id}/approve")
    assert approved.status_code == 302
    assert "Version 1 is approved and frozen; its PDF is stored." in page_text(
        organiser_client.get(approved.location)
    )
    db.session.expire_all()
    version = db.session.scalar(sa.select(MinutesVersion))
    assert version.minutes.state is MinutesState.APPROVED
    assert version.pdf_sha256 == hashlib.sha256(version.pdf).hexdigest()
    assert version.content["topics"][1]["title"] == "Datenräume"
    assert PdfReader(io.BytesIO(version.pdf)).xmp_metadata.pdfaid_part == "3"
    trail = db.session.scalars(
        sa.select(AuditEntry.summary)
        .where(AuditEntry.action.in_(["minutes.approved", "minutes.pdf_stored"]))
        .order_by(AuditEntry.id)
    ).all()
    assert trail == [
        "version 1 approved; its PDF is being prepared (its SHA-256 is recorded when it is stored)",
        f"PDF of version 1 stored; SHA-256 {version.pdf_sha256}",
    ]

    download = organiser_client.get(f"/minutes/session/{session_id}/versions/1.pdf")
    assert download.status_code == 200 and download.data == version.pdf
    assert download.headers["Content-Type"] == "application/pdf"
    assert version.pdf_sha256 in download.headers["ETag"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(download.data)).pages)
    assert "Kommunale Datenräume fördern" in text and "ENTWURF" not in text

    panel = page_text(organiser_client.get(f"/minutes/session/{session_id}"))
    assert version.pdf_sha256 in panel


def test_a_correction_is_a_new_version_and_the_old_one_stays(workshop, organiser_client, staff):
    minutes = workshop.minutes
    session_id = minutes.session_id
    first = workflow.approve(minutes, staff.organiser)
    db.session.commit()
    first_pdf = first.pdf

    refused = organiser_client.post(f"/minutes/session/{session_id}/correct", data={"reason": ""})
    assert "Please give the reason" in page_text(organiser_client.get(refused.location))
    response = organiser_client.post(
        f"/minutes/session/{session_id}/correct", data={"reason": "Name falsch geschrieben"}
    )
    assert response.status_code == 302
    db.session.refresh(minutes)
    assert minutes.state is MinutesState.DRAFT and minutes.version_number == 2

    topic = db.session.get(MinutesTopic, minutes.topics[0].id)
    topic.discussion = "Die Leitung begrüßt herzlich."
    db.session.commit()
    second = workflow.approve(minutes, staff.organiser)
    db.session.commit()

    assert second.number == 2 and second.reason == "Name falsch geschrieben"
    assert second.content["topics"][0]["discussion"] == "Die Leitung begrüßt herzlich."
    old = organiser_client.get(f"/minutes/session/{session_id}/versions/1.pdf")
    assert old.data == first_pdf
    assert organiser_client.get(f"/minutes/session/{session_id}/versions/3.pdf").status_code == 404


def test_publishing_sends_the_approved_pdf_link(
    workshop, organiser_client, client, staff, smtp_server
):
    minutes = workshop.minutes
    version = workflow.approve(minutes, staff.organiser)
    db.session.commit()
    smtp_server.sink.received.clear()

    preview = organiser_client.post(f"/minutes/session/{minutes.session_id}/publish")
    assert preview.status_code == 200
    assert "people receive “Genehmigtes Protokoll: Workshop Datenräume”" in page_text(preview)
    assert smtp_server.sink.received == []
    db.session.refresh(minutes)
    assert minutes.state is MinutesState.APPROVED  # nothing happened yet
    response = confirm_sending(organiser_client, preview)
    assert response.status_code == 302
    db.session.refresh(minutes)
    assert minutes.state is MinutesState.PUBLISHED
    [message] = smtp_server.sink.messages_to(workshop.present.email)
    assert message["Subject"] == "Genehmigtes Protokoll: Workshop Datenräume"
    pdf = client.get(link_in(message, "read/"))
    assert pdf.status_code == 200 and pdf.data == version.pdf


def test_the_year_zip_holds_the_latest_approved_pdfs_with_checksums(
    workshop, secretariat_client, staff
):
    version = workflow.approve(workshop.minutes, staff.organiser)
    db.session.commit()

    response = secretariat_client.get("/minutes/2026.zip")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    pdf_names = [name for name in names if name.endswith(".pdf")]
    assert len(pdf_names) == 1 and archive.read(pdf_names[0]) == version.pdf
    checksums = archive.read("SHA256SUMS").decode()
    assert f"{version.pdf_sha256}  {pdf_names[0]}" in checksums
    assert secretariat_client.get("/minutes/2025.zip").status_code == 404


def test_the_year_zip_streams_each_pdf_stored_as_it_is(workshop, secretariat_client, staff):
    """Two sessions' minutes, one of them corrected: the ZIP streams (the response is a
    generator, not bytes built before it is sent), holds each session's latest version once,
    uncompressed, and SHA256SUMS names every PDF with the hash of the bytes in the ZIP."""
    first = workflow.approve(workshop.minutes, staff.organiser)
    workflow.start_correction(workshop.minutes, "Tippfehler in TOP 2", staff.organiser)
    corrected = workflow.approve(workshop.minutes, staff.organiser)
    later = make_session("Plenum Daten", starts_at=HELD_ON + timedelta(days=30))
    later_minutes = Minutes(
        session=later, topics=[MinutesTopic(position=1, title="Bericht", discussion="")]
    )
    db.session.add(later_minutes)
    db.session.flush()
    other = workflow.approve(later_minutes, staff.organiser)
    db.session.commit()

    response = secretariat_client.get("/minutes/2026.zip")

    assert response.status_code == 200 and response.is_streamed
    assert not isinstance(response.response, list | bytes)
    assert response.headers["Content-Type"] == "application/zip"
    assert "Content-Length" not in response.headers
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    entries = archive.infolist()
    assert [entry.compress_type for entry in entries] == [zipfile.ZIP_STORED] * 3
    pdfs = {entry.filename: archive.read(entry) for entry in entries[:2]}
    assert list(pdfs.values()) == [corrected.pdf, other.pdf]
    assert first.pdf not in pdfs.values()
    assert entries[2].filename == "SHA256SUMS"
    checksums = archive.read("SHA256SUMS").decode().splitlines()
    assert checksums == [f"{hashlib.sha256(pdf).hexdigest()}  {name}" for name, pdf in pdfs.items()]
    assert all(name.endswith(".pdf") for name in pdfs)


def test_the_archive_lists_and_filters_minutes(workshop, secretariat_client, count_queries):
    earlier = make_session("Plenum 2025", starts_at=HELD_ON - timedelta(days=365))
    db.session.commit()
    listing = page_text(secretariat_client.get("/minutes/"))
    assert "Workshop Datenräume" in listing and "draft" in listing and "Plenum 2025" in listing
    of_2025 = page_text(secretariat_client.get("/minutes/?year=2025"))
    assert "Plenum 2025" in of_2025 and "Workshop Datenräume" not in of_2025
    assert earlier.title not in page_text(secretariat_client.get("/minutes/?year=2026"))
    assert "Workshop Datenräume" not in page_text(secretariat_client.get("/minutes/?kind=plenary"))
    assert "Workshop Datenräume" in page_text(secretariat_client.get("/minutes/?year=nonsense"))

    db.session.expire_all()  # the requests share this session: measure them from cold
    with count_queries() as few:
        secretariat_client.get("/minutes/?year=2026")
    for day in range(10):
        extra = held_workshop_copy(day)
        db.session.add(extra)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        secretariat_client.get("/minutes/?year=2026")
    assert many.count == few.count, "\n".join(many.statements)


def held_workshop_copy(day: int):
    session = make_session(f"Workshop {day}", starts_at=HELD_ON + timedelta(days=day + 1))
    return Minutes(session=session, topics=[MinutesTopic(position=1, title="Begrüßung")])


def test_staff_read_the_comments(workshop, secretariat_client):
    minutes = workshop.minutes
    workflow.circulate(minutes, utcnow() + timedelta(days=7))
    workflow.add_comment(minutes, workshop.also_present, minutes.topics[0].id, "Please add me.")
    db.session.commit()
    text = page_text(secretariat_client.get(f"/minutes/session/{minutes.session_id}/comments"))
    assert "Claire Tremblay" in text and "Item 1: Begrüßung" in text and "Please add me." in text


def test_the_reading_link_of_a_deactivated_attendee_stops(workshop, client):
    minutes = workshop.minutes
    workflow.circulate(minutes, utcnow() + timedelta(days=7))
    workshop.present.active = False
    db.session.commit()
    token = make_reader_token(minutes, workshop.present)

    page = client.get(f"/minutes/read/{token}")
    posted = client.post(
        f"/minutes/read/{token}", data={"topic": str(minutes.topics[0].id), "text": "Noch da?"}
    )

    assert page.status_code == posted.status_code == 410
    assert "Dieser Link funktioniert nicht mehr" in page_text(page)
    assert "Datenräume" not in page_text(page)
    assert db.session.scalar(sa.select(sa.func.count(MinutesComment.id))) == 0
