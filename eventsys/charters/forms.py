"""Forms of the charter drafting pages: charters, chapters, the pool and its actions."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from eventsys.charters.charters import MAX_TITLE_LENGTH
from eventsys.charters.pool import MAX_CLAUSE_LENGTH, MAX_REASON_LENGTH
from eventsys.charters.pool_queries import PoolFilter
from eventsys.markup import MAX_MARKDOWN_LENGTH
from eventsys.query_arguments import MAX_PAGE, id_from_text
from eventsys.validation import SingleLine, blank_or, strip_whitespace, text_or_empty

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


MAX_POOL_SEARCH_LENGTH = 200


class PoolFilterForm(FlaskForm):
    """The pool's filters, read from the query string; a filter with an invalid value is left
    out."""

    class Meta:
        csrf = False

    state = SelectField(_l("Show"), default=POOL_STATES[0])
    q = SearchField(
        _l("Words in the recommendation"),
        filters=[strip_whitespace],
        validators=[Length(max=MAX_POOL_SEARCH_LENGTH)],
    )
    session = SelectField(_l("From the minutes of"), coerce=text_or_empty, default="")
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
        self.session.choices = [SelectChoice("", _l("all sessions"))]

    def offer_sessions(self, sessions: list[tuple[int, str]]) -> None:
        """Fill the session choices: (id, label) of each session recommendations come from."""
        self.session.choices = [
            SelectChoice("", _l("all sessions")),
            *(SelectChoice(str(session_id), title) for session_id, title in sessions),
        ]

    def criteria(self) -> PoolFilter:
        """The filter the valid fields describe (the default state where it is unknown)."""
        self.validate()
        state = POOL_STATES[0] if self.state.errors else self.state.data
        words = "" if self.q.errors else self.q.data or ""
        session_id = None if self.session.errors else id_from_text(self.session.data)
        return PoolFilter(
            state=state, new_only=bool(self.new.data), words=words, session_id=session_id
        )


def pool_query_arguments(filters: PoolFilter, page: int = 1) -> dict[str, str]:
    """The query arguments that show `filters` (and `page`) again."""
    arguments = {"state": filters.state}
    if filters.new_only:
        arguments["new"] = "y"
    if filters.words:
        arguments["q"] = filters.words
    if filters.session_id is not None:
        arguments["session"] = str(filters.session_id)
    if page > 1:
        arguments["page"] = str(page)
    return arguments


class PoolActionForm(FlaskForm):
    """What every pool action carries besides its own fields: the filter and page to return
    to."""

    state = HiddenField()
    new = HiddenField()
    q = HiddenField(filters=[strip_whitespace])
    session = HiddenField()
    page = HiddenField()

    def return_filter(self) -> dict[str, str]:
        """The pool filter the action was taken from, as query arguments."""
        state = self.state.data if self.state.data in POOL_STATES else POOL_STATES[0]
        filters = PoolFilter(
            state=state,
            new_only=self.new.data == "y",
            words=(self.q.data or "")[:MAX_POOL_SEARCH_LENGTH],
            session_id=id_from_text(self.session.data),
        )
        page = id_from_text(self.page.data) or 1
        return pool_query_arguments(filters, min(page, MAX_PAGE))


# The batch actions of the pool page's one form, by the value of its button.
BATCH_ACTIONS = ("assign", "set_aside", "restore")
SUGGESTED = "suggested"


class PoolBatchForm(PoolActionForm):
    """The pool page's one form: the recommendations ticked on the page and what to do with
    them, or the one recommendation to move up or down (its button's value "<id>:<offset>")."""

    clause_ids = SelectMultipleField(coerce=blank_or(int), validate_choice=False)
    action = HiddenField()
    chapter = StringField()
    reason = TextAreaField(
        _l("Reason for setting it aside"),
        filters=[strip_whitespace],
        validators=[Length(max=MAX_REASON_LENGTH, message=TOO_LONG)],
    )
    move = HiddenField()

    def ticked_ids(self) -> list[int]:
        """The ids ticked, without repeats or values beyond any row's id."""
        found = []
        for value in self.clause_ids.data or []:
            clause_id = id_from_text(str(value)) if value is not None else None
            if clause_id is not None and clause_id not in found:
                found.append(clause_id)
        return found

    def move_request(self) -> tuple[int, int] | None:
        """The clause id and offset of a move button, or None."""
        clause_text, _, offset_text = (self.move.data or "").partition(":")
        clause_id = id_from_text(clause_text)
        if clause_id is None or offset_text not in ("-1", "1"):
            return None
        return clause_id, int(offset_text)


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
