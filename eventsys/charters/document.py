"""A charter as a document: the PDF of a frozen version or of the working text, in German, in
English or both side by side, and the redline between two texts.

Everything the document shows comes from the text's JSON (see `content.py`), never from the
database, so that a version prints the same in years. A text that is not frozen carries the
watermark "ENTWURF" like draft minutes.
"""

from datetime import datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.charters.diff import CharterDiff
from eventsys.database import utcnow
from eventsys.documents.downloads import ascii_slug
from eventsys.documents.letterhead import letterhead
from eventsys.documents.preparation import DocumentRequest
from eventsys.i18n import format_local_date
from eventsys.markup import MarkdownRejected
from eventsys.pdf import PdfRenderingError, render_pdf
from eventsys.pdf.assets import asset_url

LANGUAGES = ("de", "en", "both")
# What the documents call a text that is not frozen, where a version names its state.
WORKING_TEXT_LABEL = _l("Working text, not frozen")


def charter_html(
    content: dict[str, Any],
    *,
    language: str,
    state_label: str,
    frozen_at: datetime | None = None,
) -> str:
    """The text as HTML for the PDF renderer. `language` is "de", "en" or "both" (German and
    English side by side, the document's own wording in German). `state_label` names the
    version's state; a lazy string is read in the document's language. Raises
    PdfRenderingError for Markdown the renderer refuses."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown document language {language!r}")
    logo = letterhead()
    with force_locale(_wording_language(language)):
        try:
            return render_template(
                "charters/pdf/charter.html",
                **_charter_context(content, language, str(state_label), frozen_at, logo.logo_url),
            )
        except MarkdownRejected as error:
            raise PdfRenderingError(str(error)) from error


def charter_pdf(
    content: dict[str, Any],
    *,
    language: str,
    state_label: str,
    frozen_at: datetime | None = None,
) -> bytes:
    """The text as a tagged A4 PDF: title page, contents, preamble, chapters with their
    numbered recommendations, the annex of sources, and "Fassung 0.2 – Arbeitsentwurf –
    Seite 1 von 9" on every page. Raises PdfRenderingError."""
    html = charter_html(content, language=language, state_label=state_label, frozen_at=frozen_at)
    return render_pdf(html, extra_asset_files=letterhead().extra_asset_files)


def charter_document(
    content: dict[str, Any],
    *,
    subject: str,
    language: str,
    state_label: str,
    frozen_at: datetime | None = None,
) -> DocumentRequest:
    """The text as a document to prepare outside the request (see
    `eventsys.documents.preparation`), the PDF `charter_pdf` would give. `subject` names the
    text ("charter-version:7:de"). Raises PdfRenderingError."""
    return DocumentRequest(
        subject=subject,
        html=charter_html(content, language=language, state_label=state_label, frozen_at=frozen_at),
        filename=charter_filename(content, language),
        asset_files=letterhead().extra_asset_files,
    )


def charter_filename(content: dict[str, Any], language: str) -> str:
    """An ASCII file name such as "Smart-City-Charta-Fassung-0.2-de.pdf" ("…-Entwurf-de.pdf"
    for the working text). German whatever the language, so that the files sort together."""
    title = ascii_slug(content["charter"]["title_de"])[:60].strip("-") or "Charta"
    version = content.get("version")
    state = f"Fassung-{version['label']}" if version else "Entwurf"
    return f"{title}-{state}-{language}.pdf"


def redline_html(changes: CharterDiff, new_content: dict[str, Any], *, language: str) -> str:
    """The redline from `changes.old_label` to the text `new_content` as HTML for the
    renderer, in "de" or "en". Raises PdfRenderingError for text the renderer refuses."""
    if language not in ("de", "en"):
        raise ValueError(f"unknown document language {language!r}")
    logo = letterhead()
    with force_locale(language):
        return render_template(
            "charters/pdf/redline.html",
            language=language,
            changes=changes,
            charter_title=_pick(new_content["charter"], "title", language),
            heading=redline_heading(changes),
            platform=current_app.config["PLATFORM_NAME"],
            logo_url=logo.logo_url,
            stylesheets=[asset_url("minutes.css"), asset_url("charter.css")],
            author=_("Secretariat – %(platform)s", platform=current_app.config["PLATFORM_NAME"]),
            date=format_local_date(utcnow()),
            draft=changes.new_label is None,
        )


def redline_pdf(changes: CharterDiff, new_content: dict[str, Any], *, language: str) -> bytes:
    """The redline as a tagged A4 PDF with page numbers. Raises PdfRenderingError."""
    html = redline_html(changes, new_content, language=language)
    return render_pdf(html, extra_asset_files=letterhead().extra_asset_files)


def redline_document(
    changes: CharterDiff, new_content: dict[str, Any], *, subject: str, language: str
) -> DocumentRequest:
    """The redline as a document to prepare outside the request. Raises PdfRenderingError."""
    return DocumentRequest(
        subject=subject,
        html=redline_html(changes, new_content, language=language),
        filename=redline_filename(new_content, changes.old_label or "", changes.new_label),
        asset_files=letterhead().extra_asset_files,
    )


def redline_heading(changes: CharterDiff) -> str:
    """ "Redline version 0.1 → 0.2", or "… → working text", in the current language."""
    if changes.new_label is None:
        return _("Redline: version %(old)s → working text", old=changes.old_label)
    return _("Redline: version %(old)s → %(new)s", old=changes.old_label, new=changes.new_label)


def redline_filename(content: dict[str, Any], old_label: str, new_label: str | None) -> str:
    """E.g. "Smart-City-Charta-Vergleich-0.1-0.2.pdf" ("…-0.1-Entwurf.pdf" against the working
    text)."""
    title = ascii_slug(content["charter"]["title_de"])[:60].strip("-") or "Charta"
    return f"{title}-Vergleich-{old_label}-{new_label or 'Entwurf'}.pdf"


# --- what the template gets -------------------------------------------------------------------


def charter_context(
    content: dict[str, Any],
    *,
    language: str,
    state_label: str,
    frozen_at: datetime | None = None,
) -> dict[str, Any]:
    """What the text's document shows, formatted in the current language (call it under
    `force_locale`, in the document's wording language): what the PDF is rendered from, and
    the Word document too (`eventsys.charters.word`), so that both say the same."""
    return _charter_context(content, language, str(state_label), frozen_at, letterhead().logo_url)


def wording_language(language: str) -> str:
    """The language a document in `language` ("de", "en" or "both") is worded in."""
    return _wording_language(language)


def _wording_language(language: str) -> str:
    return "de" if language == "both" else language


def _charter_context(
    content: dict[str, Any],
    language: str,
    state_label: str,
    frozen_at: datetime | None,
    logo_url: str,
) -> dict[str, Any]:
    charter = content["charter"]
    version = content.get("version")
    title = _pick(charter, "title", language)
    if version:
        version_line = _("Version %(label)s – %(state)s", label=version["label"], state=state_label)
        version_name = _("Version %(label)s", label=version["label"])
    else:
        version_line = version_name = state_label
    platform = current_app.config["PLATFORM_NAME"]
    return {
        "language": language,
        "html_language": _wording_language(language),
        "both": language == "both",
        "platform": platform,
        "logo_url": logo_url,
        "stylesheets": [asset_url("minutes.css"), asset_url("charter.css")],
        "document_title": f"{title} – {version_name}",
        "author": _("Secretariat – %(platform)s", platform=platform),
        "created": frozen_at.isoformat() if frozen_at else None,
        "draft": version is None,
        "title": title,
        "title_en": charter["title_en"] if language == "both" else "",
        "version_name": version_name,
        "version_line": version_line,
        "state_label": state_label,
        "date": format_local_date(frozen_at or utcnow()),
        "preamble": _bilingual(charter, "preamble", language),
        "chapters": [_chapter(chapter, language) for chapter in content["chapters"]],
        "sources": [
            {"number": clause["number"], "origins": [_origin(origin) for origin in origins]}
            for chapter in content["chapters"]
            for clause in chapter["clauses"]
            if (origins := clause["origins"])
        ],
    }


def _pick(record: dict[str, Any], name: str, language: str) -> str:
    """The English text where asked for and written, else the German."""
    if language == "en" and record.get(f"{name}_en"):
        return record[f"{name}_en"]
    return record[f"{name}_de"]


def _bilingual(record: dict[str, Any], name: str, language: str) -> dict[str, Any]:
    """A text in the document's language ("text"), or for "both" German and English ("de",
    "en"); `missing_en` tells that English was wanted but not written, so German stands in."""
    german, english = record[f"{name}_de"] or "", record[f"{name}_en"] or ""
    return {
        "text": english if language == "en" and english else german,
        "de": german,
        "en": english,
        "missing_en": language in ("en", "both") and bool(german) and not english,
    }


def _chapter(chapter: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "number": chapter["number"],
        "anchor": f"chapter-{chapter['number']}",
        "title": _pick(chapter, "title", language),
        "title_en": chapter["title_en"] if language == "both" else "",
        "introduction": _bilingual(chapter, "introduction", language),
        "clauses": [
            {"number": clause["number"], **_bilingual(clause, "text", language)}
            for clause in chapter["clauses"]
        ],
    }


def _origin(origin: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": origin["recommendation_number"],
        "session": origin["session_title"],
        "date": format_local_date(datetime.fromisoformat(origin["session_starts_at"])),
        "topic": f"TOP {origin['topic_position']} – {origin['topic_title']}",
        "minutes_version": _("minutes version %(number)d", number=origin["minutes_version_number"]),
    }
