"""A charter as Word documents (.docx): a version or the working text, written from the same
text and formatted facts as its PDF (`eventsys.charters.document`), and the redline between two
texts with Word's tracked changes.

In the text, the charter's title is Heading 1, the preamble, each chapter and the annex
Heading 2; the recommendations are a table (number and wording; for "both" German and English
side by side), the preamble's and introductions' Markdown Word paragraphs and lists.

In the redline every changed word is a tracked change (`w:ins`, `w:del`) by whoever downloads
it, so that reviewers accept or reject each change in Word: accepting all gives the newer text's
wording, rejecting all the older's. A recommendation added or removed is inserted or deleted as
a whole, its heading included; a new number is a deleted old number and an inserted new one.
Moves are not tracked as moves: a moved recommendation stands at its new place, marked "moved
from" with its previous number, as on the diff page.
"""

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from eventsys.charters.diff import (
    ChapterChange,
    ChapterKind,
    CharterDiff,
    ClauseChange,
    ClauseKind,
    Removal,
    Summary,
)
from eventsys.charters.document import (
    charter_context,
    charter_filename,
    redline_filename,
    redline_heading,
    wording_language,
)
from eventsys.charters.word_diff import SegmentKind
from eventsys.database import utcnow
from eventsys.documents import word
from eventsys.i18n import format_local_date
from eventsys.markup import MarkdownRejected
from eventsys.pdf import PdfRenderingError

# The contents as a Word field: chapters (Heading 2) with their pages once Word updates it.
_CONTENTS_FIELD = 'TOC \\o "2-2" \\h \\z \\u'


def charter_docx(
    content: dict[str, Any],
    *,
    language: str,
    state_label: str,
    frozen_at: datetime | None = None,
) -> bytes:
    """The text `content` (a version's or the working text) as a .docx in `language` ("de",
    "en" or "both", German and English side by side). Raises PdfRenderingError, as the PDF
    would, for Markdown that cannot be shown."""
    worded_in = wording_language(language)
    with force_locale(worded_in):
        facts = charter_context(
            content, language=language, state_label=state_label, frozen_at=frozen_at
        )
        document = word.new_document(
            word.DocumentFacts(
                title=facts["document_title"],
                subject=facts["version_line"],
                language=worded_in,
                author=facts["author"],
                header=f"{facts['platform']} · {facts['title']}",
                footer=facts["version_line"],
                created=frozen_at,
                draft=facts["draft"],
            )
        )
        try:
            _write_text(document, facts)
        except MarkdownRejected as error:
            raise PdfRenderingError(str(error)) from error
        return word.docx_bytes(document)


def charter_docx_filename(content: dict[str, Any], language: str) -> str:
    """The PDF's name with .docx: "Smart-City-Charta-Fassung-0.2-de.docx"."""
    return word.docx_filename(charter_filename(content, language))


def _write_text(document, facts: dict[str, Any]) -> None:
    title = facts["title"] + (f"\n{facts['title_en']}" if facts["title_en"] else "")
    word.add_heading(document, title, 1)
    word.add_paragraph(document, facts["version_name"], style="Subtitle")
    word.add_table(
        document,
        [
            (word.Cell(_("Status"), bold=True), facts["state_label"]),
            (word.Cell(_("As of") if facts["draft"] else _("Frozen on"), bold=True), facts["date"]),
            (word.Cell(_("Published by"), bold=True), facts["platform"]),
        ],
        widths=(1, 3),
    )

    word.add_heading(document, _("Contents"), 2)
    _contents(document, facts)

    if facts["preamble"]["de"]:
        word.add_heading(document, _("Preamble"), 2)
        _bilingual_markdown(document, facts["preamble"], facts["both"])
    for chapter in facts["chapters"]:
        _chapter(document, chapter, facts["both"])
    if facts["sources"]:
        _sources(document, facts["sources"])


def _contents(document, facts: dict[str, Any]) -> None:
    """A table of contents as a Word field, showing the chapters until Word updates it (F9)
    with their pages."""
    entries = [f"{chapter['number']} {chapter['title']}" for chapter in facts["chapters"]]
    if facts["preamble"]["de"]:
        entries.insert(0, _("Preamble"))
    if facts["sources"]:
        entries.append(_("Annex: sources of the recommendations"))
    word.add_field_over_paragraphs(document, _CONTENTS_FIELD, entries)


def _english_missing(document) -> None:
    word.add_note(document, f"({_('no English wording yet; the German text is shown')})")


def _bilingual_markdown(document, text: dict[str, Any], both: bool) -> None:
    if not both:
        word.add_markdown(document, text["text"])
        if text["missing_en"]:
            _english_missing(document)
        return
    table = word.add_table(document, [("", "")], header=("Deutsch", "English"))
    german, english = table.rows[1].cells
    _markdown_in_cell(german, text["de"])
    if text["en"]:
        _markdown_in_cell(english, text["en"])
    else:
        _english_missing(english)


def _markdown_in_cell(cell, text: str) -> None:
    word.add_markdown(cell, text)
    if len(cell.paragraphs) > 1 and not cell.paragraphs[0].text:
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)


def _chapter(document, chapter: dict[str, Any], both: bool) -> None:
    title = f"{chapter['number']} {chapter['title']}"
    if chapter["title_en"]:
        title += f"\n{chapter['title_en']}"
    word.add_heading(document, title, 2)
    if chapter["introduction"]["de"]:
        _bilingual_markdown(document, chapter["introduction"], both)
    if not chapter["clauses"]:
        word.add_note(document, _("This chapter has no recommendations yet."))
        return
    if both:
        word.add_table(
            document,
            [
                (clause["number"], clause["de"], _english_or_german(clause))
                for clause in chapter["clauses"]
            ],
            header=(_("No."), "Deutsch", "English"),
            widths=(1, 5, 5),
        )
        return
    word.add_table(
        document,
        [(clause["number"], _clause_cell(clause)) for clause in chapter["clauses"]],
        header=(_("No."), _("Recommendation")),
        widths=(1, 8),
    )


def _english_or_german(clause: dict[str, Any]) -> word.Cell:
    if clause["en"]:
        return word.Cell(clause["en"])
    return word.Cell(
        clause["de"], notes=[f"({_('no English wording yet; the German text is shown')})"]
    )


def _clause_cell(clause: dict[str, Any]) -> word.Cell:
    if clause["missing_en"]:
        return word.Cell(
            clause["text"], notes=[f"({_('no English wording yet; the German text is shown')})"]
        )
    return word.Cell(clause["text"])


def _sources(document, sources: list[dict[str, Any]]) -> None:
    word.add_heading(document, _("Annex: sources of the recommendations"), 2)
    word.add_paragraph(
        document,
        _(
            "Each recommendation of the charter goes back to recommendations in the approved "
            "minutes of the platform’s sessions."
        ),
    )
    table = word.add_table(
        document,
        [(source["number"], "") for source in sources],
        header=(_("No."), _("Origin")),
        widths=(1, 8),
    )
    for row, source in zip(table.rows[1:], sources, strict=True):
        cell = row.cells[1]
        for number, origin in enumerate(source["origins"]):
            paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
            word.set_style(paragraph, "List Bullet")
            word.add_text(
                paragraph,
                f"{origin['number']} – {origin['session']}, {origin['date']}, "
                f"{origin['topic']}, {origin['minutes_version']}",
            )


# --- the redline ------------------------------------------------------------------------------


def redline_docx(
    changes: CharterDiff,
    new_content: dict[str, Any],
    *,
    language: str,
    author: str,
    at: datetime | None = None,
) -> bytes:
    """The redline from `changes.old_label` to the text `new_content` as a .docx in "de" or
    "en", every change a Word tracked change by `author` at `at` (now when None)."""
    if language not in ("de", "en"):
        raise ValueError(f"unknown document language {language!r}")
    at = at or utcnow()
    tracked = word.TrackedChanges(author=author, at=at)
    with force_locale(language):
        heading = redline_heading(changes)
        charter = new_content["charter"]
        title = (
            charter["title_en"] if language == "en" and charter["title_en"] else charter["title_de"]
        )
        platform = current_app.config["PLATFORM_NAME"]
        document = word.new_document(
            word.DocumentFacts(
                title=f"{title} – {heading}",
                subject=heading,
                language=language,
                author=_("Secretariat – %(platform)s", platform=platform),
                header=f"{platform} · {title}",
                footer=heading,
                created=at,
                draft=changes.new_label is None,
            )
        )
        word.add_heading(document, f"{heading}\n{title}", 1)
        word.add_note(document, _("As of %(date)s", date=format_local_date(at)))
        _summary(document, changes.summary)
        if changes.front_matter_changed(language):
            word.add_heading(document, _("Title and preamble"), 2)
            word.add_tracked_text(document, changes.title(language), tracked)
            if changes.preamble(language):
                word.add_tracked_text(document, changes.preamble(language), tracked)
        for chapter in changes.chapters:
            _chapter_changes(document, chapter, language, tracked)
        return word.docx_bytes(document)


def redline_docx_filename(content: dict[str, Any], old_label: str, new_label: str | None) -> str:
    """The PDF redline's name with .docx: "Smart-City-Charta-Vergleich-0.1-0.2.docx"."""
    return word.docx_filename(redline_filename(content, old_label, new_label))


def _summary(document, summary: Summary) -> None:
    word.add_heading(document, _("Summary"), 2)
    if summary.nothing_changed:
        word.add_paragraph(
            document,
            _("The two texts have the same recommendations in the same order and wording."),
        )
    lines = summary.sentences()
    for line in lines:
        word.add_paragraph(document, line, style="List Bullet")
    word.add_note(
        document,
        _(
            "Every change is a tracked change of Word: under Review you can accept or reject "
            "each one. Recommendations that moved are marked “moved from” with their previous "
            "number."
        ),
    )


def _chapter_changes(document, chapter: ChapterChange, language: str, tracked) -> None:
    heading = word.add_paragraph(document, style="Heading 2")
    word.add_text(
        heading, f"{_('Chapter %(number)s', number=chapter.new_number or chapter.old_number)}: "
    )
    word.add_tracked_text(document, chapter.title(language), tracked, paragraph=heading)
    status = _chapter_status(chapter)
    if status:
        word.add_text(heading, f" ({status})")
    whole = _whole_change(chapter.kind is ChapterKind.ADDED, chapter.kind is ChapterKind.REMOVED)
    word.track_whole_paragraph(heading, whole, tracked)
    if chapter.introduction_changed(language):
        for paragraph in word.add_tracked_text(document, chapter.introduction(language), tracked):
            word.track_whole_paragraph(paragraph, whole, tracked)
    if not chapter.clauses:
        word.add_note(document, _("This chapter has no recommendations in either text."))
    for clause in chapter.clauses:
        _clause_changes(document, clause, language, tracked)


def _whole_change(added: bool, removed: bool) -> str:
    if added:
        return SegmentKind.INSERT
    return SegmentKind.DELETE if removed else SegmentKind.EQUAL


def _chapter_status(chapter: ChapterChange) -> str:
    if chapter.kind is ChapterKind.ADDED:
        return _("new chapter")
    if chapter.kind is ChapterKind.REMOVED:
        return _("chapter removed")
    if chapter.old_number != chapter.new_number:
        return _("previously chapter %(number)s", number=chapter.old_number)
    if chapter.wording_changed:
        return _("title or introduction changed")
    return ""


def _clause_changes(document, clause: ClauseChange, language: str, tracked) -> None:
    whole = _whole_change(clause.kind is ClauseKind.ADDED, clause.kind is ClauseKind.REMOVED)
    heading = word.add_paragraph(document, style="Heading 3")
    if clause.renumbered:
        number = [(SegmentKind.DELETE, clause.old_number), (SegmentKind.INSERT, clause.new_number)]
    else:
        number = [(SegmentKind.EQUAL, clause.new_number or clause.old_number)]
    word.add_tracked_text(document, number, tracked, paragraph=heading)
    word.add_text(heading, f" ({clause_status(clause)})")
    word.track_whole_paragraph(heading, whole, tracked)
    for paragraph in word.add_tracked_text(document, clause.text(language), tracked):
        word.track_whole_paragraph(paragraph, whole, tracked)


def clause_status(clause: ClauseChange) -> str:
    """What happened to a recommendation, as the diff page says it ("moved from 1.2")."""
    if clause.kind is ClauseKind.ADDED:
        return _("new")
    if clause.kind is ClauseKind.REMOVED:
        return _removal_status(clause)
    if clause.kind is ClauseKind.MOVED:
        return _("moved from %(number)s", number=clause.old_number)
    if clause.kind is ClauseKind.MOVED_CHANGED:
        return _("moved from %(number)s and changed", number=clause.old_number)
    if clause.kind is ClauseKind.CHANGED:
        status = _("changed")
        if clause.renumbered:
            status += "; " + _("previously %(number)s", number=clause.old_number)
        return status
    if clause.renumbered:
        return _("unchanged; previously %(number)s", number=clause.old_number)
    return _("unchanged")


def _removal_status(clause: ClauseChange) -> str:
    if clause.removal is Removal.MERGED:
        if clause.merged_into_number:
            return _("removed – merged into %(number)s", number=clause.merged_into_number)
        return _("removed – merged into another recommendation")
    if clause.removal is Removal.SET_ASIDE:
        status = _("removed – set aside")
        return f"{status}: {clause.set_aside_reason}" if clause.set_aside_reason else status
    return _("removed")
