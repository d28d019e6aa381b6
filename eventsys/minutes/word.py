"""The minutes as a Word document (.docx), for a ministry to edit: written from the same
snapshot and the same formatted facts as the PDF (`eventsys.minutes.document`), so that both say
the same.

Its structure is Word's: the title in Heading 1, the sections (attendance, agenda, each TOP) in
Heading 2 and their parts in Heading 3; attendance, decisions, action items and
recommendations as tables with a header row; the discussion's Markdown as Word paragraphs and
lists. A draft says so in the header of every page, as the PDF's watermark does.
"""

from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from eventsys.documents import word
from eventsys.markup import MarkdownRejected
from eventsys.minutes.document import Approval, minutes_context, minutes_filename
from eventsys.pdf import PdfRenderingError


def minutes_docx(content: dict[str, Any], *, language: str, approval: Approval | None) -> bytes:
    """The minutes `content` (a snapshot) as a .docx in `language` ("de" or "en"); a draft
    when `approval` is None. Raises PdfRenderingError, as the PDF would, when a text of the
    minutes cannot be shown (Markdown the editor should have refused)."""
    with force_locale(language):
        facts = minutes_context(content, language=language, approval=approval)
        document = word.new_document(
            word.DocumentFacts(
                title=facts["document_title"],
                subject=facts["version_line"],
                language=language,
                author=facts["author"],
                header=f"{facts['platform']} · {facts['document_title']}",
                footer=facts["session"]["title"],
                created=datetime.fromisoformat(facts["created"]) if facts["created"] else None,
                draft=facts["draft"],
            )
        )
        try:
            _write(document, facts)
        except MarkdownRejected as error:
            raise PdfRenderingError(str(error)) from error
        return word.docx_bytes(document)


def minutes_docx_filename(content: dict[str, Any], version_number: int | None) -> str:
    """The PDF's name with .docx: "Protokoll-2026-03-12-Plenum-Entwurf.docx"."""
    return word.docx_filename(minutes_filename(content, version_number))


def _write(document, facts: dict[str, Any]) -> None:
    session = facts["session"]
    word.add_heading(document, f"{_('Minutes of the session')}\n{session['title']}", 1)
    _facts_table(document, session, facts["version_line"])

    general = facts["general"]
    if general["opening"]:
        word.add_heading(document, _("Opening"), 2)
        word.add_markdown(document, general["opening"])

    _attendance(document, facts["attendance"])
    _agenda(document, facts["agenda"])
    if facts["open_action_items"]:
        _carried_over(document, facts["open_action_items"])
    for topic in facts["topics"]:
        _topic(document, topic)

    if general["closing"] or general["next_session_date"]:
        word.add_heading(document, _("Closing"), 2)
        word.add_markdown(document, general["closing"])
        if general["next_session_date"]:
            word.add_paragraph(
                document, _("Next session: %(date)s", date=general["next_session_date"])
            )
    word.add_text(word.add_paragraph(document), facts["version_line"], bold=True)


def _facts_table(document, session: dict[str, str], version_line: str) -> None:
    rows = [
        (_("Session"), session["kind"]),
        (_("Date"), session["date"]),
        (_("Time"), session["time"]),
        (_("Place"), session["place"]),
        (_("Version"), version_line),
    ]
    word.add_table(
        document,
        [(word.Cell(label, bold=True), value) for label, value in rows if value],
        widths=(1, 3),
    )


def _attendance(document, attendance: dict[str, Any]) -> None:
    word.add_heading(document, _("Attendance"), 2)
    word.add_paragraph(
        document,
        _(
            "Present: %(present)d · excused: %(excused)d",
            present=attendance["present"],
            excused=attendance["excused"],
        ),
    )
    if not attendance["groups"]:
        word.add_paragraph(document, _("No attendance was recorded."))
    for group in attendance["groups"]:
        word.add_heading(document, group.label, 3)
        word.add_table(
            document,
            [
                (
                    f"{person['name']} ({person['notes']})" if person["notes"] else person["name"],
                    person["organisation"],
                    person["status"],
                )
                for person in group.attendees
            ],
            header=(_("Name"), _("Organisation"), _("Status")),
            widths=(4, 4, 2),
        )


def _agenda(document, agenda: list[dict[str, Any]]) -> None:
    word.add_heading(document, _("Agenda"), 2)
    word.add_table(
        document,
        [
            (
                word.Cell(_("Item %(number)d", number=item["position"]), bold=True),
                f"{item['title']} ({item['presenter']})" if item["presenter"] else item["title"],
            )
            for item in agenda
        ],
        widths=(1, 6),
    )


def _carried_over(document, items: list[dict[str, Any]]) -> None:
    word.add_heading(document, _("Open action items from earlier sessions"), 2)
    word.add_table(
        document,
        [
            (
                item["number"],
                word.Cell(item["text"], notes=[item["origin"]]),
                item["owner"],
                item["due_date"],
                _carried_over_state(item),
            )
            for item in items
        ],
        header=(_("No."), _("Action item"), _("Responsible"), _("Due"), _("Status")),
        widths=(2, 5, 3, 2, 2),
    )


def _carried_over_state(item: dict[str, Any]) -> str:
    if not item["closed_here"]:
        return _("open")
    return f"{_('done')}: {item['closed_note']}" if item["closed_note"] else _("done")


def _topic(document, topic: dict[str, Any]) -> None:
    word.add_heading(
        document, f"{_('Item %(number)d', number=topic['position'])} – {topic['title']}", 2
    )
    word.add_markdown(document, topic["discussion"])
    if topic["decisions"]:
        word.add_heading(document, _("Decisions"), 3)
        word.add_table(
            document,
            [(decision["number"], decision["text"]) for decision in topic["decisions"]],
            header=(_("No."), _("Resolution")),
            widths=(1, 5),
        )
    if topic["action_items"]:
        word.add_heading(document, _("Action items"), 3)
        word.add_table(
            document,
            [
                (
                    item["number"],
                    word.Cell(item["text"], notes=[item["closed"]] if item["closed"] else []),
                    item["owner"],
                    item["due_date"],
                )
                for item in topic["action_items"]
            ],
            header=(_("No."), _("Action item"), _("Responsible"), _("Due")),
            widths=(2, 6, 3, 2),
        )
    if topic["recommendations"]:
        word.add_heading(document, _("Recommendations"), 3)
        word.add_table(
            document,
            [
                (recommendation["number"], _recommendation_cell(recommendation))
                for recommendation in topic["recommendations"]
            ],
            header=(_("No."), _("Recommendation")),
            widths=(1, 5),
        )


def _recommendation_cell(recommendation: dict[str, Any]) -> word.Cell:
    notes = [recommendation["guideline"]]
    if recommendation["actors"]:
        notes.append(_("Addressed to: %(actors)s", actors=recommendation["actors"]))
    return word.Cell(recommendation["text"], notes=notes)
