"""Reading PDFs back with pypdf, an implementation independent of the one that wrote them."""

import io

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
