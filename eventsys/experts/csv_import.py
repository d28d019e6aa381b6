"""Importing expert lists read from CSV files (`csv_reading`): experts are matched by e-mail
address, so importing a corrected file again updates them. Each row is applied in a savepoint
of its own and reported with its outcome.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.experts import checks, organisations, people, working_groups
from eventsys.experts.countries import country_code_from
from eventsys.experts.csv_reading import (
    COLUMN_LABELS,
    ExpertFile,
    ExpertRow,
    RowRejected,
    language_from,
    salutation_from,
    stakeholder_group_from,
    time_zone_from,
    working_group_names,
)
from eventsys.experts.models import Expert, Organisation
from eventsys.extensions import db
from eventsys.labels import LabelledEnum


class Outcome(LabelledEnum):
    CREATED = "created", _l("created")
    UPDATED = "updated", _l("updated")
    UNCHANGED = "unchanged", _l("unchanged")
    REJECTED = "rejected", _l("rejected")


@dataclass(frozen=True)
class RowResult:
    line: int
    email: str
    outcome: Outcome
    reason: str = ""


@dataclass
class ImportReport:
    dry_run: bool
    ignored_headings: tuple[str, ...] = ()
    rows: list[RowResult] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)

    @property
    def counts(self) -> dict[Outcome, int]:
        return {outcome: self.count(outcome) for outcome in Outcome}


# --- applying rows ------------------------------------------------------------------------------


def import_experts(
    expert_file: ExpertFile,
    dry_run: bool = False,
    on_row: Callable[[RowResult], None] | None = None,
) -> ImportReport:
    """Create or update an expert for every row of `expert_file` and report each row's outcome.

    Each row is applied in a savepoint of its own, so a rejected row leaves nothing behind. With
    `dry_run` the whole import is rolled back at the end, so the report says what an import
    would do and nothing is saved. The caller commits (or, after a dry run, may roll back).
    `on_row` is called after each row, e.g. to advance a progress bar.
    """
    report = ImportReport(dry_run=dry_run, ignored_headings=expert_file.ignored_headings)
    first_line_of: dict[str, int] = {}
    whole_import = db.session.begin_nested()
    try:
        for row in expert_file.rows:
            result = _import_row(row, expert_file.columns, first_line_of)
            report.rows.append(result)
            if on_row is not None:
                on_row(result)
    except BaseException:
        whole_import.rollback()
        raise
    if dry_run:
        whole_import.rollback()
    else:
        whole_import.commit()
    return report


def _import_row(
    row: ExpertRow, columns: tuple[str, ...], first_line_of: dict[str, int]
) -> RowResult:
    """Apply one row in a savepoint of its own; a refusal becomes a rejected result."""
    email = row.values.get("email", "").lower()
    try:
        if email in first_line_of:
            raise RowRejected(
                _(
                    "This e-mail address already appears in line %(line)d.",
                    line=first_line_of[email],
                )
            )
        with db.session.begin_nested():
            outcome, note = _apply_row(row.values, columns)
    except (RowRejected, checks.DirectoryError) as refusal:
        return RowResult(row.line, email, Outcome.REJECTED, str(refusal))
    first_line_of[email] = row.line
    return RowResult(row.line, email, outcome, note)


def _apply_row(values: dict[str, str], columns: tuple[str, ...]) -> tuple[Outcome, str]:
    """Create or update the expert a row describes; returns the outcome and a note for the
    report. Raises RowRejected or DirectoryError."""
    for column in ("email", "first_name", "last_name", "organisation"):
        if not values.get(column):
            raise RowRejected(
                _("%(field)s: please fill in this field.", field=COLUMN_LABELS[column])
            )
    organisation = _organisation_for(values)
    expert = people.find_expert_by_email(values["email"])
    given = {
        "first_name": values["first_name"],
        "last_name": values["last_name"],
        "email": values["email"],
        "organisation": organisation,
    }
    # An empty cell in an optional column clears salutation, title and function, but never the
    # language or time zone, which every expert must have.
    for column in ("title", "function"):
        if column in columns:
            given[column] = values.get(column, "")
    if "salutation" in columns:
        given["salutation"] = salutation_from(values.get("salutation", ""))
    if values.get("language"):
        given["language"] = language_from(values["language"])
    if values.get("timezone"):
        given["timezone"] = time_zone_from(values["timezone"])

    if expert is None:
        expert = people.create_expert(people.ExpertDetails(**given))
        outcome = Outcome.CREATED
    else:
        details = replace(people.ExpertDetails.of(expert), **given)
        changes = people.update_expert(expert, details)
        outcome = Outcome.UPDATED if changes else Outcome.UNCHANGED

    joined = bool(values.get("working_groups")) and _join_working_groups(
        expert, values["working_groups"]
    )
    if joined and outcome is Outcome.UNCHANGED:
        outcome = Outcome.UPDATED
    # Someone deactivated this expert on purpose, so the import leaves them so, and says it.
    note = "" if expert.active else _("The expert is inactive; the import does not reactivate.")
    return outcome, note


def _organisation_for(values: dict[str, str]) -> Organisation:
    """The organisation a row names, created if the row gives its stakeholder group."""
    name = values["organisation"]
    organisation = organisations.find_organisation_by_name(name)
    if organisation is not None:
        return organisation
    if not values.get("stakeholder_group"):
        raise RowRejected(
            _(
                'The organisation "%(name)s" is not in the directory yet. Please give its '
                "stakeholder group so that it can be created.",
                name=name,
            )
        )
    group = stakeholder_group_from(values["stakeholder_group"])
    country = None
    if values.get("country"):
        country = country_code_from(values["country"])
        if country is None:
            raise RowRejected(_('Unknown country "%(value)s".', value=values["country"]))
    return organisations.create_organisation(name, group, country)


def _join_working_groups(expert: Expert, text: str) -> bool:
    """Add `expert` to the working groups named in `text`, creating missing ones; True if the
    expert joined any. Memberships not named are kept."""
    groups = []
    for name in working_group_names(text):
        group = working_groups.find_working_group_by_name(name)
        if group is None:
            group = working_groups.create_working_group(name)
        groups.append(group)
    return bool(working_groups.add_to_working_groups(expert, groups))
