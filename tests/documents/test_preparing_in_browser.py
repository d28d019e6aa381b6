"""In real Chromium, at phone size: a reader opens the circulated draft's PDF link, sees the
page that says it is being prepared, and gets the PDF once it is ready, without touching
anything."""

from datetime import timedelta

import pytest

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.minutes import workflow
from eventsys.minutes.tokens import make_reader_token
from tests.browser.test_sign_in_and_pages import sign_in_through_the_form
from tests.documents.test_preparation import HEAVY_LIST, wait_until_rendered
from tests.minutes.workflow_records import held_workshop
from tests.pdf.pdf_contents import page_texts

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"DOCUMENT_PREPARATION": "background"}


def test_the_waiting_page_opens_the_pdf_by_itself(page, axe, app):
    workshop = held_workshop()
    workflow.circulate(workshop.minutes, utcnow() + timedelta(days=7))
    db.session.commit()
    reader_pdf = (
        f"/minutes/read/{make_reader_token(workshop.minutes, workshop.present)}/minutes.pdf"
    )
    page.set_viewport_size({"width": 390, "height": 844})

    with page.expect_download(timeout=60_000) as download:
        page.goto(reader_pdf)
        assert page.locator("h1").inner_text() == "Das PDF wird vorbereitet"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        axe.check(page)
    pdf = download.value.path().read_bytes()
    assert "Workshop Datenräume" in " ".join(page_texts(pdf))
    assert download.value.suggested_filename.endswith("-Entwurf.pdf")
    page.get_by_role("status").filter(has_text="Das PDF ist fertig").wait_for()
    page.set_viewport_size({"width": 1280, "height": 900})
    axe.check(page)


def test_staff_see_why_a_pdf_failed_and_try_again(page, axe, app, staff):
    workshop = held_workshop()
    workshop.minutes.topics[0].discussion = HEAVY_LIST
    db.session.commit()
    app.config["PDF_TIME_LIMIT_SECONDS"] = 0.1
    draft_pdf = f"/minutes/session/{workshop.minutes.session_id}/draft.pdf"
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_through_the_form(page, staff.secretariat.email)

    page.goto(draft_pdf)
    wait_until_rendered()
    page.get_by_role("heading", name="Das PDF konnte nicht erzeugt werden").wait_for()
    assert page.get_by_text("zu umfangreich").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe.check(page)

    app.config["PDF_TIME_LIMIT_SECONDS"] = 120
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Erneut versuchen").click()
        page.get_by_role("heading", name="Das PDF wird vorbereitet").wait_for()
        axe.check(page)
    assert "Punkt" in " ".join(page_texts(download.value.path().read_bytes()))
