"""The export of an expert's data as a readable PDF, with the same content as the JSON."""

from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale

from eventsys.documents.letterhead import letterhead
from eventsys.pdf import render_pdf
from eventsys.pdf.fetcher import asset_url
from eventsys.privacy.readable import readable_sections


def export_pdf(export: dict, name: str, exported_at: datetime, language: str) -> bytes:
    """The tagged A4 PDF of `export` (see `export.expert_export`) in `language`.
    Raises PdfRenderingError."""
    logo = letterhead()
    with force_locale(language):
        html = render_template(
            "privacy/export_pdf.html",
            language=language,
            platform=current_app.config["PLATFORM_NAME"],
            logo_url=logo.logo_url,
            stylesheet_url=asset_url("minutes.css"),
            export=export,
            sections=readable_sections(export),
            name=name,
            exported_at=exported_at,
        )
    return render_pdf(html, extra_asset_files=logo.extra_asset_files)
