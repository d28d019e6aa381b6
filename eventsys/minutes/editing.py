"""Writing minutes: the working copy made from the agenda, saves that change everything or
nothing, and closing the action items that earlier sessions left open.

Every save names the revision the editor started from and raises the revision by one, so a
save based on an older revision is a conflict that the editor shows, never a silent overwrite.
Rows keep their ids from save to save: comments point at TOPs and the charter at
recommendations.
"""

from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.experts.models import Expert, Organisation
from eventsys.extensions import db
from eventsys.i18n import format_local_date, format_local_time
from eventsys.markup import markdown_problem
from eventsys.minutes import action_items
from eventsys.minutes.errors import EditConflict, MinutesError, MinutesFrozen
from eventsys.minutes.models import (
    ActionItem,
    Decision,
    Guideline,
    Minutes,
    MinutesTopic,
    Recommendation,
)
from eventsys.minutes.states import FROZEN_STATES
from eventsys.sessions.models import Session

MAX_TITLE_LENGTH = 300  # MinutesTopic.title
MAX_ACTORS_LENGTH = 500  # Recommendation.actors
MAX_CLOSING_NOTE_LENGTH = 2000
# Far more than any session has; a bound on what one save asks the database to do.
MAX_TOPICS = 100
MAX_ROWS_PER_LIST = 200


class InvalidMinutes(MinutesError):
    """Changes that break a rule; `problems` maps the name of each field (the part's `key`
    and the field, e.g. "topics-0-decisions-1-text") to the reason, in the user's language."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


# What an editor sends. Each part carries `key`, the name the editor gives it (such as
# "topics-2" or "topics-2-action_items-0"): problems are reported as "<key>-<field>", and
# `saved_ids` answers which row each key became. A part without `id`, or with an id that is
# not one of its list's rows (someone else removed it meanwhile), is added as a new row.


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


@dataclass(frozen=True)
class CarriedOverItem:
    """An action item from an earlier session's minutes, with its number and that session."""

    item: ActionItem
    number: str
    session: Session


@contextmanager
def _in_language_of(user: User) -> Iterator[None]:
    """Messages and dates for `user`, also outside a request (commands, tests)."""
    with force_locale(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def load_minutes(session_id: int) -> Minutes | None:
    """The session's minutes with everything the editor and the read-only view show, loaded
    in a fixed number of queries however many TOPs and rows there are."""
    topics = selectinload(Minutes.topics)
    query = (
        sa.select(Minutes)
        .where(Minutes.session_id == session_id)
        .options(
            joinedload(Minutes.session),
            joinedload(Minutes.updated_by),
            topics.selectinload(MinutesTopic.decisions),
            topics.selectinload(MinutesTopic.action_items).options(
                selectinload(ActionItem.owner_expert), selectinload(ActionItem.owner_organisation)
            ),
            topics.selectinload(MinutesTopic.recommendations).selectinload(
                Recommendation.guideline
            ),
        )
    )
    return db.session.scalar(query)


def minutes_for(session: Session, user: User) -> Minutes:
    """The working copy of the session's minutes. On first use it is made (and flushed) with
    one TOP per agenda item, numbered and titled as on the agenda; a session without an agenda
    gets one general TOP, named in `user`'s language."""
    minutes = load_minutes(session.id)
    if minutes is not None:
        return minutes
    topics = [
        MinutesTopic(position=item.position, title=item.title, agenda_item=item)
        for item in session.agenda_items
    ]
    if not topics:
        with _in_language_of(user):
            topics = [MinutesTopic(position=1, title=_("General"))]
    minutes = Minutes(session=session, topics=topics, updated_by=user)
    try:
        with db.session.begin_nested():
            db.session.add(minutes)
    except sa.exc.IntegrityError:
        # Someone opened the same minutes at the same moment; theirs is the working copy.
        return load_minutes(session.id)
    audit.record(
        "minutes.created",
        minutes,
        f"Minutes of session {session.id} started with {len(topics)} TOPs",
    )
    return minutes


def changes_from(minutes: Minutes) -> MinutesChanges:
    """The minutes as they are stored, in the shape a save takes (keys as the editor names
    them), for filling the editor and for changing one part in code."""
    topics = []
    for index, topic in enumerate(minutes.topics):
        key = f"topics-{index}"
        topics.append(
            TopicChange(
                key=key,
                id=topic.id,
                title=topic.title,
                discussion=topic.discussion,
                decisions=tuple(
                    DecisionChange(key=f"{key}-decisions-{row}", id=decision.id, text=decision.text)
                    for row, decision in enumerate(topic.decisions)
                ),
                action_items=tuple(
                    ActionItemChange(
                        key=f"{key}-action_items-{row}",
                        id=item.id,
                        text=item.text,
                        owner_expert_id=item.owner_expert_id,
                        owner_organisation_id=item.owner_organisation_id,
                        due_date=item.due_date,
                    )
                    for row, item in enumerate(topic.action_items)
                ),
                recommendations=tuple(
                    RecommendationChange(
                        key=f"{key}-recommendations-{row}",
                        id=recommendation.id,
                        text=recommendation.text,
                        guideline_id=recommendation.guideline_id,
                        actors=recommendation.actors,
                    )
                    for row, recommendation in enumerate(topic.recommendations)
                ),
            )
        )
    return MinutesChanges(
        topics=tuple(topics),
        opening=minutes.opening,
        closing=minutes.closing,
        next_session_date=minutes.next_session_date,
    )


def owner_candidates(minutes: Minutes) -> tuple[list[Expert], list[Organisation]]:
    """Who can own an action item: active experts (and any expert who already owns one in
    these minutes), and all organisations."""
    current_owners = {
        item.owner_expert_id
        for topic in minutes.topics
        for item in topic.action_items
        if item.owner_expert_id is not None
    }
    experts = db.session.scalars(
        sa.select(Expert)
        .options(joinedload(Expert.organisation))
        .where(sa.or_(Expert.active, Expert.id.in_(sorted(current_owners))))
        .order_by(Expert.last_name, Expert.first_name, Expert.id)
    )
    organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.name))
    return list(experts), list(organisations)


def guidelines() -> list[Guideline]:
    """The chapters of the charter, in their order."""
    return list(db.session.scalars(sa.select(Guideline).order_by(Guideline.number)))


def carried_over(session: Session) -> list[CarriedOverItem]:
    """Action items from earlier sessions that were open when this session's minutes were
    written (see `action_items.open_before`), each with the session it comes from."""
    items = action_items.open_before(session)
    session_ids = {item.topic.minutes.session_id for item in items}
    sessions = {
        earlier.id: earlier
        for earlier in db.session.scalars(
            sa.select(Session).where(Session.id.in_(sorted(session_ids)))
        )
    }
    return [
        CarriedOverItem(item, action_items.number(item), sessions[item.topic.minutes.session_id])
        for item in items
    ]


def frozen_message() -> str:
    return _(
        "These minutes are approved, so their text can no longer be changed. "
        "To change them, start a correction."
    )


def conflict_message(minutes: Minutes, user: User) -> str:
    """Who saved the minutes last, and when, as the editor that was overtaken reads it."""
    shown = {
        "date": format_local_date(minutes.updated_at),
        "time": format_local_time(minutes.updated_at),
    }
    if minutes.updated_by_id is not None and minutes.updated_by_id == user.id:
        return _(
            "You saved these minutes in another window or tab on %(date)s at %(time)s, "
            "after this page was opened.",
            **shown,
        )
    if minutes.updated_by is None:
        return _(
            "Someone else saved these minutes on %(date)s at %(time)s, after you opened them.",
            **shown,
        )
    return _(
        "%(name)s saved these minutes on %(date)s at %(time)s, after you opened them.",
        name=minutes.updated_by.name,
        **shown,
    )


def save(
    minutes: Minutes, changes: MinutesChanges, *, based_on_revision: int, user: User
) -> Minutes:
    """Apply the general part and every TOP with its rows at once, raise the revision and
    record the save. A save that changes nothing keeps the revision.

    Raises MinutesFrozen for approved or published minutes, EditConflict (naming who saved
    when) unless `based_on_revision` is the current revision, and InvalidMinutes, having
    changed nothing, if any part breaks a rule.
    """
    with _in_language_of(user):
        if minutes.frozen:
            raise MinutesFrozen(frozen_message())
        if based_on_revision != minutes.revision:
            raise EditConflict(conflict_message(minutes, user))
        problems = _problems(changes)
        if problems:
            raise InvalidMinutes(problems)
        savepoint = db.session.begin_nested()
        try:
            if not _claim_next_revision(minutes, based_on_revision, user):
                savepoint.rollback()
                db.session.refresh(minutes)
                if minutes.frozen:
                    raise MinutesFrozen(frozen_message())
                raise EditConflict(conflict_message(minutes, user))
            tally = _apply(minutes, changes)
            db.session.flush()
        except BaseException:
            if savepoint.is_active:
                savepoint.rollback()
            raise
        if not tally:
            savepoint.rollback()
            return minutes
        savepoint.commit()
    audit.record(
        "minutes.saved",
        minutes,
        f"Minutes of session {minutes.session_id} saved as revision {minutes.revision}: "
        + _summary(tally),
        {"revision": [based_on_revision, minutes.revision]},
    )
    return minutes


def saved_ids(minutes: Minutes, changes: MinutesChanges) -> dict[str, int]:
    """The id of the TOP or row each key of `changes` became, after `save`."""
    ids = {}
    for topic, topic_change in zip(minutes.topics, changes.topics, strict=True):
        ids[topic_change.key] = topic.id
        for kind in ("decisions", "action_items", "recommendations"):
            for row, row_change in zip(
                getattr(topic, kind), getattr(topic_change, kind), strict=True
            ):
                ids[row_change.key] = row.id
    return ids


def _claim_next_revision(minutes: Minutes, based_on_revision: int, user: User) -> bool:
    """Raise the revision if it is still `based_on_revision` and the minutes are not frozen.

    One UPDATE decides, so two saves that start together cannot both pass; it also locks the
    minutes until commit, so that the changes of two saves never interleave.
    """
    result = db.session.execute(
        sa.update(Minutes)
        .where(
            Minutes.id == minutes.id,
            Minutes.revision == based_on_revision,
            Minutes.state.not_in(sorted(FROZEN_STATES)),
        )
        .values(revision=Minutes.revision + 1, updated_by_id=user.id, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        return False
    db.session.expire(minutes, ["updated_by"])
    return True


# Checking


def _problems(changes: MinutesChanges) -> dict[str, str]:
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


def _has_control_characters(value: str) -> bool:
    return any(ord(char) < 32 or ord(char) == 127 for char in value)


def _check_title(problems: dict[str, str], topic: TopicChange) -> None:
    name = f"{topic.key}-title"
    if not topic.title.strip():
        problems[name] = _("Enter the title of the TOP.")
    elif len(topic.title) > MAX_TITLE_LENGTH:
        problems[name] = _(
            "The title can have at most %(count)d characters.", count=MAX_TITLE_LENGTH
        )
    elif _has_control_characters(topic.title):
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
    elif _has_control_characters(recommendation.actors):
        problems[name] = _("The actors must fit on one line.")


# Applying

_ROW_FIELDS = {
    "decisions": (Decision, "decision", ("text",)),
    "action_items": (
        ActionItem,
        "action item",
        ("text", "owner_expert_id", "owner_organisation_id", "due_date"),
    ),
    "recommendations": (Recommendation, "recommendation", ("text", "guideline_id", "actors")),
}


def _set_changed(record: object, values: dict[str, object]) -> bool:
    """Set the fields that differ; whether any did."""
    changed = False
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def _apply(minutes: Minutes, changes: MinutesChanges) -> Counter:
    """Make the stored minutes match `changes`; count what changed, as (noun, verb)."""
    tally: Counter = Counter()
    general = {
        "opening": changes.opening,
        "closing": changes.closing,
        "next_session_date": changes.next_session_date,
    }
    if _set_changed(minutes, general):
        tally["general part", "changed"] += 1

    existing = {topic.id: topic for topic in minutes.topics}
    matched: list[tuple[TopicChange, MinutesTopic | None]] = []
    for change in changes.topics:
        matched.append((change, existing.pop(change.id, None) if change.id else None))
    # TOP positions are unique and checked row by row: removed TOPs make room first, and TOPs
    # that move wait on a negative position before taking their new one.
    for removed in existing.values():
        minutes.topics.remove(removed)
        tally["TOP", "removed"] += 1
    if existing:
        db.session.flush()
    moving = [
        topic
        for position, (_change, topic) in enumerate(matched, start=1)
        if topic is not None and topic.position != position
    ]
    for topic in moving:
        topic.position = -topic.id
        tally["TOP", "moved"] += 1
    if moving:
        db.session.flush()

    ordered = []
    for position, (change, topic) in enumerate(matched, start=1):
        if topic is None:
            topic = MinutesTopic(
                position=position, title=change.title.strip(), discussion=change.discussion
            )
            tally["TOP", "added"] += 1
        else:
            topic.position = position
            text = {"title": change.title.strip(), "discussion": change.discussion}
            if _set_changed(topic, text):
                tally["TOP", "changed"] += 1
        for kind in _ROW_FIELDS:
            _apply_rows(topic, kind, getattr(change, kind), tally)
        ordered.append(topic)
    minutes.topics = ordered
    return tally


def _apply_rows(topic: MinutesTopic, kind: str, changes: Sequence[object], tally: Counter) -> None:
    model, noun, fields = _ROW_FIELDS[kind]
    unused = {row.id: row for row in getattr(topic, kind)}
    ordered = []
    for position, change in enumerate(changes, start=1):
        values = {name: getattr(change, name) for name in fields}
        if "actors" in values:
            values["actors"] = values["actors"].strip()
        row = unused.pop(change.id, None) if change.id else None
        if row is None:
            row = model(position=position, **values)
            tally[noun, "added"] += 1
        else:
            if row.position != position:
                row.position = position
                tally[noun, "moved"] += 1
            if _set_changed(row, values):
                tally[noun, "changed"] += 1
        ordered.append(row)
    if unused:
        tally[noun, "removed"] += len(unused)
    setattr(topic, kind, ordered)


def _summary(tally: Counter) -> str:
    parts = []
    for (noun, verb), count in sorted(tally.items()):
        if noun == "general part":
            parts.append("general part changed")
        else:
            parts.append(f"{count} {noun}{'' if count == 1 else 's'} {verb}")
    return ", ".join(parts)


# Action items carried over from earlier sessions


def _check_carried_over(item: ActionItem, minutes: Minutes) -> None:
    if minutes.frozen:
        raise MinutesFrozen(frozen_message())
    if item.topic.minutes.session.starts_at >= minutes.session.starts_at:
        raise MinutesError(
            _(
                "Only action items from earlier sessions can be closed or reopened here; "
                "change this session's own action items in its TOPs."
            )
        )


def close_action_item(item: ActionItem, minutes: Minutes, note: str, user: User) -> None:
    """Close an action item from an earlier session in these minutes, with a note.

    Raises MinutesFrozen if these minutes are approved, and MinutesError if the item is not
    from an earlier session, is already closed, or the note is too long.
    """
    with _in_language_of(user):
        _check_carried_over(item, minutes)
        if not item.is_open:
            raise MinutesError(_("This action item has already been closed."))
        note = note.strip()
        if len(note) > MAX_CLOSING_NOTE_LENGTH:
            raise MinutesError(
                _(
                    "The note can have at most %(count)d characters.",
                    count=MAX_CLOSING_NOTE_LENGTH,
                )
            )
    item.closed_at = utcnow()
    item.closed_in = minutes
    item.closed_note = note
    db.session.flush()
    audit.record(
        "action_item.closed",
        item,
        f"{action_items.number(item)} closed in the minutes of session {minutes.session_id}",
        {"closed_note": ["", note]},
    )


def reopen_action_item(item: ActionItem, minutes: Minutes, user: User) -> None:
    """Undo closing an action item in these minutes: it is open again.

    Raises MinutesFrozen if these minutes are approved, and MinutesError unless the item is
    from an earlier session and was closed in these minutes.
    """
    with _in_language_of(user):
        _check_carried_over(item, minutes)
        if item.closed_in_minutes_id != minutes.id:
            raise MinutesError(_("This action item was not closed in these minutes."))
    note = item.closed_note
    item.closed_at = None
    item.closed_in = None
    item.closed_note = ""
    db.session.flush()
    audit.record(
        "action_item.reopened",
        item,
        f"{action_items.number(item)} reopened in the minutes of session {minutes.session_id}",
        {"closed_note": [note, ""]},
    )
