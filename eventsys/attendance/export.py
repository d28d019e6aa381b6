"""The attendance list (Teilnehmerliste) as a spreadsheet: the attendees the list page's
filters find, all pages, with organisation, stakeholder group, whom a deputy stands in for,
their state and when it was marked, in the reader's language and Berlin time; as an Excel
workbook and as CSV for German Excel (both made safe for spreadsheets)."""

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _

from eventsys.attendance.models import Attendee
from eventsys.attendance.services import AttendeeFilter, listed
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.localtime import from_utc, platform_zone_name
from eventsys.sessions.models import Session
from eventsys.spreadsheets import excel_csv, xlsx_workbook

COLUMN_WIDTHS = (30, 34, 30, 28, 14, 18, 10)


def attendance_table(
    session: Session, filters: AttendeeFilter
) -> tuple[list[str], Iterator[list[Any]]]:
    headings = [
        _("Name"), _("Organisation"), _("Stakeholder group"), _("Deputy for"),
        _("Status"), _("Marked at"), _("Listed as"),
    ]  # fmt: skip
    zone = platform_zone_name()
    expert, guest = _("Expert"), _("Guest")

    def row(attendee: Attendee) -> list[Any]:
        group = attendee.stakeholder_group
        principal = attendee.deputy_for
        return [
            attendee.display_name,
            attendee.organisation_name,
            group.label if group is not None else "",
            principal.full_name if principal is not None else "",
            attendee.status.label,
            from_utc(attendee.marked_at, zone).replace(tzinfo=None) if attendee.marked_at else "",
            guest if attendee.is_guest else expert,
        ]

    attendees = db.session.scalars(listed(session, filters))
    return headings, (row(attendee) for attendee in attendees)


def attendance_file(session: Session, filters: AttendeeFilter, kind: str) -> bytes:
    """The list as an XLSX (`kind` "xlsx") or CSV file."""
    headings, rows = attendance_table(session, filters)
    if kind == "xlsx":
        return xlsx_workbook(_("Attendance"), headings, rows, column_widths=COLUMN_WIDTHS)
    return excel_csv(headings, rows, current_language())
