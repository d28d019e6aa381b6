"""The complete minutes of a session as plain data: what approval stores, what the PDF embeds as
`minutes.json`, and what the PDF is rendered from.

The data is language-neutral (stakeholder groups, statuses and session kinds as their keys, times
as ISO 8601 in UTC, dates as ISO dates), so that a stored version can be rendered again in German
or English and reads the same as on the day it was approved. It holds only what the record
needs: names, organisations and groups of the attendees, but no e-mail addresses.

Schema "eventsys.minutes/1":

    {"schema", "platform", "minutes_id", "version_number", "correction_reason",
     "session": {"id", "title", "kind", "starts_at", "ends_at",
                 "place": {"address", "room", "online"}},
     "agenda": [{"position", "title", "presenter", "duration_minutes"}],
     "attendance": [{"name", "organisation", "stakeholder_group", "status", "deputy_for",
                     "guest"}],
     "general": {"opening", "closing", "next_session_date"},
     "topics": [{"position", "title", "discussion",
                 "decisions": [{"number", "text"}],
                 "action_items": [{"number", "text", "owner", "due_date", "closed"}],
                 "recommendations": [{"number", "text", "actors",
                                      "guideline": {"number", "title_de", "title_en"}}]}],
     "open_action_items": [{"number", "session_id", "session_title", "session_date", "text",
                            "owner", "due_date", "closed_here", "closed_note"}]}

`closed` is None or {"at", "session_id", "note"}. Markdown texts (opening, closing,
discussion) are kept as their source.
"""

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import selectinload

from eventsys.attendance.models import Attendee
from eventsys.documents.names import name_sort_key
from eventsys.documents.session_facts import session_data
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.localtime import from_utc
from eventsys.minutes import action_items
from eventsys.minutes.models import (
    ActionItem,
    Decision,
    Minutes,
    MinutesTopic,
    Recommendation,
)
from eventsys.sessions.models import AgendaItem, Session

SCHEMA = "eventsys.minutes/1"


def take(minutes: Minutes) -> dict[str, Any]:
    """The minutes with everything they show, as JSON-serialisable data (see the module's
    docstring). Loads with a fixed number of queries, however many TOPs and rows there are."""
    session = _session_with_agenda(minutes.session_id)
    topics = _topics_of(minutes)
    attendees = _attendees_of(session)
    carried_over = action_items.open_before(session)
    earlier_sessions = _sessions_by_id({item.topic.minutes.session_id for item in carried_over})
    return {
        "schema": SCHEMA,
        "platform": current_app.config["PLATFORM_NAME"],
        "minutes_id": minutes.id,
        "version_number": minutes.version_number,
        "correction_reason": minutes.correction_reason or "",
        "session": session_data(session),
        "agenda": [_agenda_item_data(item) for item in session.agenda_items],
        "attendance": [_attendee_data(attendee) for attendee in attendees],
        "general": {
            "opening": minutes.opening or "",
            "closing": minutes.closing or "",
            "next_session_date": _iso_date(minutes.next_session_date),
        },
        "topics": [_topic_data(topic, session.id) for topic in topics],
        "open_action_items": [
            _carried_over_data(item, minutes, earlier_sessions[item.topic.minutes.session_id])
            for item in carried_over
        ],
    }


def _session_with_agenda(session_id: int) -> Session:
    query = (
        sa.select(Session)
        .where(Session.id == session_id)
        .options(selectinload(Session.agenda_items).selectinload(AgendaItem.presenter_expert))
    )
    return db.session.scalars(query).one()


def _topics_of(minutes: Minutes) -> list[MinutesTopic]:
    query = (
        sa.select(MinutesTopic)
        .where(MinutesTopic.minutes_id == minutes.id)
        .options(
            selectinload(MinutesTopic.decisions),
            selectinload(MinutesTopic.action_items).options(
                selectinload(ActionItem.owner_expert),
                selectinload(ActionItem.owner_organisation),
                selectinload(ActionItem.closed_in),
            ),
            selectinload(MinutesTopic.recommendations).selectinload(Recommendation.guideline),
        )
        .order_by(MinutesTopic.position)
    )
    return list(db.session.scalars(query))


def _attendees_of(session: Session) -> list[Attendee]:
    """Experts by surname, then guests by name: the order the list is printed in."""
    query = (
        sa.select(Attendee)
        .where(Attendee.session_id == session.id)
        .options(
            selectinload(Attendee.expert).selectinload(Expert.organisation),
            selectinload(Attendee.deputy_for),
        )
    )
    return sorted(db.session.scalars(query), key=_attendee_order)


def _attendee_order(attendee: Attendee) -> tuple:
    if attendee.expert is not None:
        expert = attendee.expert
        return (1, name_sort_key(expert.last_name), name_sort_key(expert.first_name), attendee.id)
    return (2, name_sort_key(attendee.guest_name), "", attendee.id)


def _sessions_by_id(session_ids: set[int]) -> dict[int, Session]:
    """The sessions the carried-over action items come from, in one query rather than one per
    item."""
    if not session_ids:
        return {}
    sessions = db.session.scalars(sa.select(Session).where(Session.id.in_(session_ids)))
    return {session.id: session for session in sessions}


def _agenda_item_data(item: AgendaItem) -> dict[str, Any]:
    return {
        "position": item.position,
        "title": item.title,
        "presenter": item.presenter,
        "duration_minutes": item.duration_minutes,
    }


def _attendee_data(attendee: Attendee) -> dict[str, Any]:
    group = attendee.stakeholder_group
    return {
        "name": attendee.display_name,
        "organisation": attendee.organisation_name,
        "stakeholder_group": group.value if group is not None else None,
        "status": attendee.status.value,
        "deputy_for": attendee.deputy_for.full_name if attendee.deputy_for else None,
        "guest": attendee.is_guest,
    }


def _topic_data(topic: MinutesTopic, session_id: int) -> dict[str, Any]:
    return {
        "position": topic.position,
        "title": topic.title,
        "discussion": topic.discussion or "",
        "decisions": [_decision_data(decision, session_id) for decision in topic.decisions],
        "action_items": [_action_item_data(item) for item in topic.action_items],
        "recommendations": [_recommendation_data(item) for item in topic.recommendations],
    }


def decision_number(decision: Decision, session_id: int) -> str:
    """B-<session>.<TOP>.<n>, the way recommendations are numbered E-…"""
    return f"B-{session_id}.{decision.topic.position}.{decision.position}"


def _decision_data(decision: Decision, session_id: int) -> dict[str, Any]:
    return {"number": decision_number(decision, session_id), "text": decision.text}


def _action_item_data(item: ActionItem) -> dict[str, Any]:
    closed = None
    if item.closed_at is not None:
        closed = {
            "at": _iso_instant(item.closed_at),
            "session_id": item.closed_in.session_id if item.closed_in is not None else None,
            "note": item.closed_note or "",
        }
    return {
        "number": action_items.number(item),
        "text": item.text,
        "owner": item.owner_name,
        "due_date": _iso_date(item.due_date),
        "closed": closed,
    }


def _recommendation_data(recommendation: Recommendation) -> dict[str, Any]:
    guideline = recommendation.guideline
    return {
        "number": recommendation.number,
        "text": recommendation.text,
        "guideline": {
            "number": guideline.number,
            "title_de": guideline.title_de,
            "title_en": guideline.title_en,
        },
        "actors": recommendation.actors or "",
    }


def _carried_over_data(item: ActionItem, minutes: Minutes, earlier: Session) -> dict[str, Any]:
    return {
        "number": action_items.number(item),
        "session_id": earlier.id,
        "session_title": earlier.title,
        "session_date": from_utc(earlier.starts_at, _time_zone()).date().isoformat(),
        "text": item.text,
        "owner": item.owner_name,
        "due_date": _iso_date(item.due_date),
        "closed_here": item.closed_in_minutes_id == minutes.id,
        "closed_note": item.closed_note or "",
    }


def _time_zone() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _iso_instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
