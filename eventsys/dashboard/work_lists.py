"""What is to be done, for the overview: answers to upcoming sessions, replies waiting for a
person, minutes by what they wait for (approval asked by the secretariat among them),
consultation comments without an answer, action items overdue or due soon, and mail that could
not be delivered.

Organisers see the work of the sessions they organise; the secretariat and admins see all of
it (the review queue, consultation comments and undelivered mail are everyone's). Each list
shows at most LIMIT entries with the number of all, in a fixed number of queries whatever the
data size.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from eventsys.auth.models import User
from eventsys.charters.models import Charter, CharterVersion, ConsultationComment
from eventsys.charters.states import CommentStatus
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from eventsys.minutes.action_item_list import (
    ActionItemState,
    platform_today,
    state_condition,
)
from eventsys.minutes.models import ActionItem, Minutes, MinutesComment, MinutesTopic
from eventsys.minutes.states import MinutesState
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.replies.models import InboundMessage
from eventsys.replies.states import Outcome
from eventsys.roles import Role
from eventsys.sessions.models import Session, session_organisers
from eventsys.sessions.states import SessionStatus

LIMIT = 5


T = TypeVar("T")


@dataclass
class Listing(Generic[T]):
    """Up to LIMIT entries of a list, and how many there are in all."""

    entries: list[T] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


@dataclass(frozen=True)
class SessionAnswers:
    session: Session
    accepted: int
    waiting: int  # accepted, on the waiting list
    declined: int
    no_answer: int


@dataclass(frozen=True)
class MinutesEntry:
    session: Session
    minutes: Minutes | None
    open_comments: int = 0  # not dealt with yet


@dataclass(frozen=True)
class CommentsToAnswer:
    charter: Charter
    version: CharterVersion
    open_comments: int


@dataclass
class WorkLists:
    answers: Listing[SessionAnswers]
    replies_waiting: int
    minutes_to_write: Listing[MinutesEntry]
    minutes_out_for_comments: Listing[MinutesEntry]
    minutes_to_approve: Listing[MinutesEntry]
    approval_asked: Listing[MinutesEntry]
    minutes_to_publish: Listing[MinutesEntry]
    comments_to_answer: Listing[CommentsToAnswer]
    action_items_overdue: Listing[ActionItem]
    action_items_due_soon: Listing[ActionItem]
    failed_mail: int
    today: date


def _own_sessions(user: User) -> sa.ColumnElement[bool]:
    """Organisers' work lists hold their own sessions; everyone else's all."""
    if user.role != Role.ORGANISER:
        return sa.true()
    organised = sa.select(session_organisers.c.session_id).where(
        session_organisers.c.user_id == user.id
    )
    return Session.id.in_(organised)


def _listing(query: sa.Select, mine: sa.ColumnElement[bool]) -> Listing:
    """The first LIMIT rows of `query` and the count of all it finds."""
    query = query.where(mine)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    return Listing(list(db.session.execute(query.limit(LIMIT)).all()), total or 0)


def _answers(mine: sa.ColumnElement[bool], now: datetime) -> Listing[SessionAnswers]:
    upcoming = _listing(
        sa.select(Session)
        .where(
            Session.starts_at > now,
            Session.status.in_([SessionStatus.PLANNED, SessionStatus.CONFIRMED]),
        )
        .order_by(Session.starts_at, Session.id),
        mine,
    )
    sessions = [row[0] for row in upcoming.entries]
    counts: dict[int, Counter] = {session.id: Counter() for session in sessions}
    if sessions:
        rows = db.session.execute(
            sa.select(
                Invitation.session_id,
                Invitation.response,
                Invitation.waitlisted_at.is_not(None),
                sa.func.count(),
            )
            .where(Invitation.session_id.in_(counts), Invitation.withdrawn_at.is_(None))
            .group_by(
                Invitation.session_id, Invitation.response, Invitation.waitlisted_at.is_not(None)
            )
        )
        for session_id, response, waiting, count in rows:
            if response == Response.ACCEPTED:
                counts[session_id]["waiting" if waiting else "accepted"] += count
            elif response == Response.NEEDS_ACTION:
                counts[session_id]["no_answer"] += count
            elif response == Response.DECLINED:
                counts[session_id]["declined"] += count
    entries = [
        SessionAnswers(
            session,
            counts[session.id]["accepted"],
            counts[session.id]["waiting"],
            counts[session.id]["declined"],
            counts[session.id]["no_answer"],
        )
        for session in sessions
    ]
    return Listing(entries, upcoming.total)


def _minutes_listing(
    mine: sa.ColumnElement[bool], condition: sa.ColumnElement[bool], newest_first: bool = True
) -> Listing[MinutesEntry]:
    order = Session.starts_at.desc() if newest_first else Session.starts_at
    found = _listing(
        sa.select(Session, Minutes)
        .outerjoin(Minutes, Minutes.session_id == Session.id)
        .where(condition)
        .order_by(order, Session.id),
        mine,
    )
    return Listing(
        [MinutesEntry(session, minutes) for session, minutes in found.entries], found.total
    )


def _with_comment_counts(listing: Listing[MinutesEntry]) -> Listing[MinutesEntry]:
    ids = [entry.minutes.id for entry in listing.entries if entry.minutes is not None]
    counts = (
        dict(
            db.session.execute(
                sa.select(MinutesComment.minutes_id, sa.func.count())
                .where(MinutesComment.minutes_id.in_(ids), MinutesComment.dealt_with_at.is_(None))
                .group_by(MinutesComment.minutes_id)
            ).all()
        )
        if ids
        else {}
    )
    entries = [
        MinutesEntry(
            entry.session,
            entry.minutes,
            counts.get(entry.minutes.id, 0) if entry.minutes is not None else 0,
        )
        for entry in listing.entries
    ]
    return Listing(entries, listing.total)


def _comments_to_answer() -> Listing[CommentsToAnswer]:
    open_counts = (
        sa.select(ConsultationComment.version_id, sa.func.count().label("open_count"))
        .where(ConsultationComment.status == CommentStatus.OPEN)
        .group_by(ConsultationComment.version_id)
        .subquery()
    )
    query = (
        sa.select(CharterVersion, open_counts.c.open_count)
        .join(open_counts, open_counts.c.version_id == CharterVersion.id)
        .join(CharterVersion.charter)
        .options(contains_eager(CharterVersion.charter))
        .order_by(CharterVersion.frozen_at.desc(), CharterVersion.id)
    )
    found = _listing(query, sa.true())
    return Listing(
        [CommentsToAnswer(version.charter, version, count) for version, count in found.entries],
        found.total,
    )


def _action_items(
    mine: sa.ColumnElement[bool], state: ActionItemState, today: date
) -> Listing[ActionItem]:
    query = (
        sa.select(ActionItem)
        .join(ActionItem.topic)
        .join(MinutesTopic.minutes)
        .join(Minutes.session)
        .where(state_condition(state, today))
        .options(
            contains_eager(ActionItem.topic)
            .contains_eager(MinutesTopic.minutes)
            .contains_eager(Minutes.session)
        )
        .order_by(ActionItem.due_date, ActionItem.id)
    )
    found = _listing(query, mine)
    return Listing([row[0] for row in found.entries], found.total)


def work_lists(user: User, now: datetime) -> WorkLists:
    mine = _own_sessions(user)
    today = platform_today(now)
    ended = sa.and_(Session.ends_at < now, Session.status != SessionStatus.CANCELLED)
    return WorkLists(
        answers=_answers(mine, now),
        replies_waiting=db.session.scalar(
            sa.select(sa.func.count())
            .select_from(InboundMessage)
            .where(InboundMessage.outcome == Outcome.NEEDS_REVIEW)
        )
        or 0,
        minutes_to_write=_minutes_listing(
            mine, sa.and_(ended, sa.or_(Minutes.id.is_(None), Minutes.state == MinutesState.DRAFT))
        ),
        minutes_out_for_comments=_with_comment_counts(
            _minutes_listing(
                mine,
                sa.and_(
                    Minutes.state == MinutesState.CIRCULATED,
                    sa.or_(Minutes.comment_deadline.is_(None), Minutes.comment_deadline > now),
                ),
                newest_first=False,
            )
        ),
        minutes_to_approve=_with_comment_counts(
            _minutes_listing(
                mine,
                sa.and_(Minutes.state == MinutesState.CIRCULATED, Minutes.comment_deadline <= now),
                newest_first=False,
            )
        ),
        approval_asked=_minutes_listing(
            mine,
            sa.and_(
                Minutes.approval_requested_at.is_not(None),
                Minutes.state.in_([MinutesState.DRAFT, MinutesState.CIRCULATED]),
            ),
            newest_first=False,
        ),
        minutes_to_publish=_minutes_listing(
            mine, Minutes.state == MinutesState.APPROVED, newest_first=False
        ),
        comments_to_answer=_comments_to_answer(),
        action_items_overdue=_action_items(mine, ActionItemState.OVERDUE, today),
        action_items_due_soon=_action_items(mine, ActionItemState.DUE_SOON, today),
        failed_mail=db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.state == DeliveryState.FAILED)
        )
        or 0,
        today=today,
    )
