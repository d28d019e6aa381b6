"""The way of a charter in real Chromium, as the secretariat, an organiser and an expert go it:
from two workshops' approved minutes to version 0.1, consultation with a comment through the
mailed link and its answer, two recommendations reworded, version 0.2, the diff in the browser
and as a PDF, the version PDF read back, and from a recommendation in 0.2 back to its session
and minutes. axe-core checks every page on the way."""

import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from eventsys.charters.models import CharterVersion, ConsultationComment
from eventsys.charters.states import CommentStatus, VersionState
from eventsys.extensions import db
from tests.charters.conftest import clause_from
from tests.conftest import TEST_PASSWORD, reading_english
from tests.invitations.conftest import text_of

pytestmark = pytest.mark.browser

STRATEGY = "Kommunen entwickeln eine eigene Digitalstrategie mit messbaren Zielen."
STRATEGY_REWORDED = "Kommunen entwickeln eine eigene Digitalstrategie mit überprüfbaren Zielen."
PARTICIPATION_REWORDED = "Bürgerinnen und Bürger werden von Anfang an beteiligt."


@pytest.fixture
def app_config(mail_config) -> dict:
    return mail_config | {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def staff(staff):
    return reading_english(staff)


def signed_in(chromium, live_server, email: str):
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", accept_downloads=True)
    page = context.new_page()
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#password").press("Enter")
    page.get_by_role("heading", level=1, name="Overview").wait_for()
    return context, page


def freeze(page, charter_id: int, label: str, note: str) -> None:
    page.goto(f"/charters/{charter_id}")
    page.locator("#freeze").get_by_label(f"Version {label}", exact=True).check()
    page.locator("#freeze").get_by_label("What changed (optional)").fill(note)
    page.locator("#freeze").get_by_role("button", name="Freeze the draft").click()
    # Asked once: what freezing does, and that nobody gets mail.
    expect(page.get_by_text("Nobody gets mail")).to_be_visible()
    page.get_by_role("button", name=f"Freeze version {label}").click()
    expect(page.get_by_text(f"Version {label} is frozen")).to_be_visible()


def reword(page, charter_id: int, number: str, text: str) -> None:
    page.goto(f"/charters/{charter_id}")
    page.get_by_role("link", name=f"Edit wording ({number})").click()
    page.locator("#text_de").fill(text)
    page.get_by_role("button", name="Save the wording").click()
    expect(page.get_by_text("The wording was saved.")).to_be_visible()


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_from_approved_minutes_to_two_versions_and_back_to_the_minutes(
    chromium, live_server, staff, workshops, charter, smtp_server, axe, tmp_path
):
    smtp_server.sink.received.clear()
    first_session = workshops.first.id

    # The secretariat puts the pool's recommendations under their guidelines and freezes 0.1.
    context, secretariat = signed_in(chromium, live_server, staff.secretariat.email)
    secretariat.goto(f"/charters/{charter.id}/pool")
    expect(
        secretariat.get_by_role("heading", name=re.compile(f"E-{first_session}.1.1"))
    ).to_be_visible()
    axe.check(secretariat)
    secretariat.locator("#assign-suggested").click()
    expect(secretariat.get_by_text("6 recommendations were assigned")).to_be_visible()
    freeze(secretariat, charter.id, "0.1", "First draft from two workshops.")
    axe.check(secretariat)

    # An organiser puts 0.1 out for consultation; the attendees get a personal link.
    organiser_context, organiser = signed_in(chromium, live_server, staff.organiser.email)
    organiser.goto(f"/charters/{charter.id}/versions/0.1")
    organiser.locator("#start-consultation").click()
    axe.check(organiser)
    organiser.get_by_role("button", name="Send for comments").click()
    expect(organiser.locator("#mail-preview")).to_contain_text("2 people receive")
    axe.check(organiser)
    organiser.get_by_role("button", name="Send for comments").click()
    expect(organiser.get_by_text("Version 0.1 was sent to 2 experts")).to_be_visible()
    organiser_context.close()
    [mail] = smtp_server.sink.messages_to(workshops.anna.email)
    link = re.search(r"https?://\S+/charters/consult/[\w.\-]+", text_of(mail)).group(0)

    # The expert comments on recommendation 1.1 without an account, in German.
    expert_context = chromium.new_context(base_url=live_server.url, locale="de-DE")
    expert = expert_context.new_page()
    expert.goto(link)
    expert.get_by_text("Empfehlung 1.1 kommentieren", exact=True).click()
    expert.get_by_label("Ihr Kommentar (Empfehlung 1.1 kommentieren)").fill(
        "„Messbar“ ist zu eng – besser „überprüfbar“."
    )
    expert.locator("details[open]").get_by_role("button", name="Kommentar senden").click()
    expect(expert.get_by_text("Vielen Dank")).to_be_visible()
    axe.check(expert)

    # The secretariat answers at the clause, rewords two recommendations and freezes 0.2.
    secretariat.goto(f"/charters/{charter.id}/versions/0.1/comments")
    expect(secretariat.get_by_text("„Messbar“ ist zu eng")).to_be_visible()
    axe.check(secretariat)
    secretariat.get_by_label("Your answer to Dr. Anna Schmidt").fill("Übernommen in Fassung 0.2.")
    secretariat.get_by_role("button", name="Answer and resolve").click()
    expect(secretariat.get_by_text("resolved").first).to_be_visible()
    reword(secretariat, charter.id, "1.1", STRATEGY_REWORDED)
    reword(secretariat, charter.id, "2.1", PARTICIPATION_REWORDED)
    axe.check(secretariat)
    freeze(secretariat, charter.id, "0.2", "Comments of the consultation taken in.")

    # The diff between the two versions, in the browser and as a redline PDF.
    secretariat.goto(f"/charters/{charter.id}/versions")
    axe.check(secretariat)
    secretariat.locator("select[name=from]").select_option(label="Version 0.1")
    secretariat.locator("select[name=to]").select_option(label="Version 0.2")
    secretariat.get_by_role("button", name="Compare").click()
    expect(secretariat.locator("del", has_text="messbaren")).to_be_visible()
    expect(secretariat.locator("ins", has_text="überprüfbaren")).to_be_visible()
    expect(secretariat.get_by_text("2 recommendations reworded")).to_be_visible()
    axe.check(secretariat)
    with secretariat.expect_download() as redline_download:
        secretariat.get_by_role("link", name="Redline as PDF").click()
    redline = tmp_path / "redline.pdf"
    redline_download.value.save_as(redline)

    # Both versions as PDF.
    downloads = {}
    for label in ("0.1", "0.2"):
        secretariat.goto(f"/charters/{charter.id}/versions/{label}")
        with secretariat.expect_download() as version_download:
            secretariat.get_by_role("link", name="PDF, German", exact=True).click()
        downloads[label] = tmp_path / f"charter-{label}.pdf"
        version_download.value.save_as(downloads[label])

    # From recommendation 1.1 of 0.2 to its origin: the session and its minutes.
    secretariat.goto(f"/charters/{charter.id}/versions/0.2")
    secretariat.get_by_role("link", name=f"E-{first_session}.1.1").click()
    secretariat.get_by_role(
        "heading", level=1, name=re.compile("Origin of recommendation 1.1")
    ).wait_for()
    axe.check(secretariat)
    minutes_link = secretariat.locator("a.minutes-pdf").first
    assert minutes_link.get_attribute("href") == f"/minutes/session/{first_session}/versions/1.pdf"
    with secretariat.expect_download() as minutes_download:
        minutes_link.click()
    assert minutes_download.value.suggested_filename.endswith(".pdf")
    secretariat.get_by_role("link", name="Workshop Strategien").first.click()
    secretariat.get_by_role("heading", level=1, name="Workshop Strategien").wait_for()
    context.close()

    # The expert sees what became of the comment.
    expert.goto(link)
    expect(expert.get_by_text("geändert in Fassung 0.2")).to_be_visible()
    expect(expert.get_by_text("Übernommen in Fassung 0.2.")).to_be_visible()
    expert_context.close()

    db.session.expire_all()
    first, second = db.session.scalars(
        db.select(CharterVersion).order_by(CharterVersion.minor)
    ).all()
    assert first.state is VersionState.CONSULTATION and second.state is VersionState.WORKING_DRAFT
    comment = db.session.scalar(db.select(ConsultationComment))
    assert comment.status is CommentStatus.RESOLVED
    assert comment.clause_id == clause_from(charter, f"E-{first_session}.1.1").id

    first_text, second_text = pdf_text(downloads["0.1"]), pdf_text(downloads["0.2"])
    assert "Smart City Charta" in first_text and "Fassung 0.1" in first_text
    assert STRATEGY in first_text and STRATEGY_REWORDED not in first_text
    assert STRATEGY_REWORDED in second_text and PARTICIPATION_REWORDED in second_text
    assert "Fassung 0.2" in second_text and f"E-{first_session}.1.1" in second_text
    redline_text = pdf_text(redline)
    assert "messbaren" in redline_text and "überprüfbaren" in redline_text
