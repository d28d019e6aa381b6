"""Writing minutes: the working copy made from the agenda, and saves that change everything
or nothing.

Every save names the revision the editor started from and raises the revision by one, so a
save based on an older revision is a conflict that the editor shows, never a silent overwrite.
Rows keep their ids from save to save: comments point at TOPs and the charter at
recommendations. What a save sends is in `changes`, the rules it must keep in `validation`;
closing action items carried over from earlier sessions is in `action_items`.
"""

from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, selectinload

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.experts.models import Expert, Organisation
from eventsys.extensions import db
from eventsys.i18n import format_local_date, format_local_time, in_language_of
from eventsys.minutes.changes import (
    ActionItemChange,
    DecisionChange,
    MinutesChanges,
    RecommendationChange,
    TopicChange,
)
from eventsys.minutes.errors import EditConflict, MinutesFrozen, frozen_message
from eventsys.minutes.models import (
    ActionItem,
    Decision,
    Guideline,
    Minutes,
    MinutesTopic,
    Recommendation,
)
from eventsys.minutes.states import FROZEN_STATES
from eventsys.minutes.validation import InvalidMinutes, problems_in
from eventsys.sessions.models import Session


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
        with in_language_of(user):
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
        .order_by(Expert.sort_key, Expert.id)
    )
    organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.name))
    return list(experts), list(organisations)


def guidelines() -> list[Guideline]:
    """The chapters of the charter, in their order."""
    return list(db.session.scalars(sa.select(Guideline).order_by(Guideline.number)))


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
    with in_language_of(user):
        if minutes.frozen:
            raise MinutesFrozen(frozen_message())
        if based_on_revision != minutes.revision:
            raise EditConflict(conflict_message(minutes, user))
        found = problems_in(changes)
        if found:
            raise InvalidMinutes(found)
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
