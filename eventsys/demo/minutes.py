"""Minutes for the demo's past workshops: attendance, decisions, action items and
recommendations under the four guidelines; approved, except the last one, still a draft."""

from datetime import timedelta

import sqlalchemy as sa

from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.demo.minutes_data import MINUTES, ROUTINE_TOP, DemoMinutes
from eventsys.experts.models import Expert, Organisation
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.minutes import workflow
from eventsys.minutes.models import (
    ActionItem,
    Decision,
    Guideline,
    Minutes,
    MinutesTopic,
    Recommendation,
)
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionKind

NATIONAL_ATTENDEES = 24
INTERNATIONAL_GUESTS_FROM_GERMANY = 8


def ensure_demo_minutes(approver: User) -> int:
    """Write the minutes of the past demo sessions that have none yet; return how many."""
    written: list[tuple[DemoMinutes, Minutes]] = []
    for index, content in enumerate(MINUTES):
        session = db.session.scalar(
            sa.select(Session).where(Session.title == content.session_title)
        )
        if session is None or db.session.scalar(
            sa.select(Minutes.id).where(Minutes.session_id == session.id)
        ):
            continue
        _record_attendance(session, index)
        minutes = _write_minutes(session, content)
        written.append((content, minutes))
    db.session.flush()
    _close_carried_over_items(written)
    for content, minutes in written:
        audit.record("minutes.created", minutes, "Minutes written (demo data)")
        if content.approved:
            workflow.approve(minutes, approver)
    return len(written)


def _record_attendance(session: Session, index: int) -> None:
    """A plausible attendance list: a rotating selection of experts, a few excused or absent."""
    international = session.kind is SessionKind.INTERNATIONAL_WORKSHOP
    national = list(
        db.session.scalars(
            sa.select(Expert)
            .join(Organisation)
            .where(
                Expert.active.is_(True),
                Organisation.stakeholder_group != StakeholderGroup.INTERNATIONAL_PARTNERS,
            )
            .order_by(Expert.last_name, Expert.first_name)
        )
    )
    count = INTERNATIONAL_GUESTS_FROM_GERMANY if international else NATIONAL_ATTENDEES
    start = (index * 7) % max(len(national), 1)
    chosen = (national[start:] + national[:start])[:count]
    if international:
        chosen += list(
            db.session.scalars(
                sa.select(Expert)
                .join(Organisation)
                .where(Organisation.stakeholder_group == StakeholderGroup.INTERNATIONAL_PARTNERS)
                .order_by(Expert.last_name)
            )
        )
    for number, expert in enumerate(chosen, start=1):
        if number % 13 == 0:
            status = AttendanceStatus.ABSENT
        elif number % 6 == 0:
            status = AttendanceStatus.EXCUSED
        else:
            status = AttendanceStatus.PRESENT
        db.session.add(
            Attendee(session=session, expert=expert, status=status, marked_at=session.starts_at)
        )


def _write_minutes(session: Session, content: DemoMinutes) -> Minutes:
    guidelines = {
        guideline.number: guideline for guideline in db.session.scalars(sa.select(Guideline))
    }
    minutes = Minutes(
        session=session,
        opening=content.opening,
        closing=content.closing,
        next_session_date=_next_session_day(session),
    )
    for item in session.agenda_items:
        topic = MinutesTopic(
            position=item.position,
            title=item.title,
            agenda_item=item,
            discussion=content.other_tops.get(item.position, item.description or ROUTINE_TOP),
        )
        if item.position == content.work_top:
            topic.discussion = content.discussion
            for number, text in enumerate(content.decisions, start=1):
                topic.decisions.append(Decision(position=number, text=text))
            for number, task in enumerate(content.action_items, start=1):
                topic.action_items.append(
                    ActionItem(
                        position=number,
                        text=task.text,
                        owner_expert=_expert(task.owner_email),
                        due_date=(session.starts_at + timedelta(weeks=task.due_weeks)).date(),
                    )
                )
            for number, recommendation in enumerate(content.recommendations, start=1):
                topic.recommendations.append(
                    Recommendation(
                        position=number,
                        text=recommendation.text,
                        guideline=guidelines[recommendation.guideline],
                        actors=recommendation.actors,
                    )
                )
        minutes.topics.append(topic)
    db.session.add(minutes)
    return minutes


def _expert(email: str) -> Expert | None:
    return db.session.scalar(sa.select(Expert).where(Expert.email == email))


def _next_session_day(session: Session):
    following = db.session.scalar(
        sa.select(Session.starts_at)
        .where(Session.starts_at > session.ends_at)
        .order_by(Session.starts_at)
        .limit(1)
    )
    return following.date() if following else None


def _close_carried_over_items(written: list[tuple[DemoMinutes, Minutes]]) -> None:
    """Mark the action items that a later session's minutes closed, as those minutes say."""
    for content, minutes in written:
        topic = next(topic for topic in minutes.topics if topic.position == content.work_top)
        for task, item in zip(content.action_items, topic.action_items, strict=True):
            if not task.closed_in:
                continue
            closing = next(
                (
                    later
                    for _, later in written
                    if later.session.title.startswith(task.closed_in + ":")
                ),
                None,
            )
            if closing is not None:
                item.closed_at = closing.session.ends_at
                item.closed_in = closing
                item.closed_note = task.closed_note
