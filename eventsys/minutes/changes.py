"""What an editor sends: the whole text of minutes as plain data, TOPs and rows in their
order.

Each part carries `key`, the name the editor gives it (such as "topics-2" or
"topics-2-action_items-0"): problems are reported as "<key>-<field>", and `editing.saved_ids`
answers which row each key became. A part without `id`, or with an id that is not one of its
list's rows (someone else removed it meanwhile), is added as a new row.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DecisionChange:
    key: str
    text: str
    id: int | None = None


@dataclass(frozen=True)
class ActionItemChange:
    """An action item; its owner is an expert or an organisation (problems: "<key>-owner")."""

    key: str
    text: str
    owner_expert_id: int | None = None
    owner_organisation_id: int | None = None
    due_date: date | None = None
    id: int | None = None


@dataclass(frozen=True)
class RecommendationChange:
    """A recommendation for the charter (problems about the guideline: "<key>-guideline")."""

    key: str
    text: str
    guideline_id: int | None = None
    actors: str = ""
    id: int | None = None


@dataclass(frozen=True)
class TopicChange:
    key: str
    title: str
    discussion: str = ""
    decisions: tuple[DecisionChange, ...] = ()
    action_items: tuple[ActionItemChange, ...] = ()
    recommendations: tuple[RecommendationChange, ...] = ()
    id: int | None = None


@dataclass(frozen=True)
class MinutesChanges:
    """The whole text of the minutes as the editor holds it; TOPs and rows in their order.
    What is left out is removed."""

    topics: tuple[TopicChange, ...]
    opening: str = ""
    closing: str = ""
    next_session_date: date | None = None
