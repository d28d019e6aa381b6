"""The export of an expert's data as a readable PDF, with the same content as the JSON."""

from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale

from eventsys.documents.letterhead import letterhead
from eventsys.pdf.assets import asset_url
from eventsys.pdf.time_limit import render_pdf_within
from eventsys.privacy.readable import readable_sections


def export_pdf(export: dict, name: str, exported_at: datetime, language: str) -> bytes:
    """The tagged A4 PDF of `export` (see `export.expert_export`) in `language`, rendered in a
    child process stopped after PDF_TIME_LIMIT_SECONDS. (It is made while the admin waits, not
    prepared and kept like the other documents: it names the moment of the export and is a copy
    of personal data, so each one is made for its request and stored nowhere.)
    Raises PdfRenderingError (RenderingTimedOut when the limit is over)."""
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
    limit = float(current_app.config["PDF_TIME_LIMIT_SECONDS"])
    return render_pdf_within(limit, html, extra_asset_files=logo.extra_asset_files)
