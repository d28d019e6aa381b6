"""Checks and form validators shared by the features."""

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, ValidationError

from eventsys.localtime import known_time_zones


def has_control_characters(value: str) -> bool:
    """Whether `value` holds a line break, tab or other ASCII control character (or DEL)."""
    return any(ord(char) < 32 or ord(char) == 127 for char in value)


class SingleLine:
    """Refuse line breaks and other control characters in fields that end up in mail headers
    and calendar lines, where a CR or LF would start a new header or property."""

    message = _l("This field must fit on one line (no line breaks or control characters).")

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and has_control_characters(str(field.data)):
            raise ValidationError(self.message)


class KnownTimeZone:
    message = _l("Unknown time zone. Use a name such as Europe/Berlin or America/Toronto.")

    def __call__(self, form: Form, field: Field) -> None:
        if field.data and field.data not in known_time_zones():
            raise ValidationError(self.message)


def strip_whitespace(value: str | None) -> str | None:
    """A WTForms filter that trims what people paste from spreadsheets and mail."""
    return value.strip() if isinstance(value, str) else value


def lower_email(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value
