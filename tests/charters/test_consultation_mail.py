"""The consultation mail, through a real SMTP server: who gets it, in which language, and that
its links open the version and its PDF."""

import io
import re

import pytest
from pypdf import PdfReader

from eventsys.charters.states import VersionState
from eventsys.experts.models import WorkingGroup
from eventsys.extensions import db
from tests.charters.test_consultation import assign_by_guideline, make_version, outsider
from tests.conftest import confirm_sending, page_text
from tests.invitations.conftest import text_of


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def version(charter):
    assign_by_guideline(charter)
    return make_version(charter)


def link_in(message, path: str = "") -> str:
    match = re.search(rf"https?://[^/\s]+(/charters/consult/[^\s\"<]*{path})", text_of(message))
    assert match, f"no consultation link ending in {path!r} in the mail"
    return match.group(1)


def start(client, version, **data):
    """Start the consultation, confirming on the page that shows who gets mail."""
    url = f"/charters/{version.charter_id}/versions/{version.label}/consultation"
    preview = client.post(url, data={"recipients": "attendees", "deadline": "2099-12-31"} | data)
    return confirm_sending(client, preview)


def test_the_attendees_get_the_link_in_their_language(
    version, workshops, organiser_client, client, smtp_server
):
    bystander = outsider()
    response = start(organiser_client, version)
    assert response.status_code == 302
    db.session.refresh(version)
    assert version.state is VersionState.CONSULTATION

    [german] = smtp_server.sink.messages_to(workshops.anna.email)
    [english] = smtp_server.sink.messages_to(workshops.claire.email)
    assert smtp_server.sink.messages_to(bystander.email) == []
    assert english["Subject"] == "Consultation: Smart City Charter, version 0.1"
    assert "Smart City Charta" in german["Subject"] and "0.1" in german["Subject"]
    assert "31.12.2099" in text_of(german)
    assert "31 Dec 2099" in text_of(english)
    assert "Dr. Anna Schmidt" in text_of(german)
    assert german.get_body(preferencelist=("html",)) is not None

    # The link works without signing in, for whoever holds it.
    client.post("/logout")
    reading = client.get(link_in(german))
    assert reading.status_code == 200
    text = page_text(reading)
    assert "Kommunen entwickeln eine eigene Digitalstrategie mit messbaren Zielen." in text
    assert "1.1" in text and "4.2" in text
    assert reading.get_data(as_text=True).count('name="text"') == 4 + 6 + 1


def test_the_pdf_link_in_the_mail_gives_the_version(
    version, workshops, organiser_client, client, smtp_server
):
    start(organiser_client, version)
    [message] = smtp_server.sink.messages_to(workshops.anna.email)
    client.post("/logout")

    download = client.get(link_in(message, "/charter.pdf"))
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert "Fassung-0.1" in download.headers["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(download.data)).pages)
    assert "Kleine Kommunen kooperieren" in text


def test_sending_again_mails_only_the_experts_not_yet_asked(
    version, workshops, organiser_client, smtp_server
):
    start(organiser_client, version)
    newcomer = outsider()
    group = WorkingGroup(name="AG Beteiligung", members=[workshops.anna, newcomer])
    db.session.add(group)
    db.session.commit()

    response = start(
        organiser_client,
        version,
        recipients="working_group",
        working_group=str(group.id),
        deadline="2100-01-15",
    )
    assert response.status_code == 302
    assert len(smtp_server.sink.messages_to(workshops.anna.email)) == 1
    assert len(smtp_server.sink.messages_to(workshops.claire.email)) == 1
    [message] = smtp_server.sink.messages_to(newcomer.email)
    assert "15.01.2100" in text_of(message)
    db.session.refresh(version)
    assert version.consultation_deadline.isoformat() == "2100-01-15T23:00:00+00:00"
