"""Handing a document to the browser: the PDF response and ASCII file names."""

import re
import unicodedata

from flask import Response, make_response


def pdf_response(
    pdf: bytes, filename: str, *, inline: bool = False, etag: str | None = None
) -> Response:
    """`pdf` as a download named `filename` (an ASCII name, see `ascii_slug`); shown in the
    browser instead when `inline`."""
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    if etag:
        response.set_etag(etag)
    return response


_GERMAN_LETTERS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss", "ẞ": "SS"}
)


def ascii_slug(text: str) -> str:
    """Letters, digits and hyphens only: umlauts spelt out, other accents dropped."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_GERMAN_LETTERS))
    ascii_text = decomposed.encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-")
