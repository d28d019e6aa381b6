"""Importing expert lists from CSV files, as spreadsheets export them.

Both UTF-8 (with or without byte-order mark) and the Windows-1252, semicolon-separated files
that a German Excel writes are read. Column headings may be German or English. Experts are
matched by e-mail address, so importing a corrected file again updates them.
"""

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.experts import checks, organisations, people, working_groups
from eventsys.experts.countries import country_code_from
from eventsys.experts.models import Expert, Organisation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.labels import LabelledEnum
from eventsys.localtime import known_time_zones

DELIMITERS = (",", ";", "\t")
REQUIRED_COLUMNS = ("email", "first_name", "last_name", "organisation")

# The headings each column may carry, compared without case, spaces, hyphens or underscores.
COLUMN_HEADINGS = {
    "email": ("E-Mail", "E-Mail-Adresse", "Mail", "Email address", "E-mail address"),
    "first_name": ("Vorname", "First name", "Given name", "Forename"),
    "last_name": ("Nachname", "Name", "Familienname", "Last name", "Surname", "Family name"),
    "title": ("Titel", "Akademischer Titel", "Title"),
    "organisation": ("Organisation", "Organization", "Institution", "Einrichtung"),
    "stakeholder_group": ("Stakeholdergruppe", "Gruppe", "Akteursgruppe", "Stakeholder group"),
    "function": ("Funktion", "Position", "Function", "Job title"),
    "language": ("Sprache", "Language"),
    "timezone": ("Zeitzone", "Time zone", "Timezone"),
    "country": ("Land", "Country", "Staat"),
    "working_groups": ("Arbeitsgruppen", "Arbeitsgruppe", "Working groups", "Working group"),
}

COLUMN_LABELS = {
    "email": _l("E-mail address"),
    "first_name": _l("First name"),
    "last_name": _l("Last name"),
    "title": _l("Title"),
    "organisation": _l("Organisation"),
    "stakeholder_group": _l("Stakeholder group"),
    "function": _l("Function"),
    "language": _l("Preferred language"),
    "timezone": _l("Time zone"),
    "country": _l("Country"),
    "working_groups": _l("Working groups"),
}

# The stakeholder groups as the platform names them in German (see DOMAIN.md); the file may
# also give the enum value or the English label.
GERMAN_STAKEHOLDER_NAMES = {
    StakeholderGroup.MUNICIPALITIES: "Städte, Kreise und Gemeinden",
    StakeholderGroup.UMBRELLA_ASSOCIATIONS: "Kommunale Spitzenverbände",
    StakeholderGroup.FEDERAL_MINISTRIES: "Bundesressorts",
    StakeholderGroup.STATE_MINISTRIES: "Städtebauministerien der Länder",
    StakeholderGroup.SCIENCE: "Wissenschaftsorganisationen",
    StakeholderGroup.BUSINESS_ASSOCIATIONS: "Wirtschaftsverbände",
    StakeholderGroup.SOCIAL_ASSOCIATIONS: "Sozialverbände",
    StakeholderGroup.PROFESSIONAL_ASSOCIATIONS: "Fachverbände",
    StakeholderGroup.CIVIL_SOCIETY: "Zivilgesellschaft",
    StakeholderGroup.INTERNATIONAL_PARTNERS: "Internationale Partner",
}

LANGUAGE_NAMES = {
    "de": "de",
    "deutsch": "de",
    "german": "de",
    "deu": "de",
    "ger": "de",
    "en": "en",
    "englisch": "en",
    "english": "en",
    "eng": "en",
}

WORKING_GROUP_SEPARATORS = re.compile(r"[|,]")


def _heading_key(heading: str) -> str:
    return re.sub(r"[\s\-_.]+", "", heading).casefold()


HEADING_TO_COLUMN = {
    _heading_key(heading): column
    for column, headings in COLUMN_HEADINGS.items()
    for heading in (*headings, column)
}


class UnreadableFile(ValueError):
    """The file as a whole cannot be imported (encoding, empty, or headings); nothing is saved."""


class RowRejected(ValueError):
    """A user-facing reason why one row was not imported."""


class Outcome(LabelledEnum):
    CREATED = "created", _l("created")
    UPDATED = "updated", _l("updated")
    UNCHANGED = "unchanged", _l("unchanged")
    REJECTED = "rejected", _l("rejected")


@dataclass(frozen=True)
class ExpertRow:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class ExpertFile:
    """A decoded CSV file whose headings were understood."""

    encoding: str
    delimiter: str
    columns: tuple[str, ...]
    ignored_headings: tuple[str, ...]
    rows: tuple[ExpertRow, ...]


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


# --- reading the file ---------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text of `data` and the encoding it was read with.

    UTF-8 is tried first because Windows-1252 would accept almost any bytes and turn UTF-8
    umlauts into "Ã¼"; what is not UTF-8 is taken to be an Excel export in Windows-1252.
    Excel's "Unicode text" files announce themselves with a UTF-16 byte-order mark.
    Raises UnreadableFile if the file is none of these.
    """
    encodings = ("utf-8-sig", "cp1252")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ("utf-16",)
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        _("The file could not be read. Please save it as CSV in UTF-8 or as an Excel CSV file.")
    )


def detect_delimiter(header_line: str) -> str:
    """The separator among comma, semicolon and tab that the heading line uses most."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _separator_hint(line: str) -> str | None:
    """The separator named by Excel's optional first line "sep=;", if `line` is one."""
    line = line.rstrip("\r\n")
    if len(line) == 5 and line[:4].casefold() == "sep=":
        return line[4]
    return None


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """The non-empty records of `text` with the line each starts on (a quoted cell may span
    lines); raises UnreadableFile for malformed CSV."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    lines_read = 0
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((lines_read + 1, cells))
            # Excel ends its exports with rows of bare separators; they are skipped above.
            lines_read = reader.line_num
    except csv.Error as error:
        raise UnreadableFile(
            _("The file is not a readable CSV file (%(problem)s).", problem=str(error))
        ) from error
    return records


def read_expert_file(data: bytes) -> ExpertFile:
    """Decode `data`, understand its headings and collect the non-empty rows.

    Raises UnreadableFile for an undecodable, malformed or empty file, and for headings that lack
    a required column or name a column twice; the message says which headings were not
    recognised.
    """
    text, encoding = decode(data)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise UnreadableFile(_("The file is empty."))
    hint = _separator_hint(lines[0])
    if hint is not None:
        lines = lines[1:]
    if not lines:
        raise UnreadableFile(_("The file is empty."))
    delimiter = hint or detect_delimiter(lines[0])

    records = _records(text, delimiter)
    if hint is not None:
        records = records[1:]
    if not records:
        raise UnreadableFile(_("The file is empty."))
    headings = [cell.strip() for cell in records[0][1]]
    columns, ignored = _understand_headings(headings)
    rows = tuple(
        ExpertRow(
            line,
            {
                column: cell.strip()
                for column, cell in zip(columns, cells, strict=False)
                if column is not None
            },
        )
        for line, cells in records[1:]
    )
    return ExpertFile(
        encoding=encoding,
        delimiter=delimiter,
        columns=tuple(column for column in columns if column is not None),
        ignored_headings=tuple(ignored),
        rows=rows,
    )


def _understand_headings(headings: list[str]) -> tuple[list[str | None], list[str]]:
    """The column meant by each heading (None if not understood) and the headings ignored."""
    columns: list[str | None] = []
    ignored: list[str] = []
    seen: dict[str, str] = {}
    for heading in headings:
        column = HEADING_TO_COLUMN.get(_heading_key(heading))
        if column is None:
            if heading:
                ignored.append(heading)
            columns.append(None)
            continue
        if column in seen:
            raise UnreadableFile(
                _(
                    'The headings "%(first)s" and "%(second)s" both mean %(column)s. '
                    "Please keep only one of them.",
                    first=seen[column],
                    second=heading,
                    column=COLUMN_LABELS[column],
                )
            )
        seen[column] = heading
        columns.append(column)
    missing = [column for column in REQUIRED_COLUMNS if column not in seen]
    if missing:
        message = _(
            "The file cannot be imported: these columns are missing: %(columns)s.",
            columns=", ".join(str(COLUMN_LABELS[column]) for column in missing),
        )
        if ignored:
            message += " " + _(
                "These headings were not recognised: %(headings)s.",
                headings=", ".join(f'"{heading}"' for heading in ignored),
            )
        raise UnreadableFile(message)
    return columns, ignored


# --- understanding values -----------------------------------------------------------------------


def _stakeholder_names() -> dict[str, StakeholderGroup]:
    names: dict[str, StakeholderGroup] = {}
    for group in StakeholderGroup:
        names[group.value.casefold()] = group
        names[GERMAN_STAKEHOLDER_NAMES[group].casefold()] = group
        for language in ("en", "de"):
            with force_locale(language):
                names[group.label.casefold()] = group
    return names


def stakeholder_group_from(text: str) -> StakeholderGroup:
    """The stakeholder group named by `text` (value, German or English name); raises
    RowRejected for anything else."""
    group = _stakeholder_names().get(" ".join(text.split()).casefold())
    if group is None:
        raise RowRejected(_('Unknown stakeholder group "%(value)s".', value=text))
    return group


def language_from(text: str) -> str:
    """ "de" or "en" for the language named by `text`; raises RowRejected for others."""
    language = LANGUAGE_NAMES.get(text.strip().casefold())
    if language is None:
        raise RowRejected(_('Unknown language "%(value)s"; please use de or en.', value=text))
    return language


def time_zone_from(text: str) -> str:
    """The IANA time zone `text` names; raises RowRejected for an unknown one."""
    zone = text.strip()
    if zone not in known_time_zones():
        raise RowRejected(
            _(
                'Unknown time zone "%(value)s". Use a name such as Europe/Berlin or '
                "America/Toronto.",
                value=text,
            )
        )
    return zone


def working_group_names(text: str) -> list[str]:
    return [name.strip() for name in WORKING_GROUP_SEPARATORS.split(text) if name.strip()]


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
    # An empty cell in an optional column clears title and function, but never the language
    # or time zone, which every expert must have.
    for column in ("title", "function"):
        if column in columns:
            given[column] = values.get(column, "")
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
