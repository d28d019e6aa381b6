"""Importing expert lists read from CSV files (`csv_reading`): experts are matched by e-mail
address, so importing a corrected file again updates them. Each row is reported with its
outcome; a row that is refused leaves nothing behind.

The import is built for files of ten thousand rows: the experts the file names, the
organisations and the working groups are loaded once; every row is checked in Python against
what was loaded; new experts are inserted a batch at a time (one flush per batch, not per row).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from itertools import islice
from types import SimpleNamespace

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from eventsys.audit import services as audit
from eventsys.database import utcnow
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
from eventsys.experts.models import (
    Expert,
    Organisation,
    WorkingGroup,
    expert_sort_key,
    working_group_members,
)
from eventsys.experts.people import ExpertDetails
from eventsys.experts.stakeholders import StakeholderGroup
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

    def as_data(self) -> dict:
        """The report as JSON-ready data, to be kept with the import job."""
        return {
            "dry_run": self.dry_run,
            "ignored_headings": list(self.ignored_headings),
            "rows": [[row.line, row.email, row.outcome.value, row.reason] for row in self.rows],
        }

    @classmethod
    def from_data(cls, data: dict) -> "ImportReport":
        return cls(
            dry_run=bool(data.get("dry_run")),
            ignored_headings=tuple(data.get("ignored_headings", ())),
            rows=[
                RowResult(line, email, Outcome(outcome), reason)
                for line, email, outcome, reason in data.get("rows", ())
            ],
        )

    @property
    def counts(self) -> dict[Outcome, int]:
        return {outcome: self.count(outcome) for outcome in Outcome}


# --- applying rows ------------------------------------------------------------------------------

# New experts are inserted this many at a time: large enough that a flush costs little per row,
# small enough that progress is seen and memory stays flat.
BATCH_SIZE = 500
# E-mail addresses looked up in one query (an IN list every database takes).
LOOKUP_CHUNK = 500


def _chunks(values: list[str], size: int) -> Iterable[list[str]]:
    items = iter(values)
    while chunk := list(islice(items, size)):
        yield chunk


class _Directory:
    """What the rows are checked against, loaded once: the experts the file names (by e-mail
    address), every organisation and working group (by name in any letter case); kept up to
    date as the import adds to them."""

    def __init__(self, emails: Iterable[str]) -> None:
        self.experts: dict[str, Expert] = {}
        for chunk in _chunks(sorted({email for email in emails if email}), LOOKUP_CHUNK):
            found = db.session.scalars(
                sa.select(Expert)
                .where(Expert.email.in_(chunk))
                .options(
                    selectinload(Expert.organisation),
                    selectinload(Expert.deputy),
                    selectinload(Expert.working_groups),
                )
            )
            self.experts.update((expert.email, expert) for expert in found)
        self.organisations = {
            organisation.name.casefold(): organisation
            for organisation in db.session.scalars(sa.select(Organisation))
        }
        self.working_groups = {
            group.name.casefold(): group for group in db.session.scalars(sa.select(WorkingGroup))
        }

    def expert(self, email: str) -> Expert | None:
        return self.experts.get(email.strip().lower())

    def organisation(self, name: str) -> Organisation | None:
        return self.organisations.get(name.strip().casefold())


@dataclass
class _Batch:
    """New organisations and experts waiting for the batch's write, with the working groups
    each expert joins."""

    created: list[tuple[ExpertDetails, list[WorkingGroup]]] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)

    def write(self) -> None:
        """Insert the batch's organisations (one flush), its experts, their memberships and
        all their audit entries (one multi-row statement each)."""
        if not self.created and not self.organisations:
            return
        db.session.flush()
        rows = [_expert_row(details) for details, _groups in self.created]
        ids = []
        if rows:
            # One multi-row INSERT, then the ids by address (RETURNING in the order of the rows
            # would make SQLite insert them one by one).
            db.session.execute(sa.insert(Expert), rows)
            emails = [row["email"] for row in rows]
            id_of = dict(
                db.session.execute(
                    sa.select(Expert.email, Expert.id).where(Expert.email.in_(emails))
                ).all()
            )
            ids = [id_of[email] for email in emails]
        memberships = [
            {"working_group_id": group.id, "expert_id": expert_id}
            for expert_id, (_details, groups) in zip(ids, self.created, strict=True)
            for group in groups
        ]
        if memberships:
            db.session.execute(sa.insert(working_group_members), memberships)
        entries = [organisations.creation_audit(new) for new in self.organisations]
        for expert_id, row, (_details, groups) in zip(ids, rows, self.created, strict=True):
            email = row["email"]
            values = audit.snapshot(SimpleNamespace(**row), people.EXPERT_AUDIT_FIELDS)
            entries.append(
                (
                    "expert.created",
                    Expert.__tablename__,
                    expert_id,
                    f"Expert {email} created",
                    audit.diff({}, values),
                )
            )
            if groups:
                entries.append(
                    (
                        "expert.working_groups_joined",
                        Expert.__tablename__,
                        expert_id,
                        f"Expert {email} joined {', '.join(group.name for group in groups)}",
                        {"working_groups": [[], sorted(group.name for group in groups)]},
                    )
                )
        audit.record_many(entries)
        self.created.clear()
        self.organisations.clear()


def _expert_row(details: ExpertDetails) -> dict:
    """A new active expert as a row of the experts table (what `people.apply_details` and the
    model's defaults give one made one at a time)."""
    now = utcnow()
    return {
        "salutation": details.salutation,
        "title": details.title,
        "first_name": details.first_name,
        "last_name": details.last_name,
        "sort_key": expert_sort_key(details.last_name, details.first_name),
        "email": details.email,
        "organisation_id": details.organisation.id,
        "function": details.function,
        "language": details.language,
        "timezone": details.timezone,
        "deputy_id": details.deputy.id if details.deputy is not None else None,
        "active": True,
        "created_at": now,
        "updated_at": now,
    }


def import_experts(
    expert_file: ExpertFile,
    dry_run: bool = False,
    on_row: Callable[[RowResult], None] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update an expert for every row of `expert_file` and report each row's outcome.

    A refused row leaves nothing behind (it is checked before anything of it is saved). With
    `dry_run` the whole import is rolled back at the end, so the report says what an import
    would do and nothing is saved; otherwise the caller commits. `on_row` is called after each
    row (e.g. to advance a progress bar); `on_batch` after each batch has been written, with
    the number of rows done, where the caller may commit (the background job does, so that its
    progress is seen).
    """
    report = ImportReport(dry_run=dry_run, ignored_headings=expert_file.ignored_headings)
    directory = _Directory(row.values.get("email", "").lower() for row in expert_file.rows)
    first_line_of: dict[str, int] = {}
    batch = _Batch()
    whole_import = db.session.begin_nested() if dry_run else None
    try:
        # No query in between may flush a half-built batch row by row.
        with db.session.no_autoflush:
            for done, row in enumerate(expert_file.rows, start=1):
                result = _import_row(row, expert_file.columns, first_line_of, directory, batch)
                report.rows.append(result)
                if on_row is not None:
                    on_row(result)
                if done % BATCH_SIZE == 0:
                    batch.write()
                    if on_batch is not None:
                        on_batch(done)
            batch.write()
    except BaseException:
        if whole_import is not None:
            whole_import.rollback()
        raise
    if whole_import is not None:
        whole_import.rollback()
    if on_batch is not None:
        on_batch(len(expert_file.rows))
    return report


def _import_row(
    row: ExpertRow,
    columns: tuple[str, ...],
    first_line_of: dict[str, int],
    directory: _Directory,
    batch: _Batch,
) -> RowResult:
    """Apply one row; a refusal becomes a rejected result and leaves nothing behind."""
    email = row.values.get("email", "").lower()
    try:
        if email in first_line_of:
            raise RowRejected(
                _(
                    "This e-mail address already appears in line %(line)d.",
                    line=first_line_of[email],
                )
            )
        outcome, note = _apply_row(row.values, columns, directory, batch)
    except (RowRejected, checks.DirectoryError) as refusal:
        return RowResult(row.line, email, Outcome.REJECTED, str(refusal))
    first_line_of[email] = row.line
    return RowResult(row.line, email, outcome, note)


def _apply_row(
    values: dict[str, str], columns: tuple[str, ...], directory: _Directory, batch: _Batch
) -> tuple[Outcome, str]:
    """Create or update the expert a row describes; returns the outcome and a note for the
    report. Everything is checked before anything is changed. Raises RowRejected or
    DirectoryError."""
    for column in ("email", "first_name", "last_name", "organisation"):
        if not values.get(column):
            raise RowRejected(
                _("%(field)s: please fill in this field.", field=COLUMN_LABELS[column])
            )
    expert = directory.expert(values["email"])
    # Read before anything is created, so that a refused row creates nothing.
    language = language_from(values["language"]) if values.get("language") else None
    timezone = time_zone_from(values["timezone"]) if values.get("timezone") else None
    salutation = salutation_from(values.get("salutation", "")) if "salutation" in columns else None
    group_names = working_group_names(values.get("working_groups", ""))
    for name in group_names:
        if name.strip().casefold() not in directory.working_groups:
            checks.checked_line(
                name, _l("Name"), "name", checks.max_length(WorkingGroup.name), required=True
            )
    organisation = directory.organisation(values["organisation"])
    new_organisation = None
    if organisation is None:
        new_organisation = _new_organisation_facts(values)
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
    if salutation is not None:
        given["salutation"] = salutation
    if language is not None:
        given["language"] = language
    if timezone is not None:
        given["timezone"] = timezone

    # The organisation is needed only to pass the check; the one to create stands in for it.
    placeholder = organisation or Organisation(name=values["organisation"])
    if expert is None:
        details = ExpertDetails(**(given | {"organisation": placeholder}))
    else:
        details = replace(ExpertDetails.of(expert), **(given | {"organisation": placeholder}))
    details = people.checked_details(details, current=expert, namesake_of=directory.expert)
    if new_organisation is not None:
        organisation = organisations.add_unflushed_organisation(
            *new_organisation, namesake_of=directory.organisation
        )
        directory.organisations[organisation.name.casefold()] = organisation
        batch.organisations.append(organisation)
    details = replace(details, organisation=organisation)
    groups = _working_groups_named(group_names, directory)

    if expert is None:
        # (A later row with the same address is refused by its line; see `_import_row`.)
        batch.created.append((details, groups))
        return Outcome.CREATED, ""

    before = audit.snapshot(expert, people.EXPERT_AUDIT_FIELDS)
    people.apply_details(expert, details)
    changed = False
    if db.session.is_modified(expert):
        db.session.flush()  # rare next to new rows; the audit trail needs the new ids
        changes = audit.diff(before, audit.snapshot(expert, people.EXPERT_AUDIT_FIELDS))
        if changes:
            audit.record("expert.updated", expert, f"Expert {expert.email} changed", changes)
            changed = True
    joined = bool(groups) and bool(working_groups.add_to_working_groups(expert, groups))
    outcome = Outcome.UPDATED if changed or joined else Outcome.UNCHANGED
    # Someone deactivated this expert on purpose, so the import leaves them so, and says it.
    note = "" if expert.active else _("The expert is inactive; the import does not reactivate.")
    return outcome, note


def _new_organisation_facts(values: dict[str, str]) -> tuple[str, StakeholderGroup, str | None]:
    """Name, stakeholder group and country of the organisation a row names that is not in the
    directory yet; raises RowRejected when the row does not say enough to create it."""
    name = values["organisation"]
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
    # The name, group and country are checked here, before the row's expert is created.
    organisations.check_organisation(name, group, country, None, namesake_of=lambda _name: None)
    return name, group, country


def _working_groups_named(names: list[str], directory: _Directory) -> list[WorkingGroup]:
    """The working groups called `names`, created where missing."""
    groups: dict[int, WorkingGroup] = {}
    for name in names:
        group = directory.working_groups.get(name.strip().casefold())
        if group is None:
            group = working_groups.create_working_group(name)
            directory.working_groups[group.name.casefold()] = group
        groups[group.id] = group
    return list(groups.values())
