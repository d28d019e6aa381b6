"""The charter as Word documents: a version and the working text read back with python-docx,
the redline's tracked changes read from its XML (author, date, the words inserted and deleted,
and what accepting or rejecting all of them gives), LibreOffice converting each kind to PDF,
and the downloads.

The document's own wording is checked in English, or in German through the catalogue the
document itself uses (new strings may not be translated in the catalogue yet).
"""

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from eventsys.charters import content, diff, versions
from eventsys.charters.models import Charter, CharterVersion
from eventsys.charters.word import charter_docx, redline_docx
from eventsys.documents.word import MIME_TYPE
from eventsys.extensions import db
from tests.charters.conftest import clause_from
from tests.charters.test_versions import arrange
from tests.conftest import reading_english, sign_in
from tests.documents.word_contents import (
    changes,
    converted_by_libreoffice,
    field_codes,
    footer_text,
    has_header_row,
    headings,
    open_docx,
    resolved_paragraphs,
    styled_paragraphs,
    table_rows,
)

ENGLISH_WORDING = "Municipalities develop their own digital strategy with measurable goals."
REVIEWED_AT = datetime(2026, 6, 1, 12, 30, 15, tzinfo=UTC)


def german(message: str, **values) -> str:
    with force_locale("de"):
        return _(message, **values)


@pytest.fixture
def version(charter, workshops, staff) -> CharterVersion:
    """Version 0.1 with a preamble, an introduction and one recommendation in English; the
    recommendation on data spaces (E-<first>.2.1) is not in it yet."""
    arrange(charter)
    clause_from(charter, f"E-{workshops.first.id}.1.1").text_en = ENGLISH_WORDING
    clause_from(charter, f"E-{workshops.first.id}.2.1").chapter = None
    charter.preamble_de = "Die Charta beschreibt **Leitlinien** für Kommunen."
    charter.chapters[0].introduction_de = "Strategien geben der Transformation eine Richtung."
    db.session.commit()
    frozen = versions.freeze(charter, staff.secretariat)
    db.session.commit()
    return frozen


@pytest.fixture
def second(charter: Charter, workshops, version, staff) -> CharterVersion:
    """Version 0.2: one recommendation reworded, one moved, one taken out, one added, and a
    paragraph added to the preamble."""
    reworded = clause_from(charter, f"E-{workshops.second.id}.1.1")
    reworded.text_de = "Verwaltungen schaffen digitale Kompetenzen in allen Ämtern."
    moved = clause_from(charter, f"E-{workshops.first.id}.1.2")
    moved.chapter, moved.position = charter.chapters[0], 9
    clause_from(charter, f"E-{workshops.second.id}.2.1").chapter = None
    clause_from(charter, f"E-{workshops.first.id}.2.1").chapter = charter.chapters[2]
    charter.preamble_de += "\nSie gilt für alle Kommunen."
    db.session.commit()
    frozen = versions.freeze(charter, staff.secretariat)
    db.session.commit()
    return frozen


def render(version: CharterVersion, language: str) -> bytes:
    return charter_docx(
        version.content,
        language=language,
        state_label=version.state.lazy_label,
        frozen_at=version.frozen_at,
    )


def redline(version: CharterVersion, second: CharterVersion, language: str = "de") -> bytes:
    return redline_docx(
        diff.compare(version.content, second.content),
        second.content,
        language=language,
        author="Maria Muster",
        at=REVIEWED_AT,
    )


def clause_texts(text: dict) -> list[str]:
    return [clause["text_de"] for clause in content.clauses_of(text)]


# --- a version --------------------------------------------------------------------------------


def test_a_version_has_its_structure_in_word_headings_and_tables(version):
    document = open_docx(render(version, "en"))

    assert headings(document, 1) == ["Smart City Charter"]
    chapters = [chapter["title_en"] for chapter in version.content["chapters"]]
    assert headings(document, 2) == [
        "Contents",
        "Preamble",
        *[f"{number} {title}" for number, title in enumerate(chapters, start=1)],
        "Annex: sources of the recommendations",
    ]
    first_chapter = document.tables[1]
    assert has_header_row(first_chapter)
    assert table_rows(first_chapter) == [["No.", "Recommendation"], ["1.1", ENGLISH_WORDING]]
    missing = table_rows(document.tables[2])[1][1]
    assert missing.endswith("(no English wording yet; the German text is shown)")
    sources = document.tables[-1]
    assert table_rows(sources)[0] == ["No.", "Origin"]
    assert sources.rows[1].cells[1].paragraphs[0].style.name == "List Bullet"


def test_a_version_has_contents_header_footer_and_properties(version):
    document = open_docx(render(version, "de"))

    assert any(code.startswith("TOC") for code in field_codes(document.element.body))
    assert field_codes(document.sections[0].footer._element) == ["PAGE", "NUMPAGES"]
    version_line = german(
        "Version %(label)s – %(state)s", label="0.1", state=german("working draft")
    )
    pages = german("Page %(page)s of %(pages)s", page="{PAGE}", pages="{NUMPAGES}")
    assert footer_text(document) == f"{version_line} – {pages}"
    assert "ENTWURF" not in document.sections[0].header.paragraphs[0].text
    properties = document.core_properties
    assert properties.title == "Smart City Charta – " + german("Version %(label)s", label="0.1")
    assert properties.language == "de-DE"
    assert properties.created == version.frozen_at.replace(microsecond=0)
    paragraphs = styled_paragraphs(document)
    assert ("Normal", "Die Charta beschreibt Leitlinien für Kommunen.") in paragraphs
    assert "**" not in "".join(text for _style, text in paragraphs)


def test_both_languages_side_by_side(version):
    document = open_docx(render(version, "both"))

    first_chapter = next(
        t for t in document.tables if table_rows(t)[0][1:] == ["Deutsch", "English"]
    )
    assert table_rows(first_chapter)[1][:3] == [
        "1.1",
        "Kommunen entwickeln eine eigene Digitalstrategie mit messbaren Zielen.",
        ENGLISH_WORDING,
    ]
    assert headings(document, 1) == ["Smart City Charta\nSmart City Charter"]


def test_the_working_text_is_marked_as_a_draft(charter, version):
    document = open_docx(
        charter_docx(
            content.working_text(charter), language="en", state_label="Working text, not frozen"
        )
    )
    assert document.sections[0].header.paragraphs[0].text.endswith("· DRAFT")
    assert footer_text(document).startswith("Working text, not frozen – Page")


# --- the redline ------------------------------------------------------------------------------


def test_the_redline_tracks_each_changed_word_with_author_and_date(version, second, workshops):
    document = open_docx(redline(version, second))

    inserted, deleted = changes(document, "ins"), changes(document, "del")
    assert inserted and deleted
    for change in inserted + deleted:
        assert change["author"] == "Maria Muster"
        assert change["date"] == "2026-06-01T12:30:15Z"
    ids = [change["id"] for change in inserted + deleted]
    assert len(set(ids)) == len(ids)
    assert all(change["holds"] <= {"w:delText"} for change in deleted)
    assert all(change["holds"] <= {"w:t"} for change in inserted)
    inserted_texts = [change["text"] for change in inserted]
    deleted_texts = [change["text"] for change in deleted]
    # Word by word: of the reworded recommendation, "bauen" became "schaffen".
    assert "bauen" in deleted_texts and "schaffen" in inserted_texts
    assert "Verwaltungen" not in " ".join(deleted_texts)
    # Removed and added as a whole, and the preamble's new line with its paragraph mark.
    assert "Kleine Kommunen kooperieren bei der Beschaffung von IT." in deleted_texts
    assert "Kommunale Datenräume werden als offene Infrastruktur gefördert." in inserted_texts
    assert "Sie gilt für alle Kommunen." in inserted_texts
    assert "¶" in inserted_texts and "¶" in deleted_texts


def test_accepting_all_changes_gives_the_new_text_and_rejecting_the_old(version, second):
    document = open_docx(redline(version, second))
    old, new = clause_texts(version.content), clause_texts(second.content)
    everything = set(old) | set(new)

    accepted = resolved_paragraphs(document, accept=True)
    rejected = resolved_paragraphs(document, accept=False)

    assert [text for text in accepted if text in everything] == new
    # Moves are marked, not tracked: rejecting restores the old wording at the new places.
    assert sorted(text for text in rejected if text in everything) == sorted(old)
    new_preamble = second.content["charter"]["preamble_de"].split("\n")
    old_preamble = version.content["charter"]["preamble_de"].split("\n")
    assert accepted[accepted.index(new_preamble[0]) + 1] == new_preamble[1]
    assert old_preamble[0] in rejected and new_preamble[1] not in rejected


def test_the_redline_names_what_happened_to_each_recommendation(version, second):
    document = open_docx(redline(version, second, language="en"))

    # (python-docx reads no text inside w:ins and w:del: the paragraphs as Word shows them)
    accepted = resolved_paragraphs(document, accept=True)
    rejected = resolved_paragraphs(document, accept=False)
    assert "4.1 (changed)" in accepted
    assert "1.2 (moved from 2.1)" in accepted and "2.1 (moved from 2.1)" in rejected
    assert any(text.endswith("(new)") for text in accepted)
    assert not any(text.endswith("(new)") for text in rejected)
    assert any(text.endswith("(removed)") for text in rejected)
    assert not any(text.endswith("(removed)") for text in accepted)
    bullets = [text for style, text in styled_paragraphs(document) if style == "List Bullet"]
    assert "1 recommendation reworded" in bullets and "1 recommendation added" in bullets
    assert headings(document, 1) == ["Redline: version 0.1 → 0.2\nSmart City Charter"]
    assert document.core_properties.language == "en-GB"
    assert "DRAFT" not in document.sections[0].header.paragraphs[0].text


def test_libreoffice_reads_each_kind_of_charter_document(charter, version, second, tmp_path):
    working = content.working_text(charter)
    texts = converted_by_libreoffice(
        {
            "version-de": render(version, "de"),
            "version-both": render(version, "both"),
            "draft-en": charter_docx(working, language="en", state_label="Working text"),
            "redline-en": redline(version, second, language="en"),
        },
        tmp_path,
    )

    assert (
        "1.1 Kommunen entwickeln eine eigene Digitalstrategie mit messbaren Zielen."
        in (texts["version-de"])
    )
    assert "Die Charta beschreibt Leitlinien für Kommunen." in texts["version-de"]
    assert ENGLISH_WORDING in texts["version-both"]
    assert "Working text – Page 1 of" in texts["draft-en"]
    redline_text = texts["redline-en"]
    assert "Redline: version 0.1 → 0.2" in redline_text
    # LibreOffice prints the tracked changes as marked: deleted words too.
    assert "bauen" in redline_text and "schaffen" in redline_text
    assert "Kleine Kommunen kooperieren bei der Beschaffung von IT." in redline_text


# --- the downloads ----------------------------------------------------------------------------


def test_the_redline_download_is_tracked_by_who_downloads_it(
    client, staff, charter, version, second
):
    reading_english(staff)
    sign_in(client, staff.secretariat)

    response = client.get(f"/charters/{charter.id}/diff.docx?from=0.1&to=0.2&language=en")

    assert response.status_code == 200
    assert response.mimetype == MIME_TYPE
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="Smart-City-Charta-Vergleich-0.1-0.2.docx"'
    )
    document = open_docx(response.data)
    tracked = changes(document, "ins") + changes(document, "del")
    assert {change["author"] for change in tracked} == {"Test Secretariat"}
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", change["date"]) for change in tracked
    )
    assert document.core_properties.language == "en-GB"


def test_the_redline_against_the_working_text_in_german(client, staff, charter, version):
    sign_in(client, staff.organiser)

    response = client.get(f"/charters/{charter.id}/diff.docx?from=0.1&to=draft")

    assert response.status_code == 200
    assert (
        'filename="Smart-City-Charta-Vergleich-0.1-Entwurf.docx"'
        in (response.headers["Content-Disposition"])
    )
    document = open_docx(response.data)
    assert document.core_properties.language == "de-DE"
    assert german("Redline: version %(old)s → working text", old="0.1") in headings(document, 1)[0]
    assert client.get(f"/charters/{charter.id}/diff.docx?from=9.9&to=draft").status_code == 404
    assert client.get(f"/charters/{charter.id}/diff.docx?from=x").status_code == 422


def test_version_and_draft_downloads_in_the_language_asked_for(client, staff, charter, version):
    sign_in(client, staff.admin)

    english = client.get(f"/charters/{charter.id}/versions/0.1.docx?language=en")
    both = client.get(f"/charters/{charter.id}/versions/0.1.docx?language=both")
    draft = client.get(f"/charters/{charter.id}/draft.docx")

    assert english.status_code == both.status_code == draft.status_code == 200
    assert english.mimetype == MIME_TYPE
    assert (
        'filename="Smart-City-Charta-Fassung-0.1-en.docx"' in english.headers["Content-Disposition"]
    )
    assert open_docx(english.data).core_properties.language == "en-GB"
    assert 'filename="Smart-City-Charta-Entwurf-de.docx"' in draft.headers["Content-Disposition"]
    assert open_docx(draft.data).sections[0].header.paragraphs[0].text.endswith(german("DRAFT"))
    assert client.get(f"/charters/{charter.id}/versions/0.1.docx?language=fr").status_code == 404
    assert client.get(f"/charters/{charter.id}/versions/0.9.docx").status_code == 404


def test_visitors_get_no_charter_word_document(client, charter, version):
    for url in (
        f"/charters/{charter.id}/versions/0.1.docx",
        f"/charters/{charter.id}/draft.docx",
        f"/charters/{charter.id}/diff.docx?from=0.1&to=draft",
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_the_pages_offer_the_word_documents(client, staff, charter, version):
    reading_english(staff)
    sign_in(client, staff.secretariat)

    version_page = client.get(f"/charters/{charter.id}/versions/0.1").get_data(as_text=True)
    draft_page = client.get(f"/charters/{charter.id}").get_data(as_text=True)
    diff_page = client.get(f"/charters/{charter.id}/diff?from=0.1&to=draft").get_data(as_text=True)

    assert f"/charters/{charter.id}/versions/0.1.docx?language=both" in version_page
    assert "As Word document, German (.docx)" in version_page
    assert f'href="/charters/{charter.id}/draft.docx"' in draft_page
    assert "Redline as Word document with tracked changes (.docx)" in diff_page
    assert f"/charters/{charter.id}/diff.docx?from=0.1&amp;to=draft" in diff_page
