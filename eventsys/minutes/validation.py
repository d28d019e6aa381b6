"""The rules a save of minutes must keep, checked before anything changes: required texts,
lengths, one-line fields, Markdown the documents can print, and owners and guidelines that
exist."""

from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from eventsys.experts.models import Expert, Organisation
from eventsys.extensions import db
from eventsys.markup import markdown_problem
from eventsys.minutes.changes import (
    ActionItemChange,
    MinutesChanges,
    RecommendationChange,
    TopicChange,
)
from eventsys.minutes.errors import MinutesError
from eventsys.minutes.models import Guideline
from eventsys.validation import has_control_characters

MAX_TITLE_LENGTH = 300  # MinutesTopic.title
MAX_ACTORS_LENGTH = 500  # Recommendation.actors
# Far more than any session has; a bound on what one save asks the database to do.
MAX_TOPICS = 100
MAX_ROWS_PER_LIST = 200


class InvalidMinutes(MinutesError):
    """Changes that break a rule; `problems` maps the name of each field (the part's `key`
    and the field, e.g. "topics-0-decisions-1-text") to the reason, in the user's language."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def problems_in(changes: MinutesChanges) -> dict[str, str]:
    """What is wrong with `changes`: the reason for each field name, empty if nothing is."""
    problems: dict[str, str] = {}
    for name in ("opening", "closing"):
        _check_markdown(problems, name, getattr(changes, name))
    if changes.next_session_date is not None and not isinstance(changes.next_session_date, date):
        problems["next_session_date"] = _("Enter the date of the next session as a date.")
    if len(changes.topics) > MAX_TOPICS:
        problems[""] = _("Minutes can have at most %(count)d TOPs.", count=MAX_TOPICS)
    expert_ids, organisation_ids, guideline_ids = _referenced_ids(changes)
    known_experts = _existing(Expert.id, expert_ids)
    known_organisations = _existing(Organisation.id, organisation_ids)
    known_guidelines = _existing(Guideline.id, guideline_ids)
    for topic in changes.topics:
        _check_title(problems, topic)
        _check_markdown(problems, f"{topic.key}-discussion", topic.discussion)
        for kind in ("decisions", "action_items", "recommendations"):
            if len(getattr(topic, kind)) > MAX_ROWS_PER_LIST:
                problems[f"{topic.key}-title"] = _(
                    "A TOP can have at most %(count)d entries of each kind.",
                    count=MAX_ROWS_PER_LIST,
                )
        for decision in topic.decisions:
            _check_required_text(
                problems, decision.key, decision.text, _("Enter the decision, or remove it.")
            )
        for item in topic.action_items:
            _check_required_text(
                problems, item.key, item.text, _("Enter the action item, or remove it.")
            )
            _check_owner(problems, item, known_experts, known_organisations)
            if item.due_date is not None and not isinstance(item.due_date, date):
                problems[f"{item.key}-due_date"] = _("Enter the due date as a date.")
        for recommendation in topic.recommendations:
            _check_required_text(
                problems,
                recommendation.key,
                recommendation.text,
                _("Enter the recommendation, or remove it."),
            )
            _check_recommendation(problems, recommendation, known_guidelines)
    return problems


def _referenced_ids(changes: MinutesChanges) -> tuple[set[int], set[int], set[int]]:
    items = [item for topic in changes.topics for item in topic.action_items]
    recommendations = [entry for topic in changes.topics for entry in topic.recommendations]
    return (
        {item.owner_expert_id for item in items if item.owner_expert_id is not None},
        {item.owner_organisation_id for item in items if item.owner_organisation_id is not None},
        {entry.guideline_id for entry in recommendations if entry.guideline_id is not None},
    )


def _existing(column: sa.orm.InstrumentedAttribute, ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(column).where(column.in_(sorted(ids)))))


def _check_markdown(problems: dict[str, str], name: str, text: str) -> None:
    problem = markdown_problem(text)
    if problem:
        problems[name] = problem


def _check_required_text(problems: dict[str, str], key: str, text: str, missing: str) -> None:
    if not text.strip():
        problems[f"{key}-text"] = missing
    else:
        _check_markdown(problems, f"{key}-text", text)


def _check_title(problems: dict[str, str], topic: TopicChange) -> None:
    name = f"{topic.key}-title"
    if not topic.title.strip():
        problems[name] = _("Enter the title of the TOP.")
    elif len(topic.title) > MAX_TITLE_LENGTH:
        problems[name] = _(
            "The title can have at most %(count)d characters.", count=MAX_TITLE_LENGTH
        )
    elif has_control_characters(topic.title):
        problems[name] = _("The title must fit on one line.")


def _check_owner(
    problems: dict[str, str],
    item: ActionItemChange,
    known_experts: set[int],
    known_organisations: set[int],
) -> None:
    name = f"{item.key}-owner"
    if item.owner_expert_id is not None and item.owner_organisation_id is not None:
        problems[name] = _("Choose an expert or an organisation as the owner, not both.")
    elif item.owner_expert_id is not None and item.owner_expert_id not in known_experts:
        problems[name] = _(
            "This expert is no longer in the directory. Please choose another owner."
        )
    elif (
        item.owner_organisation_id is not None
        and item.owner_organisation_id not in known_organisations
    ):
        problems[name] = _(
            "This organisation is no longer in the directory. Please choose another owner."
        )


def _check_recommendation(
    problems: dict[str, str], recommendation: RecommendationChange, known_guidelines: set[int]
) -> None:
    if recommendation.guideline_id is None:
        problems[f"{recommendation.key}-guideline"] = _(
            "Choose the guideline the recommendation belongs to."
        )
    elif recommendation.guideline_id not in known_guidelines:
        problems[f"{recommendation.key}-guideline"] = _(
            "This guideline does not exist. Please choose another."
        )
    name = f"{recommendation.key}-actors"
    if len(recommendation.actors) > MAX_ACTORS_LENGTH:
        problems[name] = _(
            "The actors can have at most %(count)d characters.", count=MAX_ACTORS_LENGTH
        )
    elif has_control_characters(recommendation.actors):
        problems[name] = _("The actors must fit on one line.")
