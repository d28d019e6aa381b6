"""Reading Word documents back: with python-docx, as XML for tracked changes, and converted to
PDF by LibreOffice (an implementation independent of the one that wrote them)."""

import io
import os
import subprocess
from pathlib import Path

import docx
from docx.document import Document
from docx.oxml.ns import qn

from tests.pdf.pdf_contents import page_texts

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def open_docx(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def styled_paragraphs(document) -> list[tuple[str, str]]:
    """(style name, text) of every paragraph of the body, outside tables."""
    return [(paragraph.style.name, paragraph.text) for paragraph in document.paragraphs]


def headings(document, level: int) -> list[str]:
    return [text for style, text in styled_paragraphs(document) if style == f"Heading {level}"]


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def has_header_row(table) -> bool:
    """Whether the table's first row repeats as its header on every page (w:tblHeader)."""
    properties = table.rows[0]._tr.trPr
    return properties is not None and properties.find(qn("w:tblHeader")) is not None


def field_codes(part_element) -> list[str]:
    """The instructions of the Word fields in an element ("PAGE", "NUMPAGES")."""
    return [code.text.strip() for code in part_element.iter(f"{W}instrText")]


def footer_text(document) -> str:
    """The footer's text as printed before any field is computed, fields shown as {CODE}."""
    parts = []
    in_field = False
    for element in document.sections[0].footer._element.iter():
        if element.tag == f"{W}fldChar":
            kind = element.get(f"{W}fldCharType")
            if kind == "begin":
                in_field = True
            elif kind == "end":
                in_field = False
        elif element.tag == f"{W}instrText":
            parts.append("{" + element.text.strip() + "}")
        elif element.tag == f"{W}t" and not in_field:
            parts.append(element.text)
    return "".join(parts)


def resolved_paragraphs(document, *, accept: bool) -> list[str]:
    """The body's paragraphs (tables left out) as Word shows them after accepting every tracked
    change (`accept`) or rejecting every one: inserted text kept or dropped, deleted text
    dropped or kept, and a paragraph whose mark was deleted (accepting) or inserted (rejecting)
    joined to the next."""
    paragraphs: list[str] = []
    joined = ""
    for paragraph in document.element.body.iter(f"{W}p"):
        if paragraph.getparent().tag != f"{W}body":
            continue
        joined += "".join(_resolved_texts(paragraph, accept))
        if _mark_goes(paragraph, accept):
            continue
        paragraphs.append(joined)
        joined = ""
    if joined:
        paragraphs.append(joined)
    return paragraphs


def _resolved_texts(paragraph, accept: bool):
    for element in paragraph.iter(f"{W}t", f"{W}delText"):
        inside = {ancestor.tag for ancestor in element.iterancestors()}
        if element.tag == f"{W}t":
            if f"{W}ins" in inside and not accept:
                continue
            yield element.text or ""
        elif not accept:
            yield element.text or ""


def _mark_goes(paragraph, accept: bool) -> bool:
    marks = paragraph.find(f"{W}pPr/{W}rPr")
    if marks is None:
        return False
    gone = f"{W}del" if accept else f"{W}ins"
    return marks.find(gone) is not None


def changes(document, tag: str) -> list[dict[str, object]]:
    """Every w:ins or w:del ("ins", "del") of the body with its id, author, date and text (for
    a mark on a paragraph's end, text "¶"), and which text elements it holds ("w:t",
    "w:delText")."""
    found = []
    for element in document.element.body.iter(f"{W}{tag}"):
        texts = [node.text or "" for node in element.iter(f"{W}t", f"{W}delText")]
        in_mark = element.getparent().tag == f"{W}rPr"
        found.append(
            {
                "id": element.get(f"{W}id"),
                "author": element.get(f"{W}author"),
                "date": element.get(f"{W}date"),
                "text": "¶" if in_mark else "".join(texts),
                "holds": {
                    node.tag.replace(W, "w:") for node in element.iter(f"{W}t", f"{W}delText")
                },
            }
        )
    return found


def converted_by_libreoffice(documents: dict[str, bytes], directory: Path) -> dict[str, str]:
    """Each .docx (by name) converted to PDF by LibreOffice in one run, and the PDF's text,
    whitespace folded. The profile is private to `directory`, so that parallel tests do not
    share one."""
    sources = []
    for name, data in documents.items():
        path = directory / f"{name}.docx"
        path.write_bytes(data)
        sources.append(str(path))
    out = directory / "pdf"
    out.mkdir()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{directory}/profile",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *sources,
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(directory)},
    )
    return {
        name: " ".join(" ".join(page_texts((out / f"{name}.pdf").read_bytes())).split())
        for name in documents
    }
