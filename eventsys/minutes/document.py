"""The minutes as a document: HTML from the snapshot (`eventsys.minutes.snapshot`), and the PDF.

A draft carries the watermark "ENTWURF" and is an ordinary tagged PDF. An approved version is
PDF/A-3u with the snapshot attached as `minutes.json` and the approval line printed; its HTML is
made at approval, and the PDF is rendered from it once, outside the request, and stored with the
version (see `eventsys.minutes.workflow.approve` and `eventsys.minutes.approved_pdf`).

Everything the document shows comes from the snapshot and the approval, never from the
database, so that a stored version renders the same in years.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from eventsys.attendance.states import AttendanceStatus
from eventsys.documents.downloads import ascii_slug
from eventsys.documents.letterhead import Letterhead, letterhead
from eventsys.documents.preparation import DocumentRequest
from eventsys.documents.session_facts import session_facts
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.i18n import format_local_date, local
from eventsys.markup import MarkdownRejected
from eventsys.pdf import AttachmentRelationship, PdfAttachment, PdfRenderingError, render_pdf
from eventsys.pdf.assets import asset_url
from eventsys.sessions.states import SessionKind

ATTACHMENT_NAME = "minutes.json"
_APPROVED_SUBJECT = re.compile(r"minutes-version:(\d+):(\d+)")

# Statuses the printed attendance list shows; "expected" and "absent" are not part of the
# record (those who did not come and did not excuse themselves are not named).
PRINTED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED)


@dataclass(frozen=True)
class Approval:
    """Who approved which version when; `reason` says why a correction was made."""

    version_number: int
    approved_at: datetime
    approved_by: str
    reason: str = ""


def minutes_html(content: dict[str, Any], *, language: str, approval: Approval | None) -> str:
    """The minutes as HTML for the PDF renderer, in `language` ("de" or "en"); a draft when
    `approval` is None. Raises PdfRenderingError when a text of the minutes cannot be shown
    (Markdown the editor should have refused)."""
    return _render_html(content, language, approval, letterhead())


def draft_document(content: dict[str, Any], *, session_id: int, language: str) -> DocumentRequest:
    """The draft with the watermark, as a document to prepare outside the request (see
    `eventsys.documents.preparation`); staff and readers in the same language share it. Raises
    PdfRenderingError when a text cannot be shown."""
    logo = letterhead()
    return DocumentRequest(
        subject=f"minutes-draft:{session_id}:{language}",
        html=_render_html(content, language, None, logo),
        filename=minutes_filename(content, None),
        asset_files=logo.extra_asset_files,
    )


def approved_subject(minutes_id: int, version_number: int) -> str:
    """What the rendering of an approved version is asked for under (one per version)."""
    return f"minutes-version:{minutes_id}:{version_number}"


def approved_version_of(subject: str) -> tuple[int, int] | None:
    """The minutes id and version number an `approved_subject` names; None for another."""
    found = _APPROVED_SUBJECT.fullmatch(subject)
    return (int(found[1]), int(found[2])) if found else None


def approved_document(
    content: dict[str, Any], *, minutes_id: int, approval: Approval, language: str
) -> DocumentRequest:
    """An approved version as the document to render once: PDF/A-3u with `content` attached as
    minutes.json and the approval line printed. Raises PdfRenderingError when a text of the
    minutes cannot be shown."""
    logo = letterhead()
    html = _render_html(content, language, approval, logo)
    with force_locale(language):
        description = _("The minutes as structured data (JSON)")
    attachment = PdfAttachment(
        ATTACHMENT_NAME,
        minutes_json(content),
        description=description,
        relationship=AttachmentRelationship.DATA,
    )
    return DocumentRequest(
        subject=approved_subject(minutes_id, approval.version_number),
        html=html,
        filename=minutes_filename(content, approval.version_number),
        asset_files=logo.extra_asset_files,
        archival=True,
        attachments=(attachment,),
    )


def minutes_pdf(content: dict[str, Any], *, language: str, approval: Approval | None) -> bytes:
    """The minutes as PDF, rendered now: a tagged draft with the watermark when `approval` is
    None, else the approved version as `approved_document` describes it. Raises
    PdfRenderingError."""
    if approval is None:
        logo = letterhead()
        html = _render_html(content, language, None, logo)
        return render_pdf(html, extra_asset_files=logo.extra_asset_files)
    approved = approved_document(
        content, minutes_id=content["minutes_id"], approval=approval, language=language
    )
    return render_pdf(
        approved.html,
        archival=True,
        attachments=approved.attachments,
        extra_asset_files=approved.asset_files,
    )


def _render_html(
    content: dict[str, Any], language: str, approval: Approval | None, logo: Letterhead
) -> str:
    with force_locale(language):
        try:
            return render_template(
                "minutes/pdf/minutes.html", **_minutes_context(content, language, approval, logo)
            )
        except MarkdownRejected as error:
            raise PdfRenderingError(str(error)) from error


def minutes_json(content: dict[str, Any]) -> bytes:
    """The snapshot as the UTF-8 JSON embedded in approved PDFs."""
    return json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True).encode() + b"\n"


def minutes_filename(content: dict[str, Any], version_number: int | None) -> str:
    """An ASCII file name such as "Protokoll-2026-03-12-Plenum-Fassung-2.pdf"; without a version
    number, "…-Entwurf.pdf". The name is German whatever the document's language, so that
    files of the same minutes sort together."""
    session = content["session"]
    day = local(datetime.fromisoformat(session["starts_at"])).date().isoformat()
    title = ascii_slug(session["title"])[:60].strip("-") or "Sitzung"
    suffix = f"Fassung-{version_number}" if version_number is not None else "Entwurf"
    return f"Protokoll-{day}-{title}-{suffix}.pdf"


# --- what the template gets -------------------------------------------------------------------


def minutes_context(
    content: dict[str, Any], *, language: str, approval: Approval | None
) -> dict[str, Any]:
    """What the minutes show, formatted in the current language (call it under
    `force_locale(language)`): what the PDF is rendered from, and the Word document too
    (`eventsys.minutes.word`), so that both say the same."""
    return _minutes_context(content, language, approval, letterhead())


def _minutes_context(
    content: dict[str, Any], language: str, approval: Approval | None, logo: Letterhead
) -> dict[str, Any]:
    session = content["session"]
    title = session["title"]
    return {
        "language": language,
        "platform": content["platform"],
        "logo_url": logo.logo_url,
        "stylesheet_url": asset_url("minutes.css"),
        "document_title": _("Minutes: %(title)s", title=title),
        "author": _("Secretariat – %(platform)s", platform=content["platform"]),
        "created": approval.approved_at.isoformat() if approval else None,
        "draft": approval is None,
        "session": session_facts(session, kind=SessionKind(session["kind"]).label),
        "version_line": _version_line(content, approval),
        "agenda": content["agenda"],
        "attendance": _attendance_groups(content["attendance"]),
        "general": {
            "opening": content["general"]["opening"],
            "closing": content["general"]["closing"],
            "next_session_date": _date(content["general"]["next_session_date"]),
        },
        "topics": [_topic(topic, language) for topic in content["topics"]],
        "open_action_items": [_carried_over(item) for item in content["open_action_items"]],
    }


def _version_line(content: dict[str, Any], approval: Approval | None) -> str:
    if approval is None:
        line = _("Draft of version %(number)d, not approved", number=content["version_number"])
        reason = content["correction_reason"]
    else:
        line = _(
            "Version %(number)d, approved on %(date)s by %(name)s",
            number=approval.version_number,
            date=format_local_date(approval.approved_at),
            name=approval.approved_by,
        )
        reason = approval.reason
    if reason:
        line += "; " + _("correction: %(reason)s", reason=reason)
    return line


@dataclass
class AttendanceGroup:
    label: str
    attendees: list[dict[str, Any]]


def _attendance_groups(attendance: list[dict[str, Any]]) -> dict[str, Any]:
    """Present and excused attendees by stakeholder group, in the groups' order (those without
    a group last), present before excused within a group."""
    printed = [entry for entry in attendance if entry["status"] in PRINTED_STATUSES]
    order = list(StakeholderGroup)
    groups: list[AttendanceGroup] = []
    for group in [*order, None]:
        key = group.value if group is not None else None
        members = [entry for entry in printed if entry["stakeholder_group"] == key]
        if not members:
            continue
        members.sort(key=lambda entry: entry["status"] != AttendanceStatus.PRESENT)
        label = group.label if group is not None else _("Other participants")
        groups.append(AttendanceGroup(label, [_attendee(entry) for entry in members]))
    return {
        "groups": groups,
        "present": sum(entry["status"] == AttendanceStatus.PRESENT for entry in printed),
        "excused": sum(entry["status"] == AttendanceStatus.EXCUSED for entry in printed),
    }


def _attendee(entry: dict[str, Any]) -> dict[str, Any]:
    notes = []
    if entry["deputy_for"]:
        notes.append(_("deputy for %(name)s", name=entry["deputy_for"]))
    if entry["guest"]:
        notes.append(_("guest"))
    return {
        "name": entry["name"],
        "notes": ", ".join(notes),
        "organisation": entry["organisation"],
        "status": AttendanceStatus(entry["status"]).label,
        "present": entry["status"] == AttendanceStatus.PRESENT,
    }


def _topic(topic: dict[str, Any], language: str) -> dict[str, Any]:
    return {
        "position": topic["position"],
        "title": topic["title"],
        "discussion": topic["discussion"],
        "decisions": topic["decisions"],
        "action_items": [_action_item(item) for item in topic["action_items"]],
        "recommendations": [
            _recommendation(recommendation, language) for recommendation in topic["recommendations"]
        ],
    }


def _action_item(item: dict[str, Any]) -> dict[str, Any]:
    closed = item["closed"]
    return {
        "number": item["number"],
        "text": item["text"],
        "owner": item["owner"],
        "due_date": _date(item["due_date"]),
        "closed": _(
            "done on %(date)s", date=format_local_date(datetime.fromisoformat(closed["at"]))
        )
        if closed
        else "",
    }


def _recommendation(recommendation: dict[str, Any], language: str) -> dict[str, Any]:
    guideline = recommendation["guideline"]
    title = guideline["title_en"] if language == "en" else guideline["title_de"]
    return {
        "number": recommendation["number"],
        "text": recommendation["text"],
        "guideline": _("Guideline %(number)d: %(title)s", number=guideline["number"], title=title),
        "actors": recommendation["actors"],
    }


def _carried_over(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "number": item["number"],
        "text": item["text"],
        "owner": item["owner"],
        "due_date": _date(item["due_date"]),
        "origin": _(
            "From: %(title)s (%(date)s)",
            title=item["session_title"],
            date=_date(item["session_date"]),
        ),
        "closed_here": item["closed_here"],
        "closed_note": item["closed_note"],
    }


def _date(iso_date: str | None) -> str:
    return format_local_date(date.fromisoformat(iso_date)) if iso_date else ""
