"""The sign-in sheet (Teilnehmerliste zum Unterschreiben) that lies at the door of an in-person
session: everyone expected, by name, with room for a signature, and blank rows for guests."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.documents.letterhead import letterhead
from eventsys.documents.names import name_sort_key
from eventsys.documents.preparation import DocumentRequest
from eventsys.documents.session_facts import session_data, session_facts
from eventsys.experts.models import Expert
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.services import invitations_of
from eventsys.invitations.states import AttendanceMode, Response
from eventsys.pdf import render_pdf
from eventsys.pdf.assets import asset_url
from eventsys.sessions.models import Session

#: Blank rows at the end of the list, for guests who come unannounced.
BLANK_ROWS = 6

# Who is expected at the door: listed and not excused (nor marked absent on the day).
_EXPECTED_STATUSES = (AttendanceStatus.EXPECTED, AttendanceStatus.PRESENT)
_EXPECTED_ANSWERS = (Response.ACCEPTED, Response.TENTATIVE)


@dataclass(frozen=True)
class SheetRow:
    name: str
    note: str
    organisation: str
    stakeholder_group: StakeholderGroup | None


def sign_in_sheet_pdf(session: Session, language: str) -> bytes:
    """The A4 sign-in sheet of `session` in `language` ("de" or "en"): the attendance list's
    expected and present attendees, or, before there is a list, those who accepted (also
    tentatively) and the deputies they named; sorted by surname. Those who said they would
    join online are left out, since they cannot sign. Raises PdfRenderingError."""
    sheet = sign_in_sheet_document(session, language)
    return render_pdf(sheet.html, extra_asset_files=dict(sheet.asset_files))


def sign_in_sheet_document(session: Session, language: str) -> DocumentRequest:
    """The sign-in sheet (see `sign_in_sheet_pdf`) as a document to prepare outside the
    request (see `eventsys.documents.preparation`), shown in the browser to print."""
    logo = letterhead()
    with force_locale(language):
        rows = sorted(expected_at_the_door(session), key=lambda row: name_sort_key(row.name))
        html = render_template(
            "attendance/pdf/sign_in_sheet.html",
            language=language,
            platform=current_app.config["PLATFORM_NAME"],
            logo_url=logo.logo_url,
            stylesheet_url=asset_url("minutes.css"),
            session=session_facts(session_data(session), kind=session.kind.label),
            rows=[
                {
                    "name": row.name,
                    "note": row.note,
                    "organisation": row.organisation,
                    "group": row.stakeholder_group.label if row.stakeholder_group else "",
                }
                for row in rows
            ],
            blank_rows=BLANK_ROWS,
        )
    return DocumentRequest(
        subject=f"sign-in-sheet:{session.id}:{language}",
        html=html,
        filename=f"sign-in-sheet-session-{session.id}.pdf",
        asset_files=logo.extra_asset_files,
        inline=True,
    )


def expected_at_the_door(session: Session) -> list[SheetRow]:
    """Everyone who should sign, unsorted: from the attendance list when the session has one,
    else from the answers to the invitations."""
    attendees = db.session.scalars(
        sa.select(Attendee)
        .where(Attendee.session_id == session.id)
        .options(
            selectinload(Attendee.expert).selectinload(Expert.organisation),
            selectinload(Attendee.deputy_for),
            selectinload(Attendee.invitation),
        )
    ).all()
    if attendees:
        return [
            _row_of_attendee(attendee)
            for attendee in attendees
            if attendee.status in _EXPECTED_STATUSES
            and not (attendee.invitation and _joins_online(attendee.invitation))
        ]
    invitations = invitations_of(session)
    deputy_for = {
        invitation.delegated_to_id: invitation.expert
        for invitation in invitations
        if invitation.delegated_to_id is not None
    }
    return [
        _row_of_expert(invitation.expert, deputy_for.get(invitation.id))
        for invitation in invitations
        if invitation.waitlisted_at is None
        and (invitation.response in _EXPECTED_ANSWERS or invitation.id in deputy_for)
        and not _joins_online(invitation)
    ]


def _joins_online(invitation: Invitation) -> bool:
    return invitation.attendance_mode is AttendanceMode.ONLINE


def _row_of_attendee(attendee: Attendee) -> SheetRow:
    if attendee.expert is not None:
        return _row_of_expert(attendee.expert, attendee.deputy_for)
    return SheetRow(
        attendee.guest_name, "", attendee.guest_organisation, attendee.guest_stakeholder_group
    )


def _row_of_expert(expert: Expert, deputy_for: Expert | None) -> SheetRow:
    # Surname first: the list is sorted by it, and people look for themselves by it.
    given = " ".join(part for part in (expert.title, expert.first_name) if part)
    note = _("deputy for %(name)s", name=deputy_for.full_name) if deputy_for else ""
    organisation = expert.organisation
    return SheetRow(
        f"{expert.last_name}, {given}" if given else expert.last_name,
        note,
        organisation.name if organisation else "",
        organisation.stakeholder_group if organisation else None,
    )
