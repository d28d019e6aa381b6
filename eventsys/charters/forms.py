"""Forms of the charter drafting pages: charters, chapters, the pool and its actions."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from eventsys.charters.charters import MAX_TITLE_LENGTH
from eventsys.charters.pool import MAX_CLAUSE_LENGTH, MAX_REASON_LENGTH
from eventsys.markup import MAX_MARKDOWN_LENGTH
from eventsys.query_arguments import id_from_text
from eventsys.validation import SingleLine, blank_or, strip_whitespace

TOO_LONG = _l("Please keep this under %(max)d characters.")
OFFSETS = [SelectChoice(-1, _l("Move up")), SelectChoice(1, _l("Move down"))]


def _title(label: str, required: bool) -> StringField:
    presence = DataRequired(_l("Please enter a title.")) if required else Optional()
    return StringField(
        label,
        filters=[strip_whitespace],
        validators=[presence, Length(max=MAX_TITLE_LENGTH, message=TOO_LONG), SingleLine()],
    )


def _markdown(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=MAX_MARKDOWN_LENGTH, message=TOO_LONG)],
    )


class NewCharterForm(FlaskForm):
    title_de = _title(_l("Title (German)"), required=True)
    title_en = _title(_l("Title (English, optional)"), required=False)


class CharterSettingsForm(NewCharterForm):
    preamble_de = _markdown(_l("Preamble (German)"))
    preamble_en = _markdown(_l("Preamble (English, optional)"))


class ChapterForm(FlaskForm):
    title_de = _title(_l("Chapter title (German)"), required=True)
    title_en = _title(_l("Chapter title (English, optional)"), required=False)
    introduction_de = _markdown(_l("Introduction (German)"))
    introduction_en = _markdown(_l("Introduction (English, optional)"))


class ChapterChoiceForm(FlaskForm):
    """Names one of the charter's chapters by its id (to remove it)."""

    chapter = HiddenField()

    def chapter_id(self) -> int | None:
        """The chapter's id; None when missing or unreadable."""
        return id_from_text(self.chapter.data)


class ChapterMoveForm(ChapterChoiceForm):
    offset = SelectField(choices=OFFSETS, coerce=int)


BACK_TO_POOL = "pool"


def chapter_or_pool(value: Any) -> int | None:
    """A chapter's id, or None for the choice to take a recommendation back to the pool."""
    return None if value in (BACK_TO_POOL, None) else int(value)


POOL_STATES = ("unassigned", "assigned", "set_aside", "merged", "all")


class PoolFilterForm(FlaskForm):
    """The pool's filters, read from the query string."""

    class Meta:
        csrf = False

    state = SelectField(_l("Show"), default=POOL_STATES[0])
    new = BooleanField(_l("Only recommendations that arrived since the last version"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "unassigned": _l("not yet assigned"),
            "assigned": _l("assigned to a chapter"),
            "set_aside": _l("set aside"),
            "merged": _l("merged"),
            "all": _l("all"),
        }
        self.state.choices = [SelectChoice(state, labels[state]) for state in POOL_STATES]

    def criteria(self) -> tuple[str, bool]:
        """The chosen state (the default where unknown) and whether only new ones are shown."""
        self.validate()
        state = POOL_STATES[0] if self.state.errors else self.state.data
        return state, bool(self.new.data)


class PoolActionForm(FlaskForm):
    """What every pool action carries besides its own fields: the filter to return to."""

    state = HiddenField()
    new = HiddenField()

    def return_filter(self) -> dict[str, str]:
        """The pool filter the action was taken from, as query arguments."""
        state = self.state.data if self.state.data in POOL_STATES else POOL_STATES[0]
        return {"state": state, **({"new": "y"} if self.new.data == "y" else {})}


class AssignForm(PoolActionForm):
    """The chapter (its id) to assign to; empty takes the recommendation back to the pool.
    The page renders the choices itself, one select per recommendation."""

    chapter = SelectField(
        _l("Chapter"),
        coerce=chapter_or_pool,
        validate_choice=False,
        validators=[InputRequired(_l("Please choose a chapter."))],
    )


class SetAsideForm(PoolActionForm):
    reason = TextAreaField(
        _l("Reason for setting it aside"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Please give the reason for setting this recommendation aside.")),
            Length(max=MAX_REASON_LENGTH, message=TOO_LONG),
        ],
    )


class MergeForm(PoolActionForm):
    """The recommendation (its id) to merge into; the page renders the choices itself."""

    into = SelectField(
        _l("Merge into"),
        coerce=blank_or(int),
        validate_choice=False,
        validators=[DataRequired(_l("Please choose the recommendation to merge into."))],
    )


class MoveClauseForm(PoolActionForm):
    offset = SelectField(choices=OFFSETS, coerce=int)


class ClauseForm(FlaskForm):
    text_de = TextAreaField(
        _l("Wording in the charter (German)"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Please enter the German wording of the recommendation.")),
            Length(max=MAX_CLAUSE_LENGTH, message=TOO_LONG),
        ],
    )
    text_en = TextAreaField(
        _l("Wording in the charter (English, optional)"),
        filters=[strip_whitespace],
        validators=[Optional(), Length(max=MAX_CLAUSE_LENGTH, message=TOO_LONG)],
    )
