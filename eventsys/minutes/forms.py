"""The minutes editor's form: the general part and every TOP with its rows, in one POST.

Rows are numbered in their field names (topics-0-decisions-1-text); the numbers only keep
rows apart and may have gaps where rows were removed in the browser. A row's hidden `id` ties
it to the stored row. The button that sent the form says what else to do ("action").

The module is longer than most because the editor is one form: its field classes, the
conversion of a POST into `MinutesChanges` and back into field data, and the placing of error
messages all follow the same field names, and splitting them would spread those names over
several files.
"""

import re
from dataclasses import dataclass, replace
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from eventsys.experts.models import Expert, Organisation
from eventsys.i18n import current_language
from eventsys.minutes.action_items import MAX_CLOSING_NOTE_LENGTH
from eventsys.minutes.changes import (
    ActionItemChange,
    DecisionChange,
    MinutesChanges,
    RecommendationChange,
    TopicChange,
)
from eventsys.minutes.models import Guideline
from eventsys.validation import WithinYears, strip_whitespace

ROW_KINDS = ("decisions", "action_items", "recommendations")
# What a button may ask for besides saving; the target is a TOP or a row, by field name.
_ACTION = re.compile(
    r"(?P<verb>save|add-topic|add-decisions|add-action_items|add-recommendations|remove|up|down)"
    r"(?::(?P<target>topics-\d+(?:-(?:decisions|action_items|recommendations)-\d+)?))?"
)
_OWNER = re.compile(r"(?P<kind>expert|organisation):(?P<id>\d{1,10})")
_LARGEST_ID = 2_147_483_647


def _row_id(value: Any) -> int | None:
    """A hidden number (a row's id, empty for a new row; the revision)."""
    if value in (None, ""):
        return None
    if isinstance(value, int):
        return value
    if not str(value).isdigit() or int(value) > _LARGEST_ID:
        raise ValueError(_("The form is damaged. Please reload the page."))
    return int(value)


def _text(value: str | None) -> str:
    """Text as typed, with the line breaks browsers send (CR LF) as plain LF."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


class DecisionForm(Form):
    id = HiddenField(filters=[_row_id])
    text = TextAreaField(_l("Text of the decision"), filters=[_text], render_kw={"rows": 2})


class ActionItemForm(Form):
    id = HiddenField(filters=[_row_id])
    text = TextAreaField(_l("Action item"), filters=[_text], render_kw={"rows": 2})
    # "expert:<id>" or "organisation:<id>"; whether the owner exists is the save's question.
    owner = SelectField(_l("Owner"), validate_choice=False)
    due_date = DateField(_l("Due date"), validators=[Optional(), WithinYears()])

    def validate_owner(self, field: Field) -> None:
        if field.data and not _OWNER.fullmatch(field.data):
            raise ValidationError(_("Choose the owner from the list."))


class RecommendationForm(Form):
    id = HiddenField(filters=[_row_id])
    text = TextAreaField(_l("Recommendation"), filters=[_text], render_kw={"rows": 3})
    guideline = SelectField(_l("Guideline"), validate_choice=False)
    actors = StringField(_l("Addressed to"), filters=[strip_whitespace])

    def validate_guideline(self, field: Field) -> None:
        if field.data and not (field.data.isdigit() and int(field.data) <= _LARGEST_ID):
            raise ValidationError(_("Choose the guideline from the list."))


class TopicForm(Form):
    id = HiddenField(filters=[_row_id])
    title = StringField(_l("Title of the TOP"), filters=[strip_whitespace])
    discussion = TextAreaField(_l("Discussion"), filters=[_text], render_kw={"rows": 8})
    decisions = FieldList(FormField(DecisionForm))
    action_items = FieldList(FormField(ActionItemForm))
    recommendations = FieldList(FormField(RecommendationForm))


@dataclass(frozen=True)
class EditorAction:
    """What the pressed button asks for besides saving: add a TOP or a row, remove a TOP or
    a row, move a TOP up or down. `target` names the TOP or row (e.g. "topics-2")."""

    verb: str
    target: str | None = None


@dataclass(frozen=True)
class ErrorEntry:
    """A problem for the error summary: the field's id (None for the form as a whole), where
    the field is, and what is wrong."""

    field_id: str | None
    place: str | None
    message: str


class MinutesForm(FlaskForm):
    """The whole editor; the choices of the owner and guideline lists come from the caller."""

    revision = HiddenField(
        filters=[_row_id],
        validators=[InputRequired(message=_l("The form is incomplete. Please reload the page."))],
    )
    opening = TextAreaField(_l("Opening"), filters=[_text], render_kw={"rows": 5})
    next_session_date = DateField(
        _l("Date of the next session"), validators=[Optional(), WithinYears()]
    )
    closing = TextAreaField(_l("Closing"), filters=[_text], render_kw={"rows": 4})
    topics = FieldList(FormField(TopicForm))
    action = StringField()  # the name of the buttons; never shown as a field

    def __init__(
        self,
        *args: Any,
        experts: list[Expert],
        organisations: list[Organisation],
        guidelines: list[Guideline],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.owner_choices = _owner_choices(experts, organisations)
        self.guideline_choices = _guideline_choices(guidelines)
        for topic in self.topics:
            for item in topic.form.action_items:
                item.form.owner.choices = self.owner_choices
            for recommendation in topic.form.recommendations:
                recommendation.form.guideline.choices = self.guideline_choices

    def row_templates(self) -> dict[str, Form]:
        """Empty rows named "__prefix__-…", which the browser copies to add a row."""
        templates = {
            "decisions": DecisionForm(prefix="__prefix__-"),
            "action_items": ActionItemForm(prefix="__prefix__-"),
            "recommendations": RecommendationForm(prefix="__prefix__-"),
        }
        templates["action_items"].owner.choices = self.owner_choices
        templates["recommendations"].guideline.choices = self.guideline_choices
        return templates

    def requested_action(self) -> EditorAction:
        match = _ACTION.fullmatch(self.action.data or "save")
        if match is None:
            return EditorAction("save")
        verb, target = match["verb"], match["target"]
        needs_topic = (verb.startswith("add-") and verb != "add-topic") or verb in ("up", "down")
        if needs_topic and (target is None or _row_kind(target) is not None):
            return EditorAction("save")
        if verb == "remove" and target is None:
            return EditorAction("save")
        return EditorAction(verb, target)

    def changes(self) -> MinutesChanges:
        """The validated input as a save takes it, with the requested removal or move done.
        New rows and TOPs left completely empty are not part of it."""
        topics = [
            change
            for change in (_topic_change(entry) for entry in self.topics)
            if change is not None
        ]
        changes = MinutesChanges(
            topics=tuple(topics),
            opening=self.opening.data,
            closing=self.closing.data,
            next_session_date=self.next_session_date.data,
        )
        return _with_action(changes, self.requested_action())

    def based_on(self, revision: int) -> None:
        """Send `revision` with the next save (after a conflict has been shown)."""
        self.revision.data = revision
        self.revision.raw_data = [str(revision)]

    def show_problems(self, problems: dict[str, str]) -> None:
        """Put a save's objections next to the fields they are about."""
        fields = dict(_named_fields(self))
        for name, message in problems.items():
            field = fields.get(name)
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]

    def error_entries(self) -> list[ErrorEntry]:
        """Every problem in the form, in the order of the page."""
        entries = [ErrorEntry(None, None, str(message)) for message in self.form_errors]
        for name, field in _named_fields(self):
            if not field.errors or name == "csrf_token":
                continue
            hidden = field.type == "HiddenField"
            place = None if hidden else _place(self, name, field)
            for message in field.errors:
                entries.append(ErrorEntry(None if hidden else field.id, place, str(message)))
        return entries


def _owner_choices(experts: list[Expert], organisations: list[Organisation]) -> list:
    expert_group, organisation_group = _("Experts"), _("Organisations")
    return [
        SelectChoice("", _("– nobody yet –")),
        *(
            SelectChoice(
                f"expert:{expert.id}",
                f"{expert.sort_name} ({expert.organisation.name})",
                optgroup=expert_group,
            )
            for expert in experts
        ),
        *(
            SelectChoice(
                f"organisation:{organisation.id}", organisation.name, optgroup=organisation_group
            )
            for organisation in organisations
        ),
    ]


def _guideline_choices(guidelines: list[Guideline]) -> list:
    language = current_language()
    return [
        SelectChoice("", _("– choose a guideline –")),
        *(
            SelectChoice(str(guideline.id), f"{guideline.number}. {guideline.title(language)}")
            for guideline in guidelines
        ),
    ]


def _row_kind(target: str) -> str | None:
    parts = target.split("-")
    return parts[2] if len(parts) == 4 else None


def _topic_change(entry: FormField) -> TopicChange | None:
    form = entry.form
    decisions = tuple(
        DecisionChange(key=row.name, id=row.form.id.data, text=row.form.text.data)
        for row in form.decisions
        if row.form.id.data is not None or row.form.text.data.strip()
    )
    action_items = tuple(
        _action_item_change(row)
        for row in form.action_items
        if row.form.id.data is not None
        or row.form.text.data.strip()
        or row.form.owner.data
        or row.form.due_date.data
    )
    recommendations = tuple(
        RecommendationChange(
            key=row.name,
            id=row.form.id.data,
            text=row.form.text.data,
            guideline_id=int(row.form.guideline.data) if row.form.guideline.data else None,
            actors=row.form.actors.data or "",
        )
        for row in form.recommendations
        if row.form.id.data is not None
        or row.form.text.data.strip()
        or row.form.guideline.data
        or row.form.actors.data
    )
    title, discussion = form.title.data or "", form.discussion.data
    if form.id.data is None and not (
        title or discussion.strip() or decisions or action_items or recommendations
    ):
        return None
    return TopicChange(
        key=entry.name,
        id=form.id.data,
        title=title,
        discussion=discussion,
        decisions=decisions,
        action_items=action_items,
        recommendations=recommendations,
    )


def _action_item_change(row: FormField) -> ActionItemChange:
    expert_id = organisation_id = None
    owner = _OWNER.fullmatch(row.form.owner.data or "")
    if owner is not None and owner["kind"] == "expert":
        expert_id = int(owner["id"])
    elif owner is not None:
        organisation_id = int(owner["id"])
    return ActionItemChange(
        key=row.name,
        id=row.form.id.data,
        text=row.form.text.data,
        owner_expert_id=expert_id,
        owner_organisation_id=organisation_id,
        due_date=row.form.due_date.data,
    )


def _with_action(changes: MinutesChanges, action: EditorAction) -> MinutesChanges:
    topics = list(changes.topics)
    if action.verb == "remove":
        topics = [topic for topic in topics if topic.key != action.target]
        topics = [
            replace(
                topic,
                **{
                    kind: tuple(row for row in getattr(topic, kind) if row.key != action.target)
                    for kind in ROW_KINDS
                },
            )
            for topic in topics
        ]
    elif action.verb in ("up", "down"):
        keys = [topic.key for topic in topics]
        if action.target in keys:
            index = keys.index(action.target)
            other = index - 1 if action.verb == "up" else index + 1
            if 0 <= other < len(topics):
                topics[index], topics[other] = topics[other], topics[index]
    return replace(changes, topics=tuple(topics))


def _named_fields(form: Form):
    """Every field of the form, nested ones included, with its full name."""
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                yield from _named_fields(entry.form)
        elif isinstance(field, FormField):
            yield from _named_fields(field.form)
        else:
            yield field.name, field


_ROW_PLACES = {
    "decisions": _l("TOP %(number)d, decision %(row)d: %(field)s"),
    "action_items": _l("TOP %(number)d, action item %(row)d: %(field)s"),
    "recommendations": _l("TOP %(number)d, recommendation %(row)d: %(field)s"),
}


def _place(form: MinutesForm, name: str, field: Field) -> str:
    """Where a field is on the page, in words: "TOP 2, decision 1: Decision"."""
    label = str(field.label.text)
    if not name.startswith("topics-"):
        return label
    topic_names = [entry.name for entry in form.topics]
    parts = name.split("-")
    topic_name = "-".join(parts[:2])
    number = topic_names.index(topic_name) + 1 if topic_name in topic_names else 0
    if len(parts) == 3:
        return _("TOP %(number)d: %(field)s", number=number, field=label)
    kind, row_name = parts[2], "-".join(parts[:4])
    rows = getattr(form.topics.entries[number - 1].form, kind) if number else []
    row_names = [row.name for row in rows]
    row_number = row_names.index(row_name) + 1 if row_name in row_names else 0
    return str(_ROW_PLACES[kind]) % {"number": number, "row": row_number, "field": label}


def minutes_form_data(
    changes: MinutesChanges, revision: int, add: tuple[str, int | None] | None = None
) -> dict:
    """The editor's fields filled from `changes` (see `editing.changes_from`) at `revision`;
    `add` asks for an empty TOP ("topic", None) or an empty row of a kind ("decisions" …) in
    the TOP with that id."""
    topics = [
        {
            "id": topic.id,
            "title": topic.title,
            "discussion": topic.discussion,
            "decisions": [{"id": row.id, "text": row.text} for row in topic.decisions],
            "action_items": [
                {
                    "id": row.id,
                    "text": row.text,
                    "owner": _owner_value(row),
                    "due_date": row.due_date,
                }
                for row in topic.action_items
            ],
            "recommendations": [
                {
                    "id": row.id,
                    "text": row.text,
                    "guideline": str(row.guideline_id) if row.guideline_id else "",
                    "actors": row.actors,
                }
                for row in topic.recommendations
            ],
        }
        for topic in changes.topics
    ]
    if add is not None:
        kind, topic_id = add
        if kind == "topic":
            topics.append({"id": None, "title": "", "discussion": ""})
        for topic in topics:
            if kind in ROW_KINDS and topic["id"] == topic_id:
                topic[kind].append({"id": None})
    return {
        "revision": revision,
        "opening": changes.opening,
        "closing": changes.closing,
        "next_session_date": changes.next_session_date,
        "topics": topics,
    }


def _owner_value(item: ActionItemChange) -> str:
    if item.owner_expert_id is not None:
        return f"expert:{item.owner_expert_id}"
    if item.owner_organisation_id is not None:
        return f"organisation:{item.owner_organisation_id}"
    return ""


class CloseActionItemForm(FlaskForm):
    note = TextAreaField(
        _l("Note on closing"),
        validators=[Length(max=MAX_CLOSING_NOTE_LENGTH)],
        filters=[strip_whitespace],
    )


class ReopenActionItemForm(FlaskForm):
    """No fields: it carries the CSRF token of the reopen button."""
