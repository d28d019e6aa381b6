"""Writing CSV and XLSX files that stay data in any spreadsheet program.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
Excel and LibreOffice, which can run commands or send data away (OWASP: CSV injection). Every
such cell gets an apostrophe in front, which spreadsheets show as text and do not display. Every
field is quoted. A program that splits on another delimiter than ours (German Excel splits on
`;`) can still cut a field in the middle, so a formula character after a `,`, `;` or tab inside
a value gets an apostrophe too.

In an XLSX file every text is written as a string cell, never as a formula (openpyxl would
otherwise store a text beginning with `=` as one), and one that begins like a formula is also
marked "quote prefix", so that Excel keeps it as text when someone edits the cell. Characters XML
cannot carry (control characters from a hostile form field) become U+FFFD.
"""

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TextIO

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A delimiter, then spaces or quotes, then a formula character: a cell if split there.
_FORMULA_AFTER_DELIMITER = re.compile(r'([,;\t][ "]*)(?=[=+\-@\t\r])')


def neutralise_cell(value: Any) -> str:
    """`value` as text a spreadsheet shows as text: None is empty; a text that would start a
    formula, also after leading spaces or after a delimiter, gets an apostrophe there."""
    if value is None:
        return ""
    text = _FORMULA_AFTER_DELIMITER.sub(r"\1'", str(value))
    if text.lstrip(' "').startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_writer(stream: TextIO, delimiter: str = ","):
    """A CSV writer on `stream` that quotes every field and neutralises every cell."""
    return _SafeWriter(
        csv.writer(stream, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    )


class _SafeWriter:
    def __init__(self, writer) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


# How the CSV for people writes times and days: as Excel reads them in that language.
EXCEL_CSV_TIME_PATTERNS = {"de": "%d.%m.%Y %H:%M", "en": "%Y-%m-%d %H:%M"}
EXCEL_CSV_DATE_PATTERNS = {"de": "%d.%m.%Y", "en": "%Y-%m-%d"}


def excel_csv(headings: Sequence[str], rows: Iterable[Sequence[Any]], language: str) -> bytes:
    """A table as CSV that German Excel opens as one: fields separated by semicolons, times
    (naive, local) and days as `language` writes them, UTF-8 with the byte order mark that makes
    Excel read it as such. (A "sep=;" first line would make Excel of any language split on
    semicolons, but it then ignores the byte order mark and garbles umlauts; the XLSX file is the
    one for every Excel.)"""
    stream = io.StringIO()
    writer = csv_writer(stream, delimiter=";")
    writer.writerow(headings)
    time_pattern = EXCEL_CSV_TIME_PATTERNS.get(language, EXCEL_CSV_TIME_PATTERNS["en"])
    date_pattern = EXCEL_CSV_DATE_PATTERNS.get(language, EXCEL_CSV_DATE_PATTERNS["en"])

    def written(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.strftime(time_pattern)
        if isinstance(value, date):
            return value.strftime(date_pattern)
        return value

    for row in rows:
        writer.writerow([written(value) for value in row])
    return ("\ufeff" + stream.getvalue()).encode("utf-8")


_MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def spreadsheet_download(data: bytes, filename: str) -> Response:
    """`data` as a download named `filename` (ASCII, ending in .csv or .xlsx)."""
    return Response(
        data,
        mimetype=_MIMETYPES[filename.rsplit(".", 1)[-1]],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )


# How dates with and without a time look in the XLSX files (Excel's own codes, read the same
# in German).
XLSX_DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
XLSX_DATE_FORMAT = "DD.MM.YYYY"


def xlsx_workbook(
    title: str, headings: Sequence[str], rows: Iterable[Sequence[Any]], *, column_widths=()
) -> bytes:
    """An XLSX file with one sheet named `title`: a bold heading row that stays in view, then
    `rows`. Texts are string cells (see the module's text); datetimes, which must be local and
    naive, and days are dates; numbers are numbers. Written row by row, so that a long list does not
    build up in memory."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(title))
    sheet.freeze_panes = "A2"
    for number, width in enumerate(column_widths):
        sheet.column_dimensions[chr(ord("A") + number)].width = width
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, heading, font=bold) for heading in headings])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value: Any, font: Font | None = None) -> WriteOnlyCell:
    if isinstance(value, bool | int | float) or value is None:
        cell = WriteOnlyCell(sheet, value=value)
    elif isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATETIME_FORMAT
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE_FORMAT
    else:
        text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))
        cell = WriteOnlyCell(sheet, value=None)
        cell.value = text
        cell.data_type = "s"  # set after the value: openpyxl guesses "f" for a text with "="
        if text.lstrip(' "').startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def _sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
