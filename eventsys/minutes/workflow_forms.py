"""Forms of the minutes workflow (circulate, correct, comment) and of the archive's filters."""

from datetime import date, time, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, TextAreaField
from wtforms.fields import SelectChoice, enum_coerce
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError

from eventsys.localtime import platform_zone_name, to_utc
from eventsys.minutes.workflow import MAX_COMMENT_LENGTH, MAX_REASON_LENGTH
from eventsys.query_arguments import id_from_text
from eventsys.sessions.forms import kind_choices
from eventsys.sessions.states import SessionKind
from eventsys.validation import blank_or


class CirculateForm(FlaskForm):
    deadline = DateField(
        _l("Comments until (inclusive)"),
        validators=[DataRequired(_l("Please enter the last day for comments."))],
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        if self.deadline.data is None and not self.is_submitted():
            self.deadline.data = today + timedelta(days=current_app.config["MINUTES_COMMENT_DAYS"])

    def validate_deadline(self, field: DateField) -> None:
        if field.data is not None and field.data < self.today:
            raise ValidationError(_("The last day for comments cannot lie in the past."))

    def deadline_instant(self):
        """The end of the chosen day in Berlin: comments are welcome all that day."""
        return to_utc(self.deadline.data + timedelta(days=1), time(0, 0), platform_zone_name())


class CorrectionForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the correction"),
        validators=[
            DataRequired(_l("Please give the reason for the correction.")),
            Length(max=MAX_REASON_LENGTH),
        ],
    )


class CommentDealtWithForm(FlaskForm):
    """The button that marks a comment as dealt with ("1") or open again ("0")."""

    dealt_with = HiddenField(validators=[AnyOf(["0", "1"])])


class CommentForm(FlaskForm):
    """A comment on one TOP (its id in `topic`) or, with `topic` empty, on the whole."""

    topic = HiddenField()
    text = TextAreaField(
        _l("Your comment"),
        validators=[
            DataRequired(_l("Please write your comment.")),
            Length(max=MAX_COMMENT_LENGTH),
        ],
    )

    def topic_id(self) -> int | None:
        """The TOP's id; anything unreadable names no TOP of any minutes (0), so that the
        service refuses it rather than taking it as a comment on the whole."""
        value = (self.topic.data or "").strip()
        if not value:
            return None
        number = id_from_text(value)
        return 0 if number is None else number


class ArchiveFilterForm(FlaskForm):
    """The archive's filters, read from the query string."""

    class Meta:
        csrf = False

    year = SelectField(_l("Year"), coerce=blank_or(int))
    kind = SelectField(_l("Kind of session"), coerce=blank_or(enum_coerce(SessionKind)))

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = SelectChoice("", _("all"))
        self.year.choices = [everything, *(SelectChoice(str(year)) for year in years)]
        self.kind.choices = [everything, *kind_choices()]

    def criteria(self) -> tuple[int | None, SessionKind | None]:
        """The chosen year and kind where valid; an unknown value filters nothing."""
        self.validate()
        year = None if self.year.errors else self.year.data
        kind = None if self.kind.errors else self.kind.data
        return year, kind
