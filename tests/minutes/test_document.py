"""The minutes PDF, read back with pypdf: what it shows, the draft's watermark, and the approved
version's PDF/A-3 identification, embedded data and metadata.

Texts of the document's own wording are checked in English (the German catalogue may not have
them yet); German documents are checked on dates and times, and on words looked up in the
catalogue the document itself uses.
"""

import json
import logging
import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf.generic import NameObject

from eventsys.extensions import db
from eventsys.markup import MAX_MARKDOWN_LENGTH
from eventsys.minutes import document, snapshot
from eventsys.minutes.document import Approval, minutes_filename, minutes_html, minutes_pdf
from eventsys.pdf import PdfRenderingError
from eventsys.pdf import fetcher as fetcher_module
from tests.minutes.conftest import build_record
from tests.pdf.pdf_contents import embedded_files, page_texts, reader, tagged_structure

APPROVAL = Approval(
    version_number=2,
    approved_at=datetime(2026, 3, 20, 10, 30, tzinfo=UTC),
    approved_by="Maria Muster",
    reason="Name in TOP 2 berichtigt",
)


def whole_text(pdf: bytes) -> str:
    """All pages' text, lines joined by single spaces (table cells wrap anywhere)."""
    return re.sub(r"\s+", " ", " ".join(page_texts(pdf)))


@pytest.fixture
def content(record) -> dict:
    return snapshot.take(record.minutes)


@pytest.fixture
def english_draft(content) -> bytes:
    return minutes_pdf(content, language="en", approval=None)


@pytest.fixture
def german_approved(content) -> bytes:
    return minutes_pdf(content, language="de", approval=APPROVAL)


def test_the_draft_shows_title_date_time_and_place(english_draft):
    first_page = re.sub(r"\s+", " ", page_texts(english_draft)[0])

    assert "Dialogplattform Smart Cities" in first_page
    assert "Minutes of the session 5. Plenum der Dialogplattform" in first_page
    assert "12 Mar 2026" in first_page
    assert "10:00 – 16:00" in first_page
    assert "Krausenstraße 17–18, 10117 Berlin, Saal 2" in first_page
    assert "Draft of version 1, not approved" in first_page


def test_attendance_is_grouped_by_stakeholder_group_present_and_excused(english_draft):
    text = whole_text(english_draft)

    expected_order = [
        "Attendance",
        "Present: 4 · excused: 2",
        "Cities, districts and municipalities",
        "Dr. Anna Schmidt Stadt Köln present",
        "Municipal umbrella associations",
        "Dieter Brandt (deputy for Erika Zeller) Deutscher Städtetag present",
        "Erika Zeller Deutscher Städtetag excused",
        "Science organisations",
        "Bernd Vogel BBSR excused",
        "International partners",
        "Claire Tremblay Housing Canada present",
        "Other participants",
        "Gisela Gast (guest) Presse present",
        "Agenda",
    ]
    positions = [text.find(part) for part in expected_order]
    assert -1 not in positions, [part for part in expected_order if part not in text]
    assert positions == sorted(positions)
    # Absent without excuse: not named in the record.
    assert "Ohnesorg" not in text


def test_agenda_topics_decisions_action_items_and_recommendations(english_draft, record):
    text = whole_text(english_draft)
    session_id = record.session.id

    for line in (
        # English readers number the agenda "Item 1", German ones "TOP 1".
        "Item 1 Begrüßung",
        "Item 2 Datenstrategien der Kommunen",
        "Item 1 – Begrüßung",
        "Item 2 – Datenstrategien der Kommunen",
        "Item 3 – Bericht aus dem Forschungscluster",
        f"B-{session_id}.2.1 Die Plattform beschließt Vorschlag 2a.",
        f"A-{session_id}.3.1 Entwurf 3 an alle versenden Dr. Anna Schmidt 30 Apr 2026",
        f"A-{session_id}.3.2 Studie 3 beauftragen BBSR",
        f"E-{session_id}.2.1 Kommunen veröffentlichen Daten offen (Empfehlung 2).",
        "Guideline 2: Digital transformation needs transparency, participation and co-creation",
        "Addressed to: Kommunen, Länder",
        f"E-{session_id}.3.2 Der Bund fördert gemeinsame Plattformen (Empfehlung 3).",
        "Die Runde erörtert Thema 2.",  # the discussion's Markdown, rendered
        "Next session: 18 Jun 2026",
    ):
        assert line in text, line
    assert "**" not in text


def test_open_action_items_of_an_earlier_session(english_draft, record):
    text = whole_text(english_draft)
    earlier_id = record.earlier.id

    section = text[text.index("Open action items from earlier sessions") : text.index("Item 1 –")]
    assert f"A-{earlier_id}.1.1 Leitfaden Datenräume vorlegen" in section
    assert "From: 4. Plenum (20 Nov 2025) BBSR 28 Feb 2026 open" in section
    assert f"A-{earlier_id}.1.2 Umfrage auswerten" in section
    assert "done: Ergebnisse liegen vor." in section
    assert "Bereits erledigte Aufgabe" not in text


def test_every_page_is_numbered_and_watermarked_in_a_draft(english_draft):
    texts = page_texts(english_draft)

    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text
        assert "DRAFT" in text


def test_a_draft_is_not_archival_and_has_no_attachment(english_draft):
    parsed = reader(english_draft)

    assert parsed.xmp_metadata is None or parsed.xmp_metadata.pdfaid_part is None
    assert embedded_files(english_draft) == {}
    assert parsed.metadata.title == "Minutes: 5. Plenum der Dialogplattform"
    assert parsed.trailer["/Root"]["/Lang"] == "en"


def test_a_german_document_has_german_dates_and_footer(content, app):
    pdf = minutes_pdf(content, language="de", approval=None)
    texts = page_texts(pdf)
    with force_locale("de"):
        page, of, watermark = _("Page"), _("of"), _("DRAFT")

    assert "12.03.2026" in texts[0]
    assert "10:00 – 16:00 Uhr" in texts[0]
    assert "Städte, Kreise und Gemeinden" in texts[0]  # stakeholder groups are translated
    assert "anwesend" in texts[0]
    for number, text in enumerate(texts, start=1):
        assert f"{page} {number} {of} {len(texts)}" in text
        assert watermark in text
    assert reader(pdf).trailer["/Root"]["/Lang"] == "de"


def test_approved_version_is_pdf_a_3_with_the_minutes_as_json(german_approved, content):
    parsed = reader(german_approved)

    assert parsed.xmp_metadata.pdfaid_part == "3"
    assert parsed.xmp_metadata.pdfaid_conformance == "U"
    attachments = embedded_files(german_approved)
    assert list(attachments) == ["minutes.json"]
    assert json.loads(attachments["minutes.json"][0].decode("utf-8")) == content
    associated = [reference.get_object() for reference in parsed.trailer["/Root"]["/AF"]]
    assert [spec["/AFRelationship"] for spec in associated] == [NameObject("/Data")]
    assert associated[0]["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"


def test_approved_version_is_tagged_with_title_language_and_author(german_approved, app):
    parsed = reader(german_approved)
    with force_locale("de"):
        title = _("Minutes: %(title)s", title="5. Plenum der Dialogplattform")
        author = _("Secretariat – %(platform)s", platform="Dialogplattform Smart Cities")

    catalog = parsed.trailer["/Root"]
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "de"
    assert parsed.metadata.title == title
    assert parsed.metadata.author == author
    assert "Dialogplattform Smart Cities" in parsed.metadata.author


def test_approved_version_has_no_watermark_and_the_approval_line(german_approved, app):
    texts = page_texts(german_approved)
    with force_locale("de"):
        watermark = _("DRAFT")

    assert not any(watermark in text for text in texts)
    last_page = re.sub(r"\s+", " ", texts[-1])
    assert "20.03.2026" in last_page
    assert "Maria Muster" in last_page
    assert "Name in TOP 2 berichtigt" in last_page


def test_english_approval_line(content):
    text = whole_text(minutes_pdf(content, language="en", approval=APPROVAL))

    assert (
        "Version 2, approved on 20 Mar 2026 by Maria Muster; correction: Name in TOP 2 berichtigt"
        in text
    )


def test_stored_content_renders_the_same_as_the_fresh_snapshot(content):
    # What the database gives back from its JSON column is what the PDF is rendered from later.
    stored = json.loads(json.dumps(content))

    assert minutes_html(stored, language="de", approval=APPROVAL) == minutes_html(
        content, language="de", approval=APPROVAL
    )


def test_changes_to_the_database_after_the_snapshot_do_not_reach_the_document(record, content):
    record.minutes.topics[0].title = "Später geändert"
    record.people.anna.last_name = "Umbenannt"
    db.session.commit()

    html = minutes_html(content, language="en", approval=APPROVAL)

    assert "Später geändert" not in html
    assert "Umbenannt" not in html
    assert "Item 1 – Begrüßung" in html


def test_user_text_cannot_become_markup(record):
    topic = record.minutes.topics[0]
    topic.title = "<b>Fett</b>"
    topic.discussion = '<img src="https://tracker.example/x.png"> **wichtig**'
    db.session.commit()

    html = minutes_html(snapshot.take(record.minutes), language="en", approval=None)

    assert "&lt;b&gt;Fett&lt;/b&gt;" in html
    assert '<img src="https://tracker.example' not in html
    assert "<strong>wichtig</strong>" in html


def test_markdown_the_editor_should_have_refused_is_a_rendering_error(record):
    record.minutes.topics[0].discussion = "x " * (MAX_MARKDOWN_LENGTH // 2 + 1)
    db.session.commit()
    content = snapshot.take(record.minutes)

    with pytest.raises(PdfRenderingError, match="characters"):
        minutes_pdf(content, language="de", approval=None)


@pytest.fixture
def served_assets(monkeypatch) -> list[tuple[str, bytes]]:
    """The URLs and bodies the renderer's fetcher hands out."""
    served = []
    original_fetch = fetcher_module.AssetFetcher.fetch

    def recording_fetch(self, url, headers=None):
        response = original_fetch(self, url, headers)
        body = response.read()
        served.append((url, body))
        return type(response)(url, body, response.headers)

    monkeypatch.setattr(fetcher_module.AssetFetcher, "fetch", recording_fetch)
    return served


def test_the_configured_logo_is_in_the_letterhead(app, content, tmp_path, served_assets):
    logo = tmp_path / "ministerium.svg"
    logo.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
        '<rect width="40" height="10" fill="#000"/></svg>'
    )
    app.config["LETTERHEAD_LOGO_PATH"] = str(logo)

    minutes_pdf(content, language="de", approval=None)

    assert ("asset:letterhead-logo.svg", logo.read_bytes()) in served_assets
    assert not any(url == "asset:logo.svg" for url, _body in served_assets)


def test_a_relative_logo_path_is_found_in_the_instance_folder(app, content, served_assets):
    logo = app.instance_path + "/wappen.svg"
    with open(logo, "w") as file:
        file.write('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    app.config["LETTERHEAD_LOGO_PATH"] = "wappen.svg"

    minutes_pdf(content, language="de", approval=None)

    assert any(url == "asset:letterhead-logo.svg" for url, _body in served_assets)


def test_a_missing_logo_file_falls_back_to_the_default(app, content, served_assets, caplog):
    app.config["LETTERHEAD_LOGO_PATH"] = "/nonexistent/logo.png"

    with caplog.at_level(logging.WARNING, logger=document.__name__):
        pdf = minutes_pdf(content, language="de", approval=None)

    assert pdf.startswith(b"%PDF")
    assert any(url == "asset:logo.svg" for url, _body in served_assets)
    assert "/nonexistent/logo.png" in caplog.text


def test_many_topics_make_a_longer_document(app):
    record = build_record(topic_count=12)

    pdf = minutes_pdf(snapshot.take(record.minutes), language="en", approval=None)

    texts = page_texts(pdf)
    assert len(texts) >= 6
    assert f"Page {len(texts)} of {len(texts)}" in texts[-1]
    assert "Item 12 – Thema 12" in whole_text(pdf)


@pytest.mark.parametrize(
    ("title", "starts_at", "version", "expected"),
    [
        (
            "5. Plenum der Dialogplattform",
            "2026-03-12T09:00:00+00:00",
            2,
            "Protokoll-2026-03-12-5-Plenum-der-Dialogplattform-Fassung-2.pdf",
        ),
        ("Plenum", "2026-03-12T09:00:00+00:00", None, "Protokoll-2026-03-12-Plenum-Entwurf.pdf"),
        (
            "Größere Öffentlichkeit: Straßen & Plätze / Café",
            "2026-03-12T09:00:00+00:00",
            1,
            "Protokoll-2026-03-12-Groessere-Oeffentlichkeit-Strassen-Plaetze-Cafe-Fassung-1.pdf",
        ),
        # 23:30 UTC is already the next day in Berlin.
        (
            "Nachtsitzung",
            "2026-03-11T23:30:00+00:00",
            1,
            "Protokoll-2026-03-12-Nachtsitzung-Fassung-1.pdf",
        ),
        ("東京", "2026-03-12T09:00:00+00:00", 1, "Protokoll-2026-03-12-Sitzung-Fassung-1.pdf"),
    ],
)
def test_file_names_are_ascii_and_say_date_title_and_version(
    app, title, starts_at, version, expected
):
    content = {"session": {"title": title, "starts_at": starts_at}}

    name = minutes_filename(content, version)

    assert name == expected
    assert name.isascii()


def test_the_approved_pdf_is_tagged_for_screen_readers(german_approved):
    """PDF/UA-1 as far as WeasyPrint goes beside PDF/A-3: language, title shown, headings,
    lists, tables with header cells and the logo's alternative text."""
    structure = tagged_structure(german_approved)
    assert structure.language == "de"
    assert structure.shows_title and structure.marked
    assert {"H1", "H2", "L", "LI", "Table", "TH", "TD", "Figure"} <= structure.types()
    figures = [alt for element_type, alt in structure.elements if element_type == "Figure"]
    assert figures and all(alt and alt.startswith("Logo") for alt in figures)
