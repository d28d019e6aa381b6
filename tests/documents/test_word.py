"""The shared Word pieces: Markdown as Word blocks and runs, page-number fields, properties, and
tracked changes, each read back with python-docx or from the XML."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from docx.oxml.ns import qn
from flask_babel import force_locale

from eventsys.documents import word
from eventsys.markup import MarkdownRejected
from tests.documents.word_contents import (
    changes,
    field_codes,
    footer_text,
    has_header_row,
    open_docx,
    resolved_paragraphs,
    styled_paragraphs,
    table_rows,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def facts(**values) -> word.DocumentFacts:
    defaults = {"title": "Titel", "language": "en", "author": "Geschäftsstelle", "header": "Kopf"}
    return word.DocumentFacts(**(defaults | values))


def written(markdown: str):
    document = word.new_document(facts())
    word.add_markdown(document, markdown)
    return open_docx(word.docx_bytes(document))


def numbering_ids(paragraph) -> list[str]:
    return paragraph._p.xpath("./w:pPr/w:numPr/w:numId/@w:val")


def test_markdown_blocks_become_word_styles(app):
    document = written(
        "Text mit **fett**, *kursiv*, ~~gestrichen~~ und `Code`.\nNeue Zeile\n\n"
        "### Unterpunkt\n\n- eins\n- zwei\n  - tiefer\n\n> Zitat\n\n```\nzeile 1\nzeile 2\n```"
    )

    assert styled_paragraphs(document) == [
        ("Normal", "Text mit fett, kursiv, gestrichen und Code.\nNeue Zeile"),
        ("Heading 5", "Unterpunkt"),  # `###` is an h5 in the PDFs, too
        ("List Bullet", "eins"),
        ("List Bullet", "zwei"),
        ("List Bullet 2", "tiefer"),
        ("Quote", "Zitat"),
        ("macro", "zeile 1\nzeile 2"),
    ]
    runs = {run.text: run for run in document.paragraphs[0].runs}
    assert runs["fett"].bold and runs["kursiv"].italic and runs["gestrichen"].font.strike
    assert runs["Code"].font.name == "Courier New"
    assert not runs["Text mit "].bold


def test_each_numbered_list_counts_from_its_own_start(app):
    document = written("1. a\n2. b\n\nZwischen\n\n3. c\n4. d\n")

    paragraphs = document.paragraphs
    assert [p.style.name for p in paragraphs] == [
        "List Number", "List Number", "Normal", "List Number", "List Number",
    ]  # fmt: skip
    first, second = numbering_ids(paragraphs[0]), numbering_ids(paragraphs[3])
    assert first == numbering_ids(paragraphs[1]) and second == numbering_ids(paragraphs[4])
    assert first != second
    numbering = document.part.numbering_part.element
    starts = numbering.xpath(f"w:num[@w:numId='{second[0]}']/w:lvlOverride/w:startOverride/@w:val")
    assert starts == ["3"]


def test_links_tables_and_raw_html(app):
    document = written(
        "[Bericht](https://example.org/bericht) und [lokal](/intern) "
        "<b>kein HTML</b>\n\n| Ort | Zahl |\n| --- | --- |\n| Köln | 3 |\n"
    )

    paragraph = document.paragraphs[0]
    assert paragraph.text == "Bericht und lokal <b>kein HTML</b>"
    links = paragraph._p.findall(f"{W}hyperlink")
    assert len(links) == 1
    target = document.part.rels[links[0].get(qn("r:id"))]
    assert target.target_ref == "https://example.org/bericht"
    table = document.tables[0]
    assert table_rows(table) == [["Ort", "Zahl"], ["Köln", "3"]]
    assert has_header_row(table) and table.style.name == "Table Grid"


def test_markdown_the_pdfs_refuse_is_refused(app):
    document = word.new_document(facts())
    with pytest.raises(MarkdownRejected):
        word.add_markdown(document, "x" * 2_000)


def test_properties_page_size_and_language(app):
    created = datetime(2026, 3, 20, 11, 30, 5, 123, tzinfo=timezone(timedelta(hours=1)))
    document = open_docx(
        word.docx_bytes(
            word.new_document(facts(language="de", subject="Fassung 2", created=created))
        )
    )

    properties = document.core_properties
    assert (properties.title, properties.subject, properties.author) == (
        "Titel",
        "Fassung 2",
        "Geschäftsstelle",
    )
    assert properties.language == "de-DE"
    assert properties.created == datetime(2026, 3, 20, 10, 30, 5, tzinfo=UTC)
    assert properties.last_modified_by == "Geschäftsstelle"
    defaults = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
    assert defaults == ["de-DE"]
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_the_footer_numbers_pages_with_fields_and_a_draft_says_so(app):
    with force_locale("en"):
        document = open_docx(
            word.docx_bytes(word.new_document(facts(footer="Fassung 0.2", draft=True)))
        )

    assert field_codes(document.sections[0].footer._element) == ["PAGE", "NUMPAGES"]
    assert footer_text(document) == "Fassung 0.2 – Page {PAGE} of {NUMPAGES}"
    assert document.sections[0].header.paragraphs[0].text == "Kopf · DRAFT"
    assert document.sections[0].footer.paragraphs[0].style.name == "Footer"


def test_tracked_text_across_paragraphs_accepts_to_the_new_and_rejects_to_the_old(app):
    document = word.new_document(facts())
    at = datetime(2026, 6, 1, 14, 0, 0, 999, tzinfo=timezone(timedelta(hours=2)))
    tracked = word.TrackedChanges(author="Maria Muster", at=at)
    segments = [
        ("equal", "Erster "),
        ("delete", "alter"),
        ("insert", "neuer\nZweiter"),
        ("equal", " Absatz.\nDritter"),
        ("delete", "\nVierter"),
    ]
    word.add_tracked_text(document, segments, tracked)
    read = open_docx(word.docx_bytes(document))

    assert resolved_paragraphs(read, accept=True) == ["Erster neuer", "Zweiter Absatz.", "Dritter"]
    assert resolved_paragraphs(read, accept=False) == [
        "Erster alter Absatz.",
        "Dritter",
        "Vierter",
    ]
    inserted, deleted = changes(read, "ins"), changes(read, "del")
    # (a paragraph's mark, "¶", is recorded in its properties, before its text)
    assert [change["text"] for change in inserted] == ["¶", "neuer", "Zweiter"]
    assert [change["text"] for change in deleted] == ["alter", "¶", "Vierter"]
    assert {change["date"] for change in inserted + deleted} == {"2026-06-01T12:00:00Z"}
    assert {change["author"] for change in inserted + deleted} == {"Maria Muster"}
    assert all(change["holds"] == {"w:delText"} for change in deleted if change["text"] != "¶")


def test_a_whole_paragraph_inserted_or_deleted(app):
    document = word.new_document(facts())
    tracked = word.TrackedChanges(author="A", at=datetime(2026, 1, 1, tzinfo=UTC))
    gone = word.add_paragraph(document, "4.2 (entfernt)", style="Heading 3")
    word.track_whole_paragraph(gone, "delete", tracked)
    new = word.add_paragraph(document, "4.3 (neu)", style="Heading 3")
    word.track_whole_paragraph(new, "insert", tracked)
    word.add_paragraph(document, "Danach")
    read = open_docx(word.docx_bytes(document))

    assert resolved_paragraphs(read, accept=True) == ["4.3 (neu)", "Danach"]
    assert resolved_paragraphs(read, accept=False) == ["4.2 (entfernt)", "Danach"]


def test_file_names_follow_the_pdfs():
    assert word.docx_filename("Protokoll-2026-03-12-Plenum-Entwurf.pdf") == (
        "Protokoll-2026-03-12-Plenum-Entwurf.docx"
    )


def test_characters_xml_cannot_hold_become_replacement_characters():
    """A vertical tab pasted from Word or a control character from an import would make
    lxml refuse the whole document; each is written as U+FFFD, the rest as it was."""
    assert word.xml_text("Zeile\x0bmit\x01Zeichen\ufffe") == "Zeile\ufffdmit\ufffdZeichen\ufffd"
    assert word.xml_text("Tab\tund\nUmbruch\r, Umlaute äöü") == "Tab\tund\nUmbruch\r, Umlaute äöü"
