"""The charter PDF and the redline, read back with pypdf: title page, contents, chapters with
numbered recommendations, the annex of sources, the running footer, German, English and both.

The document's own wording is checked in English, or in German through the catalogue the
document itself uses (new strings may not be translated in the catalogue yet).
"""

import re

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from eventsys.charters import content, diff, document, versions
from eventsys.charters.models import Charter, CharterVersion
from eventsys.charters.states import VersionState
from eventsys.extensions import db
from eventsys.pdf import PdfRenderingError
from tests.charters.conftest import clause_from
from tests.charters.test_versions import arrange
from tests.pdf.pdf_contents import page_texts, reader, tagged_structure

ENGLISH_WORDING = "Municipalities develop their own digital strategy with measurable goals."


def whole_text(pdf: bytes) -> str:
    """All pages' text, lines joined by single spaces (table cells wrap anywhere)."""
    return re.sub(r"\s+", " ", " ".join(page_texts(pdf)))


def german(message: str, **values) -> str:
    with force_locale("de"):
        return _(message, **values)


@pytest.fixture
def version(charter, workshops, staff) -> CharterVersion:
    """Version 0.1 with a preamble, an introduction and one recommendation in English."""
    arrange(charter)
    clause_from(charter, f"E-{workshops.first.id}.1.1").text_en = ENGLISH_WORDING
    charter.preamble_de = "Die Charta beschreibt **Leitlinien** für Kommunen."
    charter.chapters[0].introduction_de = "Strategien geben der Transformation eine Richtung."
    db.session.commit()
    frozen = versions.freeze(charter, staff.secretariat)
    db.session.commit()
    return frozen


def render(version: CharterVersion, language: str) -> bytes:
    return document.charter_pdf(
        version.content,
        language=language,
        state_label=version.state.lazy_label,
        frozen_at=version.frozen_at,
    )


@pytest.fixture
def german_pdf(version) -> bytes:
    return render(version, "de")


def test_the_german_pdf_has_title_page_contents_chapters_and_numbers(german_pdf, version):
    texts = page_texts(german_pdf)
    title_page = re.sub(r"\s+", " ", texts[0])
    text = whole_text(german_pdf)

    assert "Smart City Charta" in title_page
    assert german("Version %(label)s", label="0.1") in title_page
    assert german("working draft") in title_page
    assert "Dialogplattform Smart Cities" in title_page
    chapter_titles = [chapter["title_de"] for chapter in version.content["chapters"]]
    assert chapter_titles[0] == "Digitale Transformation braucht Ziele, Strategien und Strukturen"
    for number, title in enumerate(chapter_titles, start=1):
        assert f"{number} {title}" in text
    for number in ("1.1", "2.1", "3.1", "3.2", "4.1", "4.2"):
        assert number in text
    assert "1.1 Kommunen entwickeln eine eigene Digitalstrategie mit messbaren Zielen." in text
    assert "Die Charta beschreibt Leitlinien für Kommunen." in text  # Markdown rendered
    assert "Strategien geben der Transformation eine Richtung." in text
    assert ENGLISH_WORDING not in text


def test_the_contents_give_each_chapter_its_page(german_pdf):
    texts = page_texts(german_pdf)
    contents = re.sub(r"\s+", " ", texts[1])

    for number in range(1, 5):
        match = re.search(rf"{number} Digitale Transformation braucht [^.]*\.+ (\d+)", contents)
        assert match, contents
        page = int(match.group(1))
        assert f"{number} Digitale Transformation" in re.sub(r"\s+", " ", texts[page - 1])


def test_every_page_names_version_state_and_page_of_pages(german_pdf):
    texts = page_texts(german_pdf)
    line = german("Version %(label)s – %(state)s", label="0.1", state=german("working draft"))

    for number, text in enumerate(texts, start=1):
        assert f"{line} – Seite {number} von {len(texts)}" in re.sub(r"\s+", " ", text)
    assert "Seite 1 von" in texts[0]


def test_the_annex_names_the_origin_of_every_recommendation(german_pdf, workshops):
    text = whole_text(german_pdf)
    annex = text[text.rindex(german("Annex: sources of the recommendations")) :]
    first, second = workshops.first.id, workshops.second.id

    assert f"3.1 E-{first}.2.1 – Workshop Strategien, 12.03.2026, TOP 2 – Datenräume" in annex
    assert f"3.2 E-{second}.1.2 – Workshop Kompetenzen, 20.05.2026, TOP 1 – Kompetenzen" in annex
    assert german("minutes version %(number)d", number=1) in annex


def test_the_english_pdf_shows_english_wording_and_says_where_it_is_missing(version):
    text = whole_text(render(version, "en"))

    assert "Smart City Charter" in text
    assert "Version 0.1 – working draft – Page 1 of" in text
    assert "1 Digital transformation needs goals, strategies and structures" in text
    assert f"1.1 {ENGLISH_WORDING}" in text
    assert "Kommunen entwickeln eine eigene" not in text
    # No English yet: the German stands in, and says so.
    assert "2.1 Bürgerinnen und Bürger werden früh an digitalen Projekten beteiligt." in text
    assert "no English wording yet" in text
    assert "Annex: sources of the recommendations" in text


def test_both_languages_side_by_side(version):
    pdf = render(version, "both")
    text = whole_text(pdf)

    assert "Smart City Charta Smart City Charter" in text
    assert "Deutsch English" in text
    assert "Kommunen entwickeln eine eigene Digitalstrategie" in text
    assert "Municipalities develop their own digital strategy" in text
    assert "Digital transformation needs goals, strategies and structures" in text
    assert german("no English wording yet; the German text is shown").split(";")[0] in text
    assert reader(pdf).trailer["/Root"]["/Lang"] == "de"


def test_metadata_language_tags_and_no_watermark_on_a_version(german_pdf):
    pdf = reader(german_pdf)

    assert pdf.metadata.title == f"Smart City Charta – {german('Version %(label)s', label='0.1')}"
    assert pdf.metadata.author == german(
        "Secretariat – %(platform)s", platform="Dialogplattform Smart Cities"
    )
    assert pdf.trailer["/Root"]["/Lang"] == "de"
    assert "/StructTreeRoot" in pdf.trailer["/Root"]
    assert "ENTWURF" not in whole_text(german_pdf)


def test_the_working_text_is_marked_as_a_draft_on_every_page(charter, version, workshops):
    clause_from(charter, f"E-{workshops.second.id}.2.1").text_de = "Geänderter Wortlaut."
    db.session.commit()

    pdf = document.charter_pdf(
        content.working_text(charter), language="de", state_label=document.WORKING_TEXT_LABEL
    )

    texts = page_texts(pdf)
    assert all("ENTWURF" in text for text in texts)
    assert "4.2 Geänderter Wortlaut." in whole_text(pdf)
    assert german("Working text, not frozen") in texts[0]


def test_an_adopted_version_says_so(version, staff):
    versions.adopt(version, staff.organiser)
    db.session.commit()

    assert version.state is VersionState.ADOPTED
    assert german("Version %(label)s – %(state)s", label="0.1", state=german("adopted")) in (
        whole_text(render(version, "de"))
    )


def test_file_names(version, charter):
    assert document.charter_filename(version.content, "de") == (
        "Smart-City-Charta-Fassung-0.1-de.pdf"
    )
    assert document.charter_filename(content.working_text(charter), "both") == (
        "Smart-City-Charta-Entwurf-both.pdf"
    )
    assert document.redline_filename(version.content, "0.1", None) == (
        "Smart-City-Charta-Vergleich-0.1-Entwurf.pdf"
    )


def test_markdown_the_renderer_refuses_is_a_rendering_error(version):
    text = {**version.content, "charter": {**version.content["charter"]}}
    text["charter"]["preamble_de"] = "x" * 1001  # a word too long to break

    with pytest.raises(PdfRenderingError):
        document.charter_pdf(text, language="de", state_label="")


@pytest.fixture
def second(charter: Charter, workshops, version, staff) -> CharterVersion:
    """Version 0.2: one recommendation reworded, one moved, one taken out."""
    reworded = clause_from(charter, f"E-{workshops.second.id}.1.1")
    reworded.text_de = "Verwaltungen schaffen digitale Kompetenzen in allen Ämtern."
    moved = clause_from(charter, f"E-{workshops.first.id}.1.2")
    moved.chapter, moved.position = charter.chapters[0], 9
    clause_from(charter, f"E-{workshops.second.id}.2.1").chapter = None
    db.session.commit()
    frozen = versions.freeze(charter, staff.secretariat)
    db.session.commit()
    return frozen


def test_the_redline_shows_inserted_deleted_moved_and_removed(version, second):
    changes = diff.compare(version.content, second.content)

    pdf = document.redline_pdf(changes, second.content, language="en")

    texts = page_texts(pdf)
    text = whole_text(pdf)
    assert "Redline: version 0.1 → 0.2" in text
    assert "bauen" in text and "schaffen" in text  # deleted and inserted words
    assert "4.1 (changed)" in text
    assert "1.2 (moved from 2.1)" in text
    assert "4.2 (removed)" in text
    assert "Kleine Kommunen kooperieren bei der Beschaffung von IT." in text
    assert "1 recommendation reworded" in text
    assert "1 recommendation moved" in text
    assert "1 recommendation removed" in text
    assert all(f"Page {number} of {len(texts)}" in page for number, page in enumerate(texts, 1))
    assert "DRAFT" not in text
    assert reader(pdf).metadata.title == "Smart City Charter – Redline: version 0.1 → 0.2"


def test_the_redline_against_the_working_text_is_a_draft(charter, version):
    working = content.working_text(charter)

    pdf = document.redline_pdf(diff.compare(version.content, working), working, language="de")

    texts = page_texts(pdf)
    assert all("ENTWURF" in text for text in texts)
    assert german("Redline: version %(old)s → working text", old="0.1") in whole_text(pdf)


def test_the_charter_pdf_is_tagged_for_screen_readers(german_pdf):
    structure = tagged_structure(german_pdf)
    assert structure.language == "de"
    assert structure.shows_title and structure.marked
    assert {"H1", "H2", "L", "LI", "Table", "TH", "TD", "Figure"} <= structure.types()
    figures = [alt for element_type, alt in structure.elements if element_type == "Figure"]
    assert all(alt and alt.startswith("Logo") for alt in figures)
