"""PDF documents: a renderer that reads nothing but our own assets (`rendering`, `fetcher`).

Importing this package does not import WeasyPrint (see `rendering`); `AssetFetcher` comes from
`eventsys.pdf.fetcher`, which does.
"""

from eventsys.pdf.assets import ASSET_SCHEME, AssetRefused, asset_url
from eventsys.pdf.rendering import (
    MAX_HTML_LENGTH,
    AttachmentRelationship,
    DocumentTooComplex,
    DocumentTooLarge,
    PdfAttachment,
    PdfRenderingError,
    render_pdf,
)

__all__ = [
    "ASSET_SCHEME",
    "MAX_HTML_LENGTH",
    "AssetRefused",
    "AttachmentRelationship",
    "DocumentTooComplex",
    "DocumentTooLarge",
    "PdfAttachment",
    "PdfRenderingError",
    "asset_url",
    "render_pdf",
]
