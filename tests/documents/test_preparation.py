"""PDFs rendered outside the request, once for each text: the circulated draft's reader link
and the secretariat's draft, with the renderer threads of the web process (the default without
a broker), real WeasyPrint in a child process, and the PDFs read back."""

import re
import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import utcnow
from eventsys.documents import preparation
from eventsys.documents.models import PreparationState, PreparedDocument
from eventsys.extensions import db
from eventsys.minutes import workflow
from eventsys.minutes.tokens import make_reader_token
from eventsys.privacy.retention import purge
from tests.conftest import page_text
from tests.minutes.workflow_records import held_workshop
from tests.pdf.pdf_contents import page_texts

READERS = 8
# About a second of rendering: far beyond the tenth of a second some tests allow.
HEAVY_LIST = "\n".join("- Punkt" for _ in range(300))


@pytest.fixture
def app_config():
    return {"DOCUMENT_PREPARATION": "background"}


@pytest.fixture
def workshop(app):
    workshop = held_workshop()
    workflow.circulate(workshop.minutes, utcnow() + timedelta(days=7))
    db.session.commit()
    return workshop


@pytest.fixture
def reader_pdf(workshop) -> str:
    token = make_reader_token(workshop.minutes, workshop.present)
    return f"/minutes/read/{token}/minutes.pdf"


def prepared_documents() -> list[PreparedDocument]:
    db.session.rollback()  # see what the renderer threads committed
    return list(db.session.scalars(sa.select(PreparedDocument).order_by(PreparedDocument.id)))


def wait_until_rendered(seconds: float = 90) -> list[PreparedDocument]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        documents = prepared_documents()
        busy = (PreparationState.WAITING, PreparationState.RENDERING)
        if documents and all(document.state not in busy for document in documents):
            return documents
        time.sleep(0.1)
    raise AssertionError(f"still rendering after {seconds} seconds: {prepared_documents()}")


def text_of(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page_texts(pdf)))


def test_the_reader_waits_on_a_page_that_checks_back_and_then_gets_the_pdf(client, reader_pdf):
    first = client.get(reader_pdf)
    assert first.status_code == 202
    assert first.headers["Cache-Control"] == "no-store"
    assert "Das PDF wird vorbereitet" in page_text(first)
    assert "js/preparing.js" in first.get_data(as_text=True)

    (prepared,) = wait_until_rendered()
    assert prepared.state is PreparationState.READY and prepared.attempts == 1
    ready = client.get(reader_pdf)
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert ready.headers["Content-Disposition"].endswith('-Entwurf.pdf"')
    assert ready.get_etag()[0] == prepared.fingerprint
    text = text_of(ready.data)
    assert "Workshop Datenräume" in text and "ENTWURF" in text
    # Asking again renders nothing: the same row, the same bytes.
    assert client.get(reader_pdf).data == ready.data
    assert [document.attempts for document in prepared_documents()] == [1]


def test_eight_readers_at_once_cause_one_rendering(app, reader_pdf):
    start_together = threading.Barrier(READERS)
    statuses: list[int] = []

    def read() -> None:
        client = app.test_client()
        start_together.wait()
        statuses.append(client.get(reader_pdf).status_code)

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(60)
    assert len(statuses) == READERS and set(statuses) <= {200, 202}

    (prepared,) = wait_until_rendered()
    assert prepared.state is PreparationState.READY and prepared.attempts == 1
    pdfs = {app.test_client().get(reader_pdf).data for _ in range(READERS)}
    assert len(pdfs) == 1 and pdfs.pop().startswith(b"%PDF")
    assert [document.attempts for document in prepared_documents()] == [1]


def test_a_new_revision_is_rendered_anew_and_replaces_the_old_one(client, workshop, reader_pdf):
    client.get(reader_pdf)
    (old,) = wait_until_rendered()
    old_id, old_fingerprint = old.id, old.fingerprint
    topic = workshop.minutes.topics[0]
    topic.discussion = "Neu eingefügt: Die Runde einigt sich auf Open Source."
    db.session.commit()

    assert client.get(reader_pdf).status_code == 202
    (new,) = wait_until_rendered()  # the older rendering is gone once the new one is ready
    assert new.id != old_id and new.fingerprint != old_fingerprint
    assert "einigt sich auf Open Source" in text_of(client.get(reader_pdf).data)


def test_a_text_too_long_for_the_time_limit_fails_with_a_message(app, client, workshop, reader_pdf):
    app.config["PDF_TIME_LIMIT_SECONDS"] = 0.1
    workshop.minutes.topics[0].discussion = HEAVY_LIST
    db.session.commit()

    assert client.get(reader_pdf).status_code == 202
    (failed,) = wait_until_rendered()
    assert failed.state is PreparationState.FAILED and failed.timed_out
    page = client.get(reader_pdf)
    assert page.status_code == 422
    text = page_text(page)
    assert "zu umfangreich" in text and "einladungen@dialogplattform.example" in text
    # A reader cannot start it again; that is for staff, and the page offers no such button.
    assert "/retry" not in page.get_data(as_text=True)


def test_staff_try_a_failed_rendering_again(app, secretariat_client, staff, workshop):
    staff.secretariat.language = "en"
    db.session.commit()
    draft_pdf = f"/minutes/session/{workshop.minutes.session_id}/draft.pdf"
    app.config["PDF_TIME_LIMIT_SECONDS"] = 0.1
    workshop.minutes.topics[0].discussion = HEAVY_LIST
    db.session.commit()
    secretariat_client.get(draft_pdf)
    (failed,) = wait_until_rendered()

    page = secretariat_client.get(draft_pdf)
    assert page.status_code == 422
    assert "too extensive to be produced within 0.1 seconds" in page_text(page)
    assert f"/documents/{failed.id}/retry" in page.get_data(as_text=True)

    app.config["PDF_TIME_LIMIT_SECONDS"] = 120
    again = secretariat_client.post(f"/documents/{failed.id}/retry", data={"back_to": draft_pdf})
    assert again.status_code == 302 and again.location.endswith(draft_pdf)
    (ready,) = wait_until_rendered()
    assert ready.id == failed.id and ready.state is PreparationState.READY
    pdf = secretariat_client.get(draft_pdf)
    assert pdf.status_code == 200 and "Punkt" in text_of(pdf.data)


@pytest.mark.parametrize(
    "back_to", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/a\r\nX: 1"]
)
def test_the_retry_goes_back_to_our_own_pages_only(secretariat_client, back_to):
    prepared = PreparedDocument(
        fingerprint="f" * 64,
        subject="test",
        html="<p>x</p>",
        state=PreparationState.FAILED,
        failure="test",
    )
    db.session.add(prepared)
    db.session.commit()
    response = secretariat_client.post(f"/documents/{prepared.id}/retry", data={"back_to": back_to})
    assert response.status_code == 302 and response.location == "/"


def test_a_rendering_whose_renderer_died_is_started_again(app, client, reader_pdf):
    # A renderer that never runs, as when a restart empties the queue.
    preparation.init_app(app, start_preparation=lambda app, document_id: None)
    assert client.get(reader_pdf).status_code == 202
    (lost,) = prepared_documents()
    lost.requested_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    preparation.init_app(app)  # the renderer threads again

    assert client.get(reader_pdf).status_code == 202
    (prepared,) = wait_until_rendered()
    assert prepared.state is PreparationState.READY and prepared.attempts == 1

    # As if the process rendering it had been killed long ago, mid-way, each time.
    preparation.init_app(app, start_preparation=lambda app, document_id: None)
    prepared.fingerprint = "0" * 64  # the reader's next request asks for it anew
    db.session.commit()
    client.get(reader_pdf)
    stalled = prepared_documents()[-1]
    stalled.state = PreparationState.RENDERING
    stalled.started_at = utcnow() - timedelta(hours=1)
    stalled.attempts = preparation.MAX_ATTEMPTS - 1
    db.session.commit()
    preparation.init_app(app)
    assert client.get(reader_pdf).status_code == 202
    wait_until_rendered()
    assert prepared_documents()[-1].attempts == preparation.MAX_ATTEMPTS

    stalled = prepared_documents()[-1]
    stalled.state = PreparationState.RENDERING
    stalled.started_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert client.get(reader_pdf).status_code == 422  # given up after the last attempt


def test_prepared_pdfs_outlive_their_retention_period_only(client, reader_pdf):
    client.get(reader_pdf)
    wait_until_rendered()
    assert purge()["prepared_documents"] == 0
    assert purge(utcnow() + timedelta(days=31))["prepared_documents"] == 1
    db.session.commit()
    assert prepared_documents() == []
