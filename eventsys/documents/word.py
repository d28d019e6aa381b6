"""Word documents (.docx) of our records, made with python-docx: what the minutes and the
charter share.

A document gets Word's own styles (Heading 1–6, List Bullet, List Number, Quote, Table Grid),
so that a ministry edits it as any other Word file: the navigation pane shows its structure, a
list goes on numbering when an item is added, and a table keeps its header row on every page.
`new_document` sets up A4 pages, the document's language (for Word's spelling check), its core
properties, and a header and a footer whose page numbers are Word fields ("Seite 2 von 7").

Markdown that users wrote is rendered as the PDFs render it (`eventsys.markup`), and the
resulting HTML, which holds only the few elements the sanitiser lets through, becomes Word
paragraphs, lists, tables and runs: the Word file and the PDF say the same, and neither shows
Markdown or HTML syntax.

Tracked changes (`TrackedChanges`) are built from the OOXML elements themselves, as python-docx
has no API for them: `w:ins` and `w:del` with their author and date, so that a reviewer can
accept or reject each change in Word.
"""

import copy
import functools
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

import docx
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from flask import Response, make_response
from flask_babel import gettext as _

from eventsys.markup import render_markdown

MIME_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The language tags Word's proofing tools know our documents' languages by.
WORD_LANGUAGES = {"de": "de-DE", "en": "en-GB"}

_LINK_COLOUR = RGBColor(0x05, 0x63, 0xC1)  # Word's own hyperlink blue
# Characters XML 1.0 cannot hold (lxml refuses them outright): control characters other than
# tab and line breaks, and the non-characters. A text typed or imported with one would make
# the whole document fail.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: object) -> str:
    """`text` with every character XML cannot hold replaced by U+FFFD, as the spreadsheets do."""
    return _NOT_IN_XML.sub("\ufffd", str(text))


@dataclass(frozen=True)
class DocumentFacts:
    """What a document says about itself: its core properties, header and footer.

    `title` and `subject` become the document's properties; `header` is printed at the top of
    every page, `footer` before the page number ("Fassung 0.2 – Seite 1 von 9")."""

    title: str
    language: str
    author: str
    header: str
    subject: str = ""
    footer: str = ""
    created: datetime | None = None
    draft: bool = False


def new_document(facts: DocumentFacts) -> Document:
    """An empty A4 document in `facts.language` ("de" or "en") with its properties, header and
    footer set. Call it in the document's language (`force_locale`): the page numbers' wording
    ("Seite 1 von 3") and the draft mark are read from the catalogue."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    _set_language(document, WORD_LANGUAGES.get(facts.language, "de-DE"))
    _set_properties(document, facts)
    header = facts.header + (f" · {_('DRAFT')}" if facts.draft else "")
    section.header.paragraphs[0].text = xml_text(header)
    set_style(section.header.paragraphs[0], "Header")
    footer = section.footer.paragraphs[0]
    set_style(footer, "Footer")
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if facts.footer:
        footer.add_run(xml_text(f"{facts.footer} – "))
    add_page_numbers(footer)
    return document


def _set_language(document: Document, tag: str) -> None:
    defaults = document.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr")[0]
    language = defaults.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        defaults.append(language)
    language.set(qn("w:val"), tag)
    language.set(qn("w:eastAsia"), tag)


def _set_properties(document: Document, facts: DocumentFacts) -> None:
    properties = document.core_properties
    created = (facts.created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    properties.title = xml_text(facts.title)
    properties.subject = xml_text(facts.subject)
    properties.author = xml_text(facts.author)
    properties.last_modified_by = xml_text(facts.author)
    properties.language = WORD_LANGUAGES.get(facts.language, "de-DE")
    properties.created = created
    properties.modified = created
    properties.revision = 1
    properties.comments = ""
    properties.keywords = ""


# Stand-ins for the two fields in the translated wording, which may put them in any order.
_PAGE_MARK, _PAGES_MARK = "{PAGE}", "{NUMPAGES}"
_MARKS = re.compile(r"(\{PAGE\}|\{NUMPAGES\})")


def add_page_numbers(paragraph: Paragraph) -> None:
    """ "Seite 2 von 7" ("Page 2 of 7") with the numbers as PAGE and NUMPAGES fields, which
    Word and LibreOffice fill in on every page."""
    wording = _("Page %(page)s of %(pages)s", page=_PAGE_MARK, pages=_PAGES_MARK)
    for part in _MARKS.split(wording):
        if part in (_PAGE_MARK, _PAGES_MARK):
            add_field(paragraph, part.strip("{}"), "1")
        elif part:
            paragraph.add_run(part)


def add_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (`instruction`, e.g. "PAGE") at the end of `paragraph`, showing `shown`
    until Word or LibreOffice computes it."""
    _field_character(paragraph, "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    paragraph.add_run()._r.append(code)
    _field_character(paragraph, "separate")
    paragraph.add_run(xml_text(shown))
    _field_character(paragraph, "end")


def add_field_over_paragraphs(container, instruction: str, shown: Sequence[str]) -> None:
    """A Word field whose result is several paragraphs (a table of contents, "TOC …"),
    showing the lines `shown` until Word computes it."""
    lines = list(shown) or [""]
    first = add_paragraph(container)
    _field_character(first, "begin")
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    first.add_run()._r.append(code)
    _field_character(first, "separate")
    paragraph = first
    for number, line in enumerate(lines):
        if number:
            paragraph = add_paragraph(container)
        paragraph.add_run(xml_text(line))
    _field_character(paragraph, "end")


def _field_character(paragraph: Paragraph, kind: str) -> None:
    character = OxmlElement("w:fldChar")
    character.set(qn("w:fldCharType"), kind)
    paragraph.add_run()._r.append(character)


def docx_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_response(data: bytes, filename: str) -> Response:
    """`data` as a download named `filename` (an ASCII name ending in .docx)."""
    response = make_response(data)
    response.headers["Content-Type"] = MIME_TYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def docx_filename(pdf_filename: str) -> str:
    """The Word file's name beside the PDF's: "Protokoll-…-Entwurf.pdf" → "….docx"."""
    stem = pdf_filename.removesuffix(".pdf")
    return f"{stem}.docx"


# --- blocks -----------------------------------------------------------------------------------


@functools.cache
def _style_ids() -> dict[str, str]:
    """The ids of the styles of python-docx's template, by name, which every document here
    starts from. (python-docx finds a style by name by reading every style, each time: a
    charter of thousands of recommendations would spend most of its time there.)"""
    return {style.name: style.style_id for style in docx.Document().styles}


def add_paragraph(container, text: str = "", style: str | None = None) -> Paragraph:
    """A paragraph of `text` in the style named `style` (Word's "List Bullet", …) at the end
    of `container` (a document, a table cell or a header)."""
    if isinstance(container, Document):
        paragraph = _add_body_paragraph(container)
        if text:
            paragraph.add_run(xml_text(text))
    else:
        paragraph = container.add_paragraph(xml_text(text))
    if style is not None:
        set_style(paragraph, style)
    return paragraph


def _add_body_paragraph(document: Document) -> Paragraph:
    """A paragraph at the end of the body, before its section properties. python-docx looks
    for those from the first paragraph on each time, which makes a long document take time
    quadratic in its length; they are the body's last element."""
    body = document.element.body
    element = OxmlElement("w:p")
    last = body[-1]
    if last.tag == qn("w:sectPr"):
        last.addprevious(element)
    else:
        body.append(element)
    return Paragraph(element, document._body)


def set_style(paragraph: Paragraph, style: str) -> None:
    """Give `paragraph` the style named `style`."""
    paragraph._p.style = _style_ids()[style]


def add_heading(container, text: str, level: int) -> Paragraph:
    """A paragraph in Word's "Heading `level`" style; a line break in `text` stays one."""
    paragraph = add_paragraph(container, style=f"Heading {level}")
    add_text(paragraph, text)
    return paragraph


def add_text(paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False) -> None:
    """`text` as runs of `paragraph`, its line breaks as Word line breaks."""
    _append_text(paragraph._p, text, bold=bold, italic=italic)


def _append_text(
    element, text: str, *, bold: bool = False, italic: bool = False, small: bool = False
) -> None:
    """Runs of `text` at the end of the paragraph `element`, written as elements directly:
    python-docx's run API costs about ten times as much, which a table of thousands of rows
    feels."""
    for number, line in enumerate(str(text).split("\n")):
        run = OxmlElement("w:r")
        if bold or italic or small:
            properties = OxmlElement("w:rPr")
            for tag, wanted in (("w:b", bold), ("w:i", italic)):
                if wanted:
                    properties.append(OxmlElement(tag))
            if small:
                size = OxmlElement("w:sz")
                size.set(qn("w:val"), "18")  # half-points: 9 pt
                properties.append(size)
            run.append(properties)
        if number:
            run.append(OxmlElement("w:br"))
        if line:
            content = OxmlElement("w:t")
            content.set(qn("xml:space"), "preserve")
            content.text = xml_text(line)
            run.append(content)
        element.append(run)


@dataclass
class Cell:
    """A table cell's content: lines of text, and under them notes in smaller italic type."""

    text: str
    notes: Sequence[str] = ()
    bold: bool = False


def add_table(
    container,
    rows: Iterable[Sequence[str | Cell]],
    *,
    header: Sequence[str] | None = None,
    widths: Sequence[float] | None = None,
) -> Table:
    """A table in Word's "Table Grid" style; `header` (when given) is its first row, repeated
    on every page the table runs over. `widths` are the columns' shares of the width."""
    rows = list(rows)
    columns = len(header) if header else max((len(row) for row in rows), default=1)
    table = container.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    if widths:
        _set_widths(table, widths)
    empty_row = table.add_row()._tr
    blank = copy.deepcopy(empty_row)
    if header:
        _repeat_as_header(empty_row)
        for cell, title in zip(empty_row.tc_lst, header, strict=True):
            _append_text(cell.p_lst[0], title, bold=True)
    for number, values in enumerate(rows):
        if number or header:
            row = copy.deepcopy(blank)
            table._tbl.append(row)
        else:
            row = empty_row
        for cell, value in zip(row.tc_lst, values, strict=False):
            _fill_cell(cell, value if isinstance(value, Cell) else Cell(value))
    if not header and not rows:
        table._tbl.remove(empty_row)
    return table


def _set_widths(table: Table, shares: Sequence[float]) -> None:
    total = sum(shares)
    width = Mm(160)  # A4 less the margins
    for column, share in zip(table.columns, shares, strict=True):
        column.width = int(width * share / total)


def _repeat_as_header(row) -> None:
    properties = row.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))


def _fill_cell(cell, content: Cell) -> None:
    """Write `content` into the table cell element `cell` (a w:tc with one empty paragraph)."""
    _append_text(cell.p_lst[0], content.text, bold=content.bold)
    for note in content.notes:
        paragraph = OxmlElement("w:p")
        _append_text(paragraph, note, italic=True, small=True)
        cell.append(paragraph)


def add_note(container, text: str) -> Paragraph:
    """A remark in smaller italic type (what the PDFs print as a note)."""
    paragraph = add_paragraph(container)
    run = paragraph.add_run(xml_text(text))
    run.italic = True
    run.font.size = Pt(9)
    return paragraph


# --- Markdown ---------------------------------------------------------------------------------


def add_markdown(container, text: str | None) -> None:
    """The Markdown `text` as Word paragraphs, headings, lists, quotes and tables at the end of
    `container` (a document or a table cell), with bold, italic, struck-through, code and
    links as runs. Raises MarkdownRejected for a text the PDFs would refuse too."""
    html = render_markdown(text)
    if not html:
        return
    writer = _HtmlToWord(container)
    writer.feed(str(html))
    writer.close()


_HEADINGS = {"h3": 3, "h4": 4, "h5": 5, "h6": 6}
_INLINE = {"strong": "bold", "em": "italic", "s": "strike", "code": "code"}


@dataclass
class _List:
    ordered: bool
    start: int
    number_id: int | None = None  # a numbering of its own, so that each list starts anew


@dataclass
class _TableBeingRead:
    rows: list[list[str]] = field(default_factory=list)
    header_rows: int = 0
    in_header: bool = False


class _HtmlToWord(HTMLParser):
    """The sanitised HTML of `render_markdown` (p, br, hr, em, strong, s, code, pre,
    blockquote, ul, ol, li, h3–h6, a, tables) as python-docx blocks and runs."""

    def __init__(self, container) -> None:
        super().__init__(convert_charrefs=True)
        self.container = container
        self.paragraph: Paragraph | None = None
        self.lists: list[_List] = []
        self.item_has_paragraph = False
        self.quotes = 0
        self.preformatted = False
        self.formatting: dict[str, int] = dict.fromkeys(_INLINE.values(), 0)
        self.link: str | None = None
        self.link_element = None
        self.at_line_start = True
        self.table: _TableBeingRead | None = None

    # Blocks

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.table is not None:
            self._table_tag(tag, start=True)
        elif tag in _HEADINGS:
            self._start_paragraph(f"Heading {_HEADINGS[tag]}")
        elif tag == "p":
            self._start_paragraph(self._paragraph_style())
        elif tag == "pre":
            self.preformatted = True
            self._start_paragraph("macro")
        elif tag in ("ul", "ol"):
            self._end_paragraph()
            start = int(attributes.get("start") or 1)
            self.lists.append(_List(ordered=tag == "ol", start=start))
        elif tag == "li":
            self.paragraph = None
            self.item_has_paragraph = False
        elif tag == "blockquote":
            self.paragraph = None
            self.quotes += 1
        elif tag == "br":
            self._line_break()
        elif tag == "hr":
            self._horizontal_rule()
        elif tag == "table":
            self.paragraph = None
            self.table = _TableBeingRead()
        elif tag in _INLINE:
            self.formatting[_INLINE[tag]] += 1
        elif tag == "a":
            self.link = attributes.get("href")

    def handle_endtag(self, tag: str) -> None:
        if self.table is not None:
            self._table_tag(tag, start=False)
        elif tag in (*_HEADINGS, "p", "li"):
            self._end_paragraph()
        elif tag == "pre":
            self.preformatted = False
            self._end_paragraph()
        elif tag in ("ul", "ol"):
            self.lists.pop()
            self._end_paragraph()
        elif tag == "blockquote":
            self.quotes -= 1
            self._end_paragraph()
        elif tag in _INLINE:
            self.formatting[_INLINE[tag]] -= 1
        elif tag == "a":
            self.link = None
            self.link_element = None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def _end_paragraph(self) -> None:
        """Close the paragraph being written, without the space the HTML had before its end."""
        if self.paragraph is not None and not self.preformatted:
            texts = self.paragraph._p.xpath(".//w:t")
            if texts and texts[-1].text:
                texts[-1].text = texts[-1].text.rstrip()
        self.paragraph = None

    def _paragraph_style(self) -> str | None:
        if self.lists:
            return None  # chosen when the paragraph starts (see _start_paragraph)
        return "Quote" if self.quotes else None

    def _start_paragraph(self, style: str | None) -> Paragraph:
        if self.lists and style is None:
            paragraph = self._list_paragraph()
        else:
            paragraph = add_paragraph(self.container, style=style)
        self.paragraph = paragraph
        self.at_line_start = True
        return paragraph

    def _list_paragraph(self) -> Paragraph:
        """The first paragraph of an item is numbered or bulleted; more paragraphs of the same
        item continue it ("List Continue")."""
        depth = min(len(self.lists), 3)
        suffix = f" {depth}" if depth > 1 else ""
        current = self.lists[-1]
        if self.item_has_paragraph:
            return add_paragraph(self.container, style=f"List Continue{suffix}")
        self.item_has_paragraph = True
        style = f"List Number{suffix}" if current.ordered else f"List Bullet{suffix}"
        paragraph = add_paragraph(self.container, style=style)
        if current.ordered:
            if current.number_id is None:
                current.number_id = _restarted_numbering(paragraph, style, current.start)
            properties = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            properties.get_or_add_ilvl().val = 0
            properties.get_or_add_numId().val = current.number_id
        return paragraph

    def _line_break(self) -> None:
        if self.paragraph is None:
            return
        self.paragraph.add_run().add_break()
        self.at_line_start = True

    def _horizontal_rule(self) -> None:
        self.paragraph = None
        paragraph = add_paragraph(self.container)
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for name, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "auto")):
            bottom.set(qn(f"w:{name}"), value)
        borders.append(bottom)
        paragraph._p.get_or_add_pPr().append(borders)

    # Text

    def handle_data(self, data: str) -> None:
        if self.table is not None:
            self._table_text(data)
            return
        if self.preformatted:
            lines = data.split("\n")
            if lines and lines[-1] == "":
                lines.pop()  # the line end before </code></pre>
            for number, line in enumerate(lines):
                if number:
                    self._line_break()
                self._run(line)
            return
        text = data.replace("\n", " ")
        if self.paragraph is None or self.at_line_start:
            text = text.lstrip()
        if not text:
            return
        if self.paragraph is None:
            self._start_paragraph(self._paragraph_style())
        self._run(text)

    def _run(self, text: str) -> None:
        if not text:
            return
        run = self.paragraph.add_run(xml_text(text))
        self.at_line_start = False
        run.bold = bool(self.formatting["bold"]) or None
        run.italic = bool(self.formatting["italic"]) or None
        if self.formatting["strike"]:
            run.font.strike = True
        if self.formatting["code"] or self.preformatted:
            run.font.name = "Courier New"
        if self.link:
            self._into_link(run)

    def _into_link(self, run: Run) -> None:
        """Put `run` inside a w:hyperlink pointing at the current link's address."""
        if self.link_element is None or self.link_element.getparent() is not self.paragraph._p:
            part = self.paragraph.part
            relationship = part.relate_to(self.link, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
            self.link_element = OxmlElement("w:hyperlink")
            self.link_element.set(qn("r:id"), relationship)
            self.paragraph._p.append(self.link_element)
        run.font.color.rgb = _LINK_COLOUR
        run.underline = True
        self.link_element.append(run._r)

    # Tables (Markdown tables: plain text per cell)

    def _table_tag(self, tag: str, *, start: bool) -> None:
        table = self.table
        if tag == "thead":
            table.in_header = start
        elif tag == "tr" and start:
            table.rows.append([])
            if table.in_header:
                table.header_rows += 1
        elif tag in ("td", "th") and start:
            table.rows[-1].append("")
        elif tag == "br" and start and table.rows and table.rows[-1]:
            table.rows[-1][-1] += "\n"
        elif tag == "table" and not start:
            self.table = None
            self._write_table(table)

    def _table_text(self, data: str) -> None:
        rows = self.table.rows
        if rows and rows[-1] and not data.isspace():
            rows[-1][-1] += data.replace("\n", " ")

    def _write_table(self, read: _TableBeingRead) -> None:
        if not read.rows:
            return
        header = read.rows[0] if read.header_rows else None
        body = read.rows[1:] if header else read.rows
        width = max(len(row) for row in read.rows)
        add_table(
            self.container,
            [_padded(row, width) for row in body],
            header=_padded(header, width) if header else None,
        )


def _padded(row: list[str], width: int) -> list[str]:
    return row + [""] * (width - len(row))


def _restarted_numbering(paragraph: Paragraph, style: str, start: int) -> int:
    """A new numbering (w:num) on the same definition as `style`'s, starting at `start`; its
    id."""
    part = paragraph.part
    numbering = part.numbering_part.element
    style_number = part.document.styles[style].element.xpath("w:pPr/w:numPr/w:numId/@w:val")[0]
    abstract = numbering.num_having_numId(int(style_number)).abstractNumId.val
    number = numbering.add_num(abstract)
    number.add_lvlOverride(ilvl=0).add_startOverride(start)
    return number.numId


# --- tracked changes --------------------------------------------------------------------------


@dataclass
class TrackedChanges:
    """Who made the changes and when, as Word records them (`w:author`, `w:date`), and the
    ids every change needs, unique in the document."""

    author: str
    at: datetime
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def date(self) -> str:
        """The time as Word writes it: ISO 8601 in UTC, whole seconds, "Z"."""
        return self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def mark(self, tag: str):
        """A new w:ins or w:del element carrying id, author and date."""
        element = OxmlElement(tag)
        element.set(qn("w:id"), str(next(self._ids)))
        element.set(qn("w:author"), self.author)
        element.set(qn("w:date"), self.date)
        return element


def add_tracked_text(
    container,
    segments: Sequence[tuple[str, str]],
    changes: TrackedChanges,
    *,
    style: str | None = None,
    paragraph: Paragraph | None = None,
) -> list[Paragraph]:
    """Segments of equal, inserted and deleted text ("equal", "insert", "delete", as
    `eventsys.charters.word_diff` makes them) as Word tracked changes: inserted text in `w:ins`,
    deleted text as `w:delText` in `w:del`. A line end starts a new paragraph; one inside an
    insertion or a deletion is tracked too (the paragraph mark inserted or deleted), so that
    accepting every change gives the newer text and rejecting every change the older. Goes on
    in `paragraph` when given, else starts a paragraph of `style`. Returns the paragraphs."""
    paragraphs = [paragraph or add_paragraph(container, style=style)]
    for kind, text in segments:
        for number, line in enumerate(text.replace("\r\n", "\n").split("\n")):
            if number:
                _mark_paragraph_end(paragraphs[-1], kind, changes)
                paragraphs.append(add_paragraph(container, style=style))
            if line:
                _tracked_run(paragraphs[-1], kind, line, changes)
    return paragraphs


def _tracked_run(paragraph: Paragraph, kind: str, text: str, changes: TrackedChanges) -> None:
    if kind == "equal":
        paragraph.add_run(xml_text(text))
        return
    run = OxmlElement("w:r")
    content = OxmlElement("w:delText" if kind == "delete" else "w:t")
    content.set(qn("xml:space"), "preserve")
    content.text = xml_text(text)
    run.append(content)
    mark = changes.mark("w:del" if kind == "delete" else "w:ins")
    mark.append(run)
    paragraph._p.append(mark)


def _mark_paragraph_end(paragraph: Paragraph, kind: str, changes: TrackedChanges) -> None:
    """Record that the end of `paragraph` (its mark) was inserted or deleted."""
    if kind == "equal":
        return
    properties = paragraph._p.get_or_add_pPr()
    run_properties = properties.find(qn("w:rPr"))
    if run_properties is None:
        run_properties = OxmlElement("w:rPr")
        properties.append(run_properties)
    run_properties.append(changes.mark("w:del" if kind == "delete" else "w:ins"))


def track_whole_paragraph(paragraph: Paragraph, kind: str, changes: TrackedChanges) -> None:
    """Mark all of `paragraph` (its text as written so far, and its mark) as inserted or
    deleted: a heading of a recommendation that was added or removed."""
    if kind == "equal":
        return
    for run in list(paragraph._p.r_lst):
        mark = changes.mark("w:del" if kind == "delete" else "w:ins")
        run.addprevious(mark)
        if kind == "delete":
            for text in run.findall(qn("w:t")):
                text.tag = qn("w:delText")
        mark.append(run)
    _mark_paragraph_end(paragraph, kind, changes)
