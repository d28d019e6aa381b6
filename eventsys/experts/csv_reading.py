"""Reading expert lists from CSV files, as spreadsheets export them: decoding the file,
understanding its headings and the values of each column. Saving the rows is `csv_import`.

Both UTF-8 (with or without byte-order mark) and the Windows-1252, semicolon-separated files
that a German Excel writes are read. Column headings may be German or English.
"""

import codecs
import csv
import functools
import io
import re
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.experts.salutations import Salutation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.localtime import known_time_zones

DELIMITERS = (",", ";", "\t")
REQUIRED_COLUMNS = ("email", "first_name", "last_name", "organisation")

# The headings each column may carry, compared without case, spaces, hyphens or underscores.
COLUMN_HEADINGS = {
    "email": ("E-Mail", "E-Mail-Adresse", "Mail", "Email address", "E-mail address"),
    "first_name": ("Vorname", "First name", "Given name", "Forename"),
    "last_name": ("Nachname", "Name", "Familienname", "Last name", "Surname", "Family name"),
    "salutation": ("Anrede", "Salutation"),
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
    "salutation": _l("Salutation"),
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

SALUTATION_NAMES = {
    "frau": Salutation.MS,
    "fr.": Salutation.MS,
    "ms": Salutation.MS,
    "ms.": Salutation.MS,
    "mrs": Salutation.MS,
    "mrs.": Salutation.MS,
    "herr": Salutation.MR,
    "hr.": Salutation.MR,
    "mr": Salutation.MR,
    "mr.": Salutation.MR,
    "": Salutation.NONE,
    "keine": Salutation.NONE,
    "none": Salutation.NONE,
    "-": Salutation.NONE,
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


@functools.cache  # the names do not change while the process runs
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


def salutation_from(text: str) -> Salutation:
    """The salutation `text` names (Frau/Herr, Ms/Mr, or empty or "keine" for none); raises
    RowRejected for anything else."""
    salutation = SALUTATION_NAMES.get(text.strip().casefold())
    if salutation is None:
        raise RowRejected(
            _(
                'Unknown salutation "%(value)s"; please use Frau, Herr or leave it empty.',
                value=text,
            )
        )
    return salutation


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
