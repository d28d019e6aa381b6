"""HTML to PDF: tagged, A4, with metadata from the HTML, optionally PDF/A-3 with attachments.

Every PDF gets `eventsys/static/pdf/base.css` first (A4, margins, fonts, footer, watermark); a
template's own `<style>` comes later and wins. What a template controls:

- Title, author and language from `<title>`, `<meta name="author" content="…">` and
  `<html lang="de">`.
- The footer "Seite 1 von 3" / "Page 1 of 3": `<body data-page-label="Seite"
  data-page-of-label="von">`. The words are plain attribute values, so the template escapes them
  as usual and no CSS quoting is involved.
- A draft watermark, a large diagonal word on every page: `<body class="draft"
  data-watermark="ENTWURF">`.
- Assets by the `asset:` scheme (see `eventsys.pdf.fetcher`): `<img src="asset:logo.svg">`.

WeasyPrint reads nothing but those assets. Rendering takes about six seconds per megabyte of HTML
here, which is why input is capped at `MAX_HTML_LENGTH`; user text reaches templates only through
`eventsys.markup`, which caps its length and nesting.
"""

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from eventsys.pdf.assets import DOCUMENT_BASE_URL, asset_url

if TYPE_CHECKING:
    import pydyf
    from weasyprint.document import Document

#: The longest HTML (in characters) `render_pdf` accepts; that much ordinary text takes about
#: 12 seconds to render here.
MAX_HTML_LENGTH = 2_000_000

BASE_STYLESHEET = "base.css"

# PDF/A-3 allows attachments of any type (PDF/A-2 only PDF/A files). Level U claims that all text
# maps to Unicode, which WeasyPrint's embedded fonts provide; level A would also claim a complete
# logical structure, which nobody has checked WeasyPrint's tags for (we still ask for tags).
_ARCHIVAL_VARIANT = "pdf/a-3u"


class PdfRenderingError(Exception):
    """The HTML could not be turned into a PDF."""


class DocumentTooLarge(PdfRenderingError):
    """The HTML is longer than `MAX_HTML_LENGTH` characters."""


class DocumentTooComplex(PdfRenderingError):
    """The HTML nests too deeply (or is otherwise too complex) for the renderer."""


class AttachmentRelationship(StrEnum):
    """How an attachment relates to the PDF (PDF/A-3 `AFRelationship`)."""

    DATA = "Data"  # the data the document shows, e.g. the minutes as JSON
    SOURCE = "Source"  # what the document was made from
    ALTERNATIVE = "Alternative"  # the same content in another form
    SUPPLEMENT = "Supplement"
    UNSPECIFIED = "Unspecified"


@dataclass(frozen=True)
class PdfAttachment:
    """A file to embed in the PDF. Its media type follows the file name's suffix, e.g. `.json`
    gives application/json."""

    filename: str
    content: bytes
    description: str = ""
    relationship: AttachmentRelationship = AttachmentRelationship.DATA


def render_pdf(
    html: str,
    *,
    archival: bool = False,
    attachments: Sequence[PdfAttachment] = (),
    extra_asset_files: Mapping[str, Path] | None = None,
) -> bytes:
    """Render `html` to a tagged A4 PDF and return its bytes.

    `archival` makes it PDF/A-3u, where the attachments become associated files with their
    relationship; otherwise they are plain embedded files. `extra_asset_files` adds or replaces
    assets by name, e.g. `{"logo.svg": instance_logo_path}`.

    Raises DocumentTooLarge, DocumentTooComplex or PdfRenderingError (all PdfRenderingError),
    and ValueError for an unusable asset name.
    """
    if len(html) > MAX_HTML_LENGTH:
        raise DocumentTooLarge(
            f"HTML has {len(html)} characters; at most {MAX_HTML_LENGTH} can be rendered"
        )
    # WeasyPrint is imported by the first rendering, not with this module: importing it takes
    # half a second, which every process that never renders (a reply taken in by
    # `flask replies ingest`, a CLI command) would otherwise pay at start.
    from weasyprint import CSS, HTML, Attachment
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetchingError

    from eventsys.pdf.fetcher import AssetFetcher

    fetcher = AssetFetcher(extra_asset_files)
    font_config = FontConfiguration()
    # Attachment dates are written with a "Z" suffix, so they must be UTC.
    now = datetime.now(UTC)
    embedded = [
        Attachment(
            string=attachment.content,
            name=attachment.filename,
            description=attachment.description,
            relationship=attachment.relationship.value,
            created=now,
            modified=now,
            url_fetcher=fetcher,
        )
        for attachment in attachments
    ]
    variant = _ARCHIVAL_VARIANT if archival else None
    try:
        base_css = CSS(url=asset_url(BASE_STYLESHEET), url_fetcher=fetcher, font_config=font_config)
        document = HTML(string=html, base_url=DOCUMENT_BASE_URL, url_fetcher=fetcher)
        with warnings.catch_warnings():
            # For PDF/A, WeasyPrint 70 opens its own sRGB profile and never closes the file;
            # the warning would only tell us about WeasyPrint (and fails tests run with -W error).
            warnings.filterwarnings(
                "ignore", r"unclosed file .*sRGB2014\.icc", category=ResourceWarning
            )
            return document.write_pdf(
                font_config=font_config,
                stylesheets=[base_css],
                attachments=embedded,
                pdf_tags=True,
                pdf_variant=variant,
                finisher=_list_associated_files_once,
            )
    except RecursionError as error:
        # WeasyPrint lays out nested boxes recursively; about 130 levels exhaust the stack.
        raise DocumentTooComplex("HTML nests too deeply to be rendered") from error
    except URLFetchingError as error:
        # Most failed fetches only leave a resource out, but a few (such as @color-profile)
        # abort the whole rendering.
        raise PdfRenderingError(f"A resource the HTML needs was refused: {error}") from error


def _list_associated_files_once(document: "Document", pdf: "pydyf.PDF") -> None:
    import pydyf

    # WeasyPrint's PDF/A-3 step lists every attachment twice in the catalogue's /AF array (once
    # from the name tree, once from the file specifications); each file belongs there once.
    if "AF" in pdf.catalog:
        pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
