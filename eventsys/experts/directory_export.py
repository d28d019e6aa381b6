"""The expert directory as a spreadsheet: the experts the directory page's filters find, with
organisation, stakeholder group, working groups, language and deputy, in the reader's
language, as an Excel workbook and as CSV for German Excel (both made safe for spreadsheets,
see `eventsys.spreadsheets`).

Read with two queries (the experts with their organisation and deputy, their working groups) as
plain rows, not as model objects, so that the whole national
directory of 10,000 experts is written in about a second.
"""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.experts.countries import country_name
from eventsys.experts.models import Expert, Organisation, WorkingGroup, working_group_members
from eventsys.experts.salutations import Salutation
from eventsys.experts.search import ExpertSearch, matching
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.experts.time_zones import zone_label
from eventsys.extensions import db
from eventsys.i18n import current_language
from eventsys.spreadsheets import excel_csv, xlsx_workbook

LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
COLUMN_WIDTHS = (10, 14, 20, 24, 34, 34, 24, 16, 28, 40, 10, 24, 28, 34, 10)


def directory_table(criteria: ExpertSearch) -> tuple[list[str], Iterator[list[Any]]]:
    """The headings and rows of the directory list: the experts matching `criteria`, by name."""
    headings = [
        _("Salutation"), _("Title"), _("First name"), _("Last name"), _("E-mail address"),
        _("Organisation"), _("Stakeholder group"), _("Country"), _("Function"),
        _("Working groups"), _("Preferred language"), _("Time zone"), _("Deputy"),
        _("Deputy's e-mail address"), _("Status"),
    ]  # fmt: skip
    groups = _working_groups(criteria)
    language = current_language()
    active, inactive = _("active"), _("inactive")
    rows = (
        [
            Salutation(row.salutation).label,
            row.title,
            row.first_name,
            row.last_name,
            row.email,
            row.organisation,
            StakeholderGroup(row.stakeholder_group).label,
            country_name(row.country) if row.country else "",
            row.function,
            ", ".join(groups.get(row.id, ())),
            LANGUAGE_NAMES.get(row.language, row.language),
            zone_label(row.timezone, language),
            " ".join(part for part in (row.deputy_first_name, row.deputy_last_name) if part),
            row.deputy_email or "",
            active if row.active else inactive,
        ]
        for row in db.session.execute(_experts(criteria))
    )
    return headings, rows


def _experts(criteria: ExpertSearch) -> sa.Select:
    deputy = aliased(Expert)
    return matching(
        sa.select(
            Expert.id,
            Expert.salutation,
            Expert.title,
            Expert.first_name,
            Expert.last_name,
            Expert.email,
            Organisation.name.label("organisation"),
            Organisation.stakeholder_group,
            Organisation.country,
            Expert.function,
            Expert.language,
            Expert.timezone,
            Expert.active,
            deputy.first_name.label("deputy_first_name"),
            deputy.last_name.label("deputy_last_name"),
            deputy.email.label("deputy_email"),
        )
        .select_from(Expert)
        .join(Expert.organisation)
        .outerjoin(deputy, deputy.id == Expert.deputy_id)
        .order_by(Expert.sort_key, Expert.id),
        criteria,
    )


def _working_groups(criteria: ExpertSearch) -> dict[int, list[str]]:
    """The names of the working groups of each expert matching `criteria`, by name."""
    chosen = matching(sa.select(Expert.id).join(Expert.organisation), criteria)
    names: dict[int, list[str]] = defaultdict(list)
    for expert_id, name in db.session.execute(
        sa.select(working_group_members.c.expert_id, WorkingGroup.name)
        .join(WorkingGroup, WorkingGroup.id == working_group_members.c.working_group_id)
        .where(working_group_members.c.expert_id.in_(chosen))
        .order_by(WorkingGroup.name)
    ):
        names[expert_id].append(name)
    return names


def directory_file(criteria: ExpertSearch, kind: str) -> tuple[bytes, int]:
    """The directory list as an XLSX (`kind` "xlsx") or CSV file, and how many experts it
    holds."""
    headings, rows = directory_table(criteria)
    counted = _Counted(rows)
    if kind == "xlsx":
        data = xlsx_workbook(_("Experts"), headings, counted, column_widths=COLUMN_WIDTHS)
    else:
        data = excel_csv(headings, counted, current_language())
    return data, counted.count


class _Counted:
    """The rows as they pass, counted."""

    def __init__(self, rows: Iterator[list[Any]]) -> None:
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[list[Any]]:
        for row in self._rows:
            self.count += 1
            yield row


def record_export(user: User, criteria: ExpertSearch, kind: str, count: int) -> None:
    """Note in the audit trail who took the directory's personal data away, how much of it and
    with which filters (for the data-protection officer); the caller commits."""
    filters = {
        "text": criteria.text,
        "stakeholder_group": criteria.stakeholder_group and criteria.stakeholder_group.value,
        "organisation_id": criteria.organisation_id,
        "working_group_id": criteria.working_group_id,
        "status": criteria.status.value,
    }
    audit.record(
        "experts.directory_exported",
        user,
        f"Expert directory exported as {kind.upper()}: {count} experts",
        {"format": kind, "experts": count, "filters": filters},
    )
