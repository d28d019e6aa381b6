"""Writing CSV files that stay data in any spreadsheet program.

A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is read as a formula by
Excel and LibreOffice, which can run commands or send data away (OWASP: CSV injection). Every
such cell gets an apostrophe in front, which spreadsheets show as text and do not display. Every
field is quoted. A program that splits on another delimiter than ours (German Excel splits on
`;`) can still cut a field in the middle, so a formula character after a `,`, `;` or tab inside
a value gets an apostrophe too.
"""

import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

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


def csv_writer(stream: TextIO):
    """A CSV writer on `stream` that quotes every field and neutralises every cell."""
    return _SafeWriter(csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\r\n"))


class _SafeWriter:
    def __init__(self, writer) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)
