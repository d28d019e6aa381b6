"""The minutes as a Word document, read back with python-docx (styles, tables, header and
footer fields, properties) and converted to PDF by LibreOffice, and its downloads.

Texts of the document's own wording are checked in English (the German catalogue may not have
them yet); German documents are checked on dates and on words looked up in the catalogue the
document itself uses.
"""

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from eventsys.documents.word import MIME_TYPE
from eventsys.extensions import db
from eventsys.markup import MAX_MARKDOWN_LENGTH
from eventsys.minutes import snapshot
from eventsys.minutes.document import Approval
from eventsys.minutes.models import MinutesVersion
from eventsys.minutes.tokens import make_reader_token
from eventsys.minutes.word import minutes_docx
from eventsys.pdf import PdfRenderingError
from tests.conftest import reading_english, sign_in
from tests.documents.word_contents import (
    converted_by_libreoffice,
    field_codes,
    footer_text,
    has_header_row,
    headings,
    open_docx,
    styled_paragraphs,
    table_rows,
)

APPROVAL = Approval(
    version_number=2,
    approved_at=datetime(2026, 3, 20, 10, 30, tzinfo=UTC),
    approved_by="Maria Muster",
    reason="Name in TOP 2 berichtigt",
)


@pytest.fixture
def content(record) -> dict:
    return snapshot.take(record.minutes)


@pytest.fixture
def english_draft(content):
    return open_docx(minutes_docx(content, language="en", approval=None))


def german(msgid: str, **values) -> str:
    with force_locale("de"):
        return _(msgid, **values)


def table_after(document, heading_text: str):
    """The first table that follows the paragraph `heading_text` in the body."""
    body = document.element.body
    found = False
    for element in body.iterchildren():
        if element.tag.endswith("}p") and "".join(element.xpath(".//w:t/text()")) == heading_text:
            found = True
        elif found and element.tag.endswith("}tbl"):
            return next(table for table in document.tables if table._tbl is element)
    raise AssertionError(f"no table after {heading_text!r}")


def test_the_structure_is_in_word_headings(english_draft):
    assert headings(english_draft, 1) == ["Minutes of the session\n5. Plenum der Dialogplattform"]
    assert headings(english_draft, 2) == [
        "Opening",
        "Attendance",
        "Agenda",
        "Open action items from earlier sessions",
        "Item 1 – Begrüßung",
        "Item 2 – Datenstrategien der Kommunen",
        "Item 3 – Bericht aus dem Forschungscluster",
        "Closing",
    ]
    level_three = headings(english_draft, 3)
    assert level_three[:5] == [
        "Cities, districts and municipalities",
        "Municipal umbrella associations",
        "Science organisations",
        "International partners",
        "Other participants",
    ]
    assert level_three[5:8] == ["Decisions", "Action items", "Recommendations"]


def test_the_facts_and_the_attendance_are_tables(english_draft):
    facts = table_rows(english_draft.tables[0])
    assert facts[0] == ["Session", "Plenary"]
    assert ["Date", "12 Mar 2026"] in facts
    assert ["Place", "Krausenstraße 17–18, 10117 Berlin, Saal 2"] in facts
    assert ["Version", "Draft of version 1, not approved"] in facts

    umbrella = table_after(english_draft, "Municipal umbrella associations")
    assert has_header_row(umbrella)
    assert table_rows(umbrella) == [
        ["Name", "Organisation", "Status"],
        ["Dieter Brandt (deputy for Erika Zeller)", "Deutscher Städtetag", "present"],
        ["Erika Zeller", "Deutscher Städtetag", "excused"],
    ]
    assert table_rows(table_after(english_draft, "Other participants"))[1] == [
        "Gisela Gast (guest)",
        "Presse",
        "present",
    ]
    everything = " ".join(
        cell.text for t in english_draft.tables for r in t.rows for cell in r.cells
    )
    assert "Ohnesorg" not in everything  # absent without excuse: not named in the record


def test_decisions_action_items_and_recommendations_are_tables(english_draft, record):
    session_id = record.session.id
    decisions = table_after(english_draft, "Item 2 – Datenstrategien der Kommunen")
    assert has_header_row(decisions)
    assert table_rows(decisions) == [
        ["No.", "Resolution"],
        [f"B-{session_id}.2.1", "Die Plattform beschließt Vorschlag 2a."],
        [f"B-{session_id}.2.2", "Die Plattform vertagt Vorschlag 2b."],
    ]
    tables = [table_rows(table) for table in english_draft.tables]
    assert [
        ["No.", "Action item", "Responsible", "Due"],
        [f"A-{session_id}.3.1", "Entwurf 3 an alle versenden", "Dr. Anna Schmidt", "30 Apr 2026"],
        [f"A-{session_id}.3.2", "Studie 3 beauftragen", "BBSR", ""],
    ] in tables
    recommendations = next(rows for rows in tables if rows[0] == ["No.", "Recommendation"])
    assert recommendations[1][0] == f"E-{session_id}.1.1"
    assert recommendations[1][1] == (
        "Kommunen veröffentlichen Daten offen (Empfehlung 1).\n"
        "Guideline 2: Digital transformation needs transparency, participation and co-creation\n"
        "Addressed to: Kommunen, Länder"
    )
    carried_over = table_after(english_draft, "Open action items from earlier sessions")
    assert table_rows(carried_over)[0] == ["No.", "Action item", "Responsible", "Due", "Status"]
    assert any(row[-1] == "done: Ergebnisse liegen vor." for row in table_rows(carried_over))


def test_the_discussion_is_word_paragraphs_and_lists(english_draft):
    paragraphs = styled_paragraphs(english_draft)
    index = paragraphs.index(("Normal", "Die Runde erörtert Thema 2."))
    assert paragraphs[index + 1 : index + 3] == [
        ("List Bullet", "erster Punkt"),
        ("List Bullet", "zweiter Punkt"),
    ]
    bold = [
        run.text
        for run in english_draft.paragraphs[index].runs
        if run.bold  # the Markdown's **Thema 2**
    ]
    assert bold == ["Thema 2"]
    assert ("Normal", "Frau Dr. Schmidt begrüßt die Teilnehmenden.") in paragraphs
    assert ("Normal", "Next session: 18 Jun 2026") in paragraphs
    whole = "\n".join(text for _style, text in paragraphs)
    assert "**" not in whole and "<" not in whole


def test_header_footer_page_fields_and_properties(english_draft, content):
    footer = english_draft.sections[0].footer
    assert field_codes(footer._element) == ["PAGE", "NUMPAGES"]
    assert footer_text(english_draft) == "5. Plenum der Dialogplattform – Page {PAGE} of {NUMPAGES}"
    header = english_draft.sections[0].header.paragraphs[0].text
    assert header == "Dialogplattform Smart Cities · Minutes: 5. Plenum der Dialogplattform · DRAFT"
    properties = english_draft.core_properties
    assert properties.title == "Minutes: 5. Plenum der Dialogplattform"
    assert properties.language == "en-GB"
    assert properties.author == "Secretariat – Dialogplattform Smart Cities"
    section = english_draft.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_german_minutes_number_tops_and_pages_in_german(content):
    document = open_docx(minutes_docx(content, language="de", approval=None))

    assert german("Item %(number)d", number=1) + " – Begrüßung" in headings(document, 2)
    assert "Datum" in [row[0] for row in table_rows(document.tables[0])]
    page_wording = german("Page %(page)s of %(pages)s", page="{PAGE}", pages="{NUMPAGES}")
    assert footer_text(document).endswith(page_wording)
    assert document.core_properties.language == "de-DE"
    assert "12.03.2026" in [row[1] for row in table_rows(document.tables[0])]


def test_an_approved_version_names_its_approval_and_is_no_draft(content):
    document = open_docx(minutes_docx(content, language="en", approval=APPROVAL))

    line = (
        "Version 2, approved on 20 Mar 2026 by Maria Muster; correction: Name in TOP 2 berichtigt"
    )
    assert document.paragraphs[-1].text == line
    assert "DRAFT" not in document.sections[0].header.paragraphs[0].text
    assert document.core_properties.created == APPROVAL.approved_at


def test_markdown_the_pdf_refuses_is_refused_here_too(record):
    record.minutes.topics[0].discussion = "x " * (MAX_MARKDOWN_LENGTH // 2 + 1)
    with pytest.raises(PdfRenderingError):
        minutes_docx(snapshot.take(record.minutes), language="de", approval=None)


def test_libreoffice_reads_each_kind_of_minutes_document(content, tmp_path, record):
    texts = converted_by_libreoffice(
        {
            "draft-en": minutes_docx(content, language="en", approval=None),
            "draft-de": minutes_docx(content, language="de", approval=None),
            "approved-de": minutes_docx(content, language="de", approval=APPROVAL),
        },
        tmp_path,
    )

    english = texts["draft-en"]
    for line in (
        "Minutes of the session 5. Plenum der Dialogplattform",
        "Dieter Brandt (deputy for Erika Zeller) Deutscher Städtetag present",
        "Item 2 – Datenstrategien der Kommunen",
        "Die Runde erörtert Thema 2.",
        f"B-{record.session.id}.2.1 Die Plattform beschließt Vorschlag 2a.",
        "Page 1 of ",
    ):
        assert line in english, line
    assert "**" not in english
    assert (
        german("Item %(number)d", number=3) + " – Bericht aus dem Forschungscluster"
        in (texts["draft-de"])
    )
    assert "12.03.2026" in texts["draft-de"]
    assert "20.03.2026" in texts["approved-de"] and "Maria Muster" in texts["approved-de"]


# --- the downloads ----------------------------------------------------------------------------


def test_a_control_character_in_the_text_does_not_stop_the_download(client, staff, record):
    topic = record.minutes.topics[0]
    topic.discussion = "Eingefügt aus Word:\x0bzweite Zeile"
    topic.decisions[0].text = "Beschluss\x01 mit Steuerzeichen"
    db.session.commit()
    sign_in(client, staff.secretariat)

    response = client.get(f"/minutes/session/{record.session.id}/draft.docx")

    assert response.status_code == 200
    text = "\n".join(paragraph.text for paragraph in open_docx(response.data).paragraphs)
    assert "Eingefügt aus Word:\ufffdzweite Zeile" in text


def test_staff_download_the_draft_in_their_language(client, staff, record):
    reading_english(staff)
    sign_in(client, staff.secretariat)

    response = client.get(f"/minutes/session/{record.session.id}/draft.docx")

    assert response.status_code == 200
    assert response.mimetype == MIME_TYPE
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="Protokoll-2026-03-12-5-Plenum-der-Dialogplattform-Entwurf.docx"'
    )
    document = open_docx(response.data)
    assert headings(document, 2)[-1] == "Closing"


def test_the_draft_is_german_for_german_staff(client, staff, record):
    sign_in(client, staff.organiser)

    response = client.get(f"/minutes/session/{record.session.id}/draft.docx")

    assert response.status_code == 200
    assert open_docx(response.data).core_properties.language == "de-DE"


def approve_directly(record, staff) -> MinutesVersion:
    """Version 1 stored as approval stores it (without rendering its PDF)."""
    version = MinutesVersion(
        minutes=record.minutes,
        number=1,
        content=snapshot.take(record.minutes),
        approved_at=datetime(2026, 3, 20, 10, 30, tzinfo=UTC),
        approved_by=staff.organiser,
        pdf=b"%PDF-1.7",
        pdf_sha256="0",
    )
    db.session.add(version)
    db.session.commit()
    return version


def test_an_approved_version_is_in_the_language_of_its_pdf(client, staff, record):
    approve_directly(record, staff)
    reading_english(staff)
    sign_in(client, staff.admin)

    response = client.get(f"/minutes/session/{record.session.id}/versions/1.docx")

    assert response.status_code == 200
    assert response.mimetype == MIME_TYPE
    assert (
        'filename="Protokoll-2026-03-12-5-Plenum-der-Dialogplattform-Fassung-1.docx"'
        in (response.headers["Content-Disposition"])
    )
    document = open_docx(response.data)
    assert document.core_properties.language == "de-DE"  # as the archived PDF
    assert "20.03.2026" in document.paragraphs[-1].text
    assert "Test Organiser" in document.paragraphs[-1].text
    assert client.get(f"/minutes/session/{record.session.id}/versions/2.docx").status_code == 404


def test_visitors_and_experts_with_a_reading_link_get_no_word_document(client, record, staff):
    approve_directly(record, staff)
    urls = [
        f"/minutes/session/{record.session.id}/draft.docx",
        f"/minutes/session/{record.session.id}/versions/1.docx",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")

    client.get(f"/minutes/read/{make_reader_token(record.minutes, record.people.anna)}")
    for url in urls:
        assert client.get(url).headers["Location"].startswith("/login")


def test_the_workflow_panel_offers_the_word_documents(client, staff, record):
    approve_directly(record, staff)
    reading_english(staff)
    sign_in(client, staff.secretariat)

    page = client.get(f"/minutes/session/{record.session.id}").get_data(as_text=True)

    assert f'href="/minutes/session/{record.session.id}/versions/1.docx"' in page
    assert "As Word document (.docx)" in page
