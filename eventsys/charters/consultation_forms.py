"""Forms of the consultation: starting it, an expert's comment, the secretariat's answer."""

from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SelectField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from eventsys.charters.consultation import (
    MAX_ANSWER_LENGTH,
    MAX_COMMENT_LENGTH,
    RecipientGroup,
)
from eventsys.experts.models import WorkingGroup
from eventsys.localtime import platform_zone_name, to_utc
from eventsys.query_arguments import id_from_text
from eventsys.validation import blank_or

# Experts comment on a whole charter; they get more time than for minutes.
DEFAULT_COMMENT_DAYS = 28


class StartConsultationForm(FlaskForm):
    """Whom to send a version to, and the last day for comments."""

    recipients = RadioField(
        _l("Send to"),
        default=RecipientGroup.ATTENDEES.value,
        validators=[DataRequired(_l("Please choose whom to send the version to."))],
    )
    working_group = SelectField(_l("Working group"), coerce=blank_or(int))
    deadline = DateField(
        _l("Comments until (inclusive)"),
        validators=[DataRequired(_l("Please enter the last day for comments."))],
    )

    def __init__(
        self,
        *args: Any,
        today: date,
        counts: dict[RecipientGroup, int],
        working_groups: list[tuple[WorkingGroup, int]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.recipients.choices = [
            (
                RecipientGroup.ATTENDEES.value,
                _(
                    "Experts who attended the sessions whose recommendations are in this "
                    "version (%(count)d)",
                    count=counts[RecipientGroup.ATTENDEES],
                ),
            ),
            (
                RecipientGroup.EVERYONE.value,
                _("All active experts (%(count)d)", count=counts[RecipientGroup.EVERYONE]),
            ),
            (RecipientGroup.WORKING_GROUP.value, _("The members of a working group")),
        ]
        self.working_group.choices = [
            SelectChoice("", _("– choose a working group –")),
            *(
                SelectChoice(str(group.id), f"{group.name} ({size})")
                for group, size in working_groups
            ),
        ]
        if self.deadline.data is None and not self.is_submitted():
            self.deadline.data = today + timedelta(days=DEFAULT_COMMENT_DAYS)

    def validate_working_group(self, field: SelectField) -> None:
        if self.recipients.data == RecipientGroup.WORKING_GROUP.value and field.data is None:
            raise ValidationError(_("Please choose the working group."))

    def validate_deadline(self, field: DateField) -> None:
        if field.data is not None and field.data < self.today:
            raise ValidationError(_("The last day for comments cannot lie in the past."))

    def group(self) -> RecipientGroup:
        return RecipientGroup(self.recipients.data)

    def deadline_instant(self) -> datetime:
        """The end of the chosen day in Berlin: comments are welcome all that day."""
        return to_utc(self.deadline.data + timedelta(days=1), time(0, 0), platform_zone_name())


class ConsultationCommentForm(FlaskForm):
    """An expert's comment: `target` is "clause-<id>", "chapter-<id>" or empty for the whole."""

    target = HiddenField()
    text = TextAreaField(
        _l("Your comment"),
        validators=[
            DataRequired(_l("Please write your comment.")),
            Length(max=MAX_COMMENT_LENGTH),
        ],
    )

    def place(self) -> tuple[int | None, int | None]:
        """(chapter id, clause id) of the target. Anything unreadable names recommendation 0,
        which no version holds, so that the service refuses it rather than taking it as a
        comment on the whole."""
        value = (self.target.data or "").strip()
        if not value:
            return None, None
        kind, _separator, written = value.partition("-")
        number = id_from_text(written)
        if number is None:
            return None, 0
        if kind == "chapter":
            return number, None
        if kind == "clause":
            return None, number
        return None, 0


class AnswerOutcome:
    """The buttons under an answer: what the secretariat does with the comment."""

    ANSWER = "answer"
    ANSWER_AND_RESOLVE = "answer_and_resolve"
    RESOLVE = "resolve"


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("Answer"), validators=[Optional(), Length(max=MAX_ANSWER_LENGTH)])
    outcome = HiddenField(
        validators=[
            AnyOf(
                [AnswerOutcome.ANSWER, AnswerOutcome.ANSWER_AND_RESOLVE, AnswerOutcome.RESOLVE],
                message=_l("Please choose whether to answer or to resolve the comment."),
            )
        ]
    )
    # The comments page's filter, kept across the answer.
    show = HiddenField()

    def resolves(self) -> bool:
        return self.outcome.data in (AnswerOutcome.ANSWER_AND_RESOLVE, AnswerOutcome.RESOLVE)

    def answer_text(self) -> str:
        """The answer written; resolving without an answer ignores whatever is in the box."""
        if self.outcome.data == AnswerOutcome.RESOLVE:
            return ""
        return self.answer.data or ""
