"""The archival PDF of approved minutes is rendered outside the approval request: by the renderer
threads of the web process (the default without a broker), real WeasyPrint in a child process,
then stored in the version once; meanwhile every reader is asked to wait, and a failure is shown
to staff with a way to try again. The PDFs are read back with pypdf."""

import io
import json
import time
import zipfile

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.documents import preparation
from eventsys.documents.models import PreparationState, PreparedDocument
from eventsys.extensions import db
from eventsys.minutes import workflow
from eventsys.minutes.models import MinutesTopic, MinutesVersion
from eventsys.minutes.states import MinutesState
from eventsys.minutes.tokens import make_reader_token
from tests.conftest import confirm_sending, page_text, reading_english
from tests.documents.test_preparation import HEAVY_LIST, prepared_documents, text_of
from tests.minutes.test_workflow import link_in
from tests.minutes.workflow_records import held_workshop
from tests.pdf.pdf_contents import embedded_files, reader


@pytest.fixture
def app_config(mail_config):
    return mail_config | {"DOCUMENT_PREPARATION": "background"}


@pytest.fixture
def staff(staff):
    return reading_english(staff)


@pytest.fixture
def workshop(app):
    return held_workshop()


@pytest.fixture
def held(app) -> list[int]:
    """The renderings asked for, held back (as if the renderers were all busy) until the test
    hands them to the renderer threads with `release`."""
    asked: list[int] = []
    preparation.init_app(app, start_preparation=lambda app, document_id: asked.append(document_id))
    return asked


def release(app, held: list[int]) -> None:
    preparation.init_app(app)
    for document_id in held:
        preparation.prepare_in_thread(app, document_id)
    held.clear()


def the_version() -> MinutesVersion:
    db.session.rollback()  # see what the renderer threads committed
    return db.session.scalar(sa.select(MinutesVersion).execution_options(populate_existing=True))


def wait_for_the_pdf(seconds: float = 90) -> MinutesVersion:
    """The version once its PDF is stored, or its rendering failed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        version = the_version()
        busy = [
            document
            for document in prepared_documents()
            if document.state in (PreparationState.WAITING, PreparationState.RENDERING)
        ]
        if version.pdf_sha256 is not None or (prepared_documents() and not busy):
            return the_version()
        time.sleep(0.1)
    raise AssertionError(f"no PDF after {seconds} seconds: {prepared_documents()}")


def as_an_expert(app, url: str):
    """`url` fetched as an attendee would, signed in as nobody: in an app context of its own,
    as the test's holds the staff member who signed in last."""
    with app.app_context():
        return app.test_client().get(url)


def audit_summaries(action: str) -> list[str]:
    query = sa.select(AuditEntry.summary).where(AuditEntry.action == action)
    return list(db.session.scalars(query.order_by(AuditEntry.id)))


def test_the_approval_returns_before_the_pdf_which_the_renderer_then_stores(
    app, organiser_client, workshop, held, smtp_server
):
    minutes = workshop.minutes
    session_id = minutes.session_id
    token = make_reader_token(minutes, workshop.present)
    reader_link = f"/minutes/read/{token}/minutes.pdf"
    staff_link = f"/minutes/session/{session_id}/versions/1.pdf"

    approved = organiser_client.post(f"/minutes/session/{session_id}/approve")

    # Approved and frozen at once; the PDF is asked for, not rendered.
    assert approved.status_code == 302
    version = the_version()
    assert version.minutes.state is MinutesState.APPROVED
    assert version.content["topics"][1]["title"] == "Datenräume"
    assert version.pdf is None and version.pdf_sha256 is None
    (waiting,) = prepared_documents()
    assert held == [waiting.id] and waiting.state is PreparationState.WAITING
    assert waiting.archival and waiting.subject == f"minutes-version:{minutes.id}:1"
    panel = page_text(organiser_client.get(approved.location))
    assert "Version 1 is approved and frozen. Its PDF is being prepared" in panel
    assert "The PDF is being prepared; its SHA-256 is shown once it is stored." in panel
    assert audit_summaries("minutes.approved") == [
        "version 1 approved; its PDF is being prepared (its SHA-256 is recorded when it is stored)"
    ]

    # Everyone who asks meanwhile gets the page that checks back by itself.
    staff_page = organiser_client.get(staff_link)
    assert staff_page.status_code == 202 and staff_page.headers["Retry-After"] == "2"
    assert "The PDF is being prepared" in page_text(staff_page)
    reader_page = as_an_expert(app, reader_link)
    assert reader_page.status_code == 202
    assert "Das PDF wird vorbereitet" in page_text(reader_page)
    year = page_text(organiser_client.get("/minutes/2026.zip"))
    assert "Workshop Datenräume, version 1 – the PDF is being prepared" in year

    # Publishing does not wait: the mail links to the PDF, whose page waits.
    preview = organiser_client.post(f"/minutes/session/{session_id}/publish")
    published = confirm_sending(organiser_client, preview)
    assert published.status_code == 302
    followed = page_text(organiser_client.get(published.location))
    assert "The PDF is still being prepared" in followed
    [message] = smtp_server.sink.messages_to(workshop.present.email)
    mail_link = link_in(message, "read/")
    assert as_an_expert(app, mail_link).status_code == 202

    # The renderer (a thread of this process, WeasyPrint in a child process) renders it once
    # and it is stored in the version.
    release(app, held)
    version = wait_for_the_pdf()
    assert version.pdf.startswith(b"%PDF") and len(version.pdf_sha256) == 64
    assert prepared_documents() == []  # kept in the version, not twice

    download = organiser_client.get(staff_link)
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data == version.pdf
    assert version.pdf_sha256 in download.headers["ETag"]
    parsed = reader(download.data)
    assert parsed.xmp_metadata.pdfaid_part == "3"
    assert parsed.xmp_metadata.pdfaid_conformance == "U"
    attachments = embedded_files(download.data)
    assert json.loads(attachments["minutes.json"][0]) == version.content
    text = text_of(download.data)
    assert "Kommunale Datenräume fördern" in text and "ENTWURF" not in text
    assert "Test Organiser" in text  # the approval line
    assert as_an_expert(app, mail_link).data == version.pdf
    assert as_an_expert(app, reader_link).data == version.pdf
    assert audit_summaries("minutes.pdf_stored") == [
        f"PDF of version 1 stored; SHA-256 {version.pdf_sha256}"
    ]
    panel = page_text(organiser_client.get(f"/minutes/session/{session_id}"))
    assert version.pdf_sha256 in panel and "being prepared" not in panel


def test_the_pdf_says_what_was_approved_whatever_changes_before_it_is_rendered(
    app, organiser_client, workshop, held, staff
):
    minutes = workshop.minutes
    session_id = minutes.session_id
    organiser_client.post(f"/minutes/session/{session_id}/approve")
    approved_content = the_version().content

    # Before the renderer gets to it: a correction changes the working copy, and the
    # approver's name changes.
    corrected = organiser_client.post(
        f"/minutes/session/{session_id}/correct", data={"reason": "Tippfehler"}
    )
    assert corrected.status_code == 302
    topic = db.session.get(MinutesTopic, minutes.topics[0].id)
    topic.title = "Später geändert"
    staff.organiser.name = "Umbenannt"
    db.session.commit()

    release(app, held)
    version = wait_for_the_pdf()

    assert version.content == approved_content
    attachments = embedded_files(version.pdf)
    assert json.loads(attachments["minutes.json"][0]) == approved_content
    text = text_of(version.pdf)
    assert "Begrüßung" in text and "Test Organiser" in text
    assert "Später geändert" not in text and "Umbenannt" not in text and "Tippfehler" not in text


def test_a_failed_rendering_keeps_the_approval_and_staff_try_again(app, organiser_client, workshop):
    minutes = workshop.minutes
    session_id = minutes.session_id
    staff_link = f"/minutes/session/{session_id}/versions/1.pdf"
    app.config["PDF_TIME_LIMIT_SECONDS"] = 0.1
    minutes.topics[0].discussion = HEAVY_LIST
    db.session.commit()

    assert organiser_client.post(f"/minutes/session/{session_id}/approve").status_code == 302
    version = wait_for_the_pdf()
    (failed,) = prepared_documents()
    assert failed.state is PreparationState.FAILED and failed.timed_out

    # Nothing of the approval is lost.
    assert version.pdf is None and version.minutes.state is MinutesState.APPROVED
    panel = organiser_client.get(f"/minutes/session/{session_id}")
    assert "The PDF could not be produced; the approval is kept." in page_text(panel)
    assert f"/documents/{failed.id}/retry" in panel.get_data(as_text=True)
    page = organiser_client.get(staff_link)
    assert page.status_code == 422
    assert "too extensive to be produced within 0.1 seconds" in page_text(page)
    assert f"/documents/{failed.id}/retry" in page.get_data(as_text=True)
    token = make_reader_token(minutes, workshop.present)
    expert_page = as_an_expert(app, f"/minutes/read/{token}/minutes.pdf")
    assert expert_page.status_code == 422 and "/retry" not in expert_page.get_data(as_text=True)

    # Publishing would send the attendees a link to nothing: refused, saying why.
    refused = organiser_client.post(f"/minutes/session/{session_id}/publish")
    assert "The PDF of version 1 could not be produced" in page_text(
        organiser_client.get(refused.location)
    )
    assert the_version().minutes.state is MinutesState.APPROVED

    # The year's ZIP says that it lacks the PDF, before and inside.
    year = organiser_client.get("/minutes/2026.zip")
    assert year.mimetype == "text/html"
    assert "version 1 – the PDF could not be produced" in page_text(year)
    without = organiser_client.get("/minutes/2026.zip?incomplete=1")
    archive = zipfile.ZipFile(io.BytesIO(without.data))
    assert archive.namelist() == ["MISSING.txt", "SHA256SUMS"]
    note = archive.read("MISSING.txt").decode()
    assert "Protokoll-2026-03-12-Workshop-Datenraeume-Fassung-1.pdf: could not be produced" in note
    assert archive.read("SHA256SUMS") == b""

    # Another try, with time enough, stores it.
    app.config["PDF_TIME_LIMIT_SECONDS"] = 120
    again = organiser_client.post(
        f"/documents/{failed.id}/retry", data={"back_to": f"/minutes/session/{session_id}"}
    )
    assert again.status_code == 302
    version = wait_for_the_pdf()
    assert version.pdf_sha256 is not None
    assert "Punkt" in text_of(organiser_client.get(staff_link).data)
    complete = zipfile.ZipFile(io.BytesIO(organiser_client.get("/minutes/2026.zip").data))
    assert complete.namelist() == [
        "Protokoll-2026-03-12-Workshop-Datenraeume-Fassung-1.pdf",
        "SHA256SUMS",
    ]


def test_a_rendering_deleted_before_it_succeeded_is_asked_for_again(
    app, organiser_client, workshop
):
    """A failed rendering outlives its retention period and is deleted: whoever asks for the
    PDF next starts it again, from the stored version."""
    app.config["PDF_TIME_LIMIT_SECONDS"] = 0.1
    session_id = workshop.minutes.session_id
    organiser_client.post(f"/minutes/session/{session_id}/approve")
    wait_for_the_pdf()
    db.session.execute(sa.delete(PreparedDocument))
    db.session.commit()
    app.config["PDF_TIME_LIMIT_SECONDS"] = 120

    waiting = organiser_client.get(f"/minutes/session/{session_id}/versions/1.pdf")

    assert waiting.status_code == 202
    version = wait_for_the_pdf()
    assert version.pdf_sha256 is not None
    assert "Kommunale Datenräume fördern" in text_of(version.pdf)


def test_approving_through_the_service_asks_for_one_rendering_per_version(app, workshop, staff):
    minutes = workshop.minutes
    workflow.approve(minutes, staff.organiser)
    db.session.rollback()  # an approval rolled back asks for nothing

    assert prepared_documents() == [] and the_version() is None
    workflow.approve(minutes, staff.organiser)
    db.session.commit()
    version = wait_for_the_pdf()
    assert version.pdf_sha256 is not None and prepared_documents() == []


def test_the_rendering_starts_when_the_transaction_commits_not_a_savepoint_in_it(
    workshop, staff, held
):
    workflow.approve(workshop.minutes, staff.organiser)
    with db.session.begin_nested():  # e.g. a charter frozen in the same transaction
        pass
    assert held == []

    db.session.commit()

    assert held == [prepared_documents()[0].id]
