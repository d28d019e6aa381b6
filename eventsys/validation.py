"""Checks, form validators, filters and coercions shared by the features."""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, ValidationError

from eventsys.localtime import known_time_zones

# Far enough back for the platform's history (it began in 2016), and a bound on what the
# date and time libraries and both databases can hold.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def has_control_characters(value: str) -> bool:
    """Whether `value` holds a line break, tab or other ASCII control character (or DEL)."""
    return _ASCII_CONTROL.search(value) is not None


class SingleLine:
    """Refuse line breaks and other control characters in fields that end up in mail headers
    and calendar lines, where a CR or LF would start a new header or property."""

    message = _l("This field must fit on one line (no line breaks or control characters).")

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and has_control_characters(str(field.data)):
            raise ValidationError(self.message)


class KnownTimeZone:
    message = _l("Unknown time zone. Use a name such as Europe/Berlin or America/Toronto.")

    def __init__(self, message=None) -> None:
        if message is not None:
            self.message = message

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and field.data not in known_time_zones():
            raise ValidationError(self.message)


def strip_whitespace(value: str | None) -> str | None:
    """A WTForms filter that trims what people paste from spreadsheets and mail."""
    return value.strip() if isinstance(value, str) else value


def lower_email(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


class WithinYears:
    """Keep dates within the years the platform plans for."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
            raise ValidationError(
                _(
                    "Enter a date between %(first)d and %(last)d.",
                    first=EARLIEST_YEAR,
                    last=LATEST_YEAR,
                )
            )


def blank_or(coerce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A select's coerce function that reads the empty option as None."""

    def coerce_or_none(value: Any) -> Any:
        return None if value in ("", None) else coerce(value)

    return coerce_or_none


# Record ids are 32-bit integers in PostgreSQL; a larger number names nothing and would
# overflow the query (SQLite's limit is 64 bits).
LARGEST_ID = 2**31 - 1


def optional_id(value: object) -> int | None:
    """Coerce a select's value to a record id; the empty choice means none. Raises ValueError
    (the field shows it as invalid) for anything that cannot be an id."""
    if value in (None, ""):
        return None
    number = int(value)
    if not 0 < number <= LARGEST_ID:
        raise ValueError("not a record id")
    return number


def text_or_empty(value: object) -> str:
    """Coerce a select's value to text, with None (nothing stored) as the empty choice."""
    return "" if value is None else str(value)


def local_path(target: str | None) -> str | None:
    """`target` when it is a path on this site (where to go back to after a form), else None:
    never another host, and nothing with a control character (CR/LF would split the Location
    header) or a backslash (browsers read "/\\host" as another host)."""
    if not target or not target.isprintable() or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/"):
        return None
    return target
