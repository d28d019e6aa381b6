"""All action items the list's filters find, as a spreadsheet: number, text, owner, due date,
state, the session and TOP they come from, and where, when and by whom they were closed; in
the reader's language and Berlin time, as an Excel workbook and as CSV for German Excel (both
made safe for spreadsheets)."""

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext as _

from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.localtime import from_utc, platform_zone_name
from eventsys.minutes.action_item_list import (
    ActionItemFilter,
    item_state,
    listed,
    platform_today,
    where_closed,
)
from eventsys.minutes.action_items import number
from eventsys.minutes.models import ActionItem
from eventsys.spreadsheets import excel_csv, xlsx_workbook

COLUMN_WIDTHS = (14, 60, 30, 12, 22, 40, 40, 18, 44, 40)


def action_items_table(filters: ActionItemFilter) -> tuple[list[str], Iterator[list[Any]]]:
    headings = [
        _("Number"), _("Action item"), _("Owner"), _("Due"), _("State"), _("Session"),
        _("TOP"), _("Closed at"), _("Closed"), _("Note on closing"),
    ]  # fmt: skip
    today = platform_today()
    zone = platform_zone_name()

    def row(item: ActionItem) -> list[Any]:
        topic = item.topic
        closed = not item.is_open
        return [
            number(item),
            item.text,
            item.owner_name,
            item.due_date or "",
            item_state(item, today).label,
            topic.minutes.session.title,
            f"{topic.position}. {topic.title}",
            from_utc(item.closed_at, zone).replace(tzinfo=None) if closed else "",
            where_closed(item) if closed else "",
            item.closed_note,
        ]

    items = db.session.scalars(listed(filters, today))
    return headings, (row(item) for item in items)


def action_items_file(filters: ActionItemFilter, kind: str) -> bytes:
    """The list as an XLSX (`kind` "xlsx") or CSV file."""
    headings, rows = action_items_table(filters)
    if kind == "xlsx":
        return xlsx_workbook(_("Action items"), headings, rows, column_widths=COLUMN_WIDTHS)
    return excel_csv(headings, rows, current_language())
