"""Reading PDFs back with pypdf and pikepdf, implementations independent of the one that wrote
them."""

import io
from dataclasses import dataclass

import pikepdf
from pypdf import PdfReader
from pypdf.generic import StreamObject


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def embedded_files(pdf: bytes) -> dict[str, list[bytes]]:
    """The files in the document's embedded-files name tree, by name."""
    return dict(reader(pdf).attachments)


def everything_readable(pdf: bytes) -> str:
    """The extracted text of every page, and every stream decoded (embedded files, attachments
    behind annotations, fonts, images…), and the raw file: where any content could hide."""
    document = reader(pdf)
    parts = [page.extract_text() for page in document.pages]
    for generation in document.xref.values():
        for number in generation:
            stored = document.get_object(number)
            if isinstance(stored, StreamObject):
                parts.append(stored.get_data().decode("latin-1"))
    parts.append(pdf.decode("latin-1"))
    return "\n".join(parts)


@dataclass(frozen=True)
class TaggedStructure:
    """What a reader of the PDF's logical structure (pikepdf, on top of qpdf) finds: the
    document's language and title settings, and every structure element's type and alt text."""

    language: str | None
    shows_title: bool
    marked: bool
    elements: list[tuple[str, str | None]]

    def types(self) -> set[str]:
        return {element_type for element_type, _alt in self.elements}


def tagged_structure(pdf: bytes) -> TaggedStructure:
    document = pikepdf.open(io.BytesIO(pdf))
    root = document.Root
    elements: list[tuple[str, str | None]] = []
    pending = [root.StructTreeRoot] if "/StructTreeRoot" in root else []
    while pending:
        node = pending.pop()
        if not isinstance(node, pikepdf.Dictionary):
            continue
        if "/S" in node:
            alt = str(node.Alt) if "/Alt" in node else None
            elements.append((str(node.S).lstrip("/"), alt))
        children = node.get("/K")
        if isinstance(children, pikepdf.Array):
            pending.extend(children)
        elif isinstance(children, pikepdf.Dictionary):
            pending.append(children)
    preferences = root.get("/ViewerPreferences", {})
    mark_info = root.get("/MarkInfo", {})
    return TaggedStructure(
        language=str(root.Lang) if "/Lang" in root else None,
        shows_title=bool(preferences.get("/DisplayDocTitle", False)),
        marked=bool(mark_info.get("/Marked", False)),
        elements=elements,
    )
