"""PDF documents: a renderer that reads nothing but our own assets (`rendering`, `fetcher`)."""

from eventsys.pdf.fetcher import ASSET_SCHEME, AssetFetcher, AssetRefused, asset_url
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
    "AssetFetcher",
    "AssetRefused",
    "AttachmentRelationship",
    "DocumentTooComplex",
    "DocumentTooLarge",
    "PdfAttachment",
    "PdfRenderingError",
    "asset_url",
    "render_pdf",
]
