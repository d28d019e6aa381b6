"""Checks shared by every record of the expert directory, and the error they raise.

A refusal the user should read raises DirectoryError with a translated message and the name of
the form field it belongs to.
"""

from collections.abc import Callable
from contextlib import contextmanager

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import InstrumentedAttribute

from eventsys.extensions import db
from eventsys.validation import has_control_characters


class DirectoryError(ValueError):
    """A user-facing reason why an expert, organisation or working group could not be saved.

    `field` names the form field the reason belongs to, or is None for the record as a whole.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def max_length(attribute: InstrumentedAttribute) -> int:
    """The length limit of a string column, so that forms and checks cannot drift from it."""
    return attribute.property.columns[0].type.length


def checked_line(
    value: str | None, label: str, field: str, limit: int, required: bool = False
) -> str:
    """`value` trimmed; raises DirectoryError if it is missing, too long or spans lines.

    Single lines end up in mail headers and calendar properties, where a line break would
    start a new header or property.
    """
    value = (value or "").strip()
    if required and not value:
        raise DirectoryError(_("%(field)s: please fill in this field.", field=label), field)
    if has_control_characters(value):
        raise DirectoryError(
            _(
                "%(field)s: this field must fit on one line (no line breaks or control "
                "characters).",
                field=label,
            ),
            field,
        )
    if len(value) > limit:
        raise DirectoryError(
            _("%(field)s: at most %(max)d characters are allowed.", field=label, max=limit),
            field,
        )
    return value


@contextmanager
def saved_unless_taken(table: str, column: str, refusal: Callable[[], DirectoryError]):
    """Apply the block's changes in a savepoint and flush them; if the unique constraint on
    `table.column` refuses them, raise `refusal()` instead.

    The checks before the block cannot see another request saving the same value at the same
    moment; the constraint can. The savepoint must begin before the changes are made (it flushes
    what is pending), and rolling it back keeps the session usable and the record unchanged.
    """
    try:
        with db.session.begin_nested():
            yield
            db.session.flush()
    except sa.exc.IntegrityError as error:
        # PostgreSQL names the constraint, SQLite the column as "table.column".
        message = str(error.orig)
        if f"uq_{table}_{column}" in message or f"{table}.{column}" in message:
            raise refusal() from error
        raise
