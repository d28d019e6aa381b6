"""Reminders: to invitees who have not answered as the answer deadline nears, and to those who
accepted on the day before the session (with the calendar entry again).

The scheduled run (`send_due_reminders`) sends each reminder at most once per invitation: the
invitation's `deadline_reminder_sent_at` / `eve_reminder_sent_at` is set in the same transaction
that queues the mail, by a conditional update, so two runs at the same time cannot both send it.
Moving a session clears both fields (see `invitations.services.session_moved`), so that the
new date is reminded of again. Like every service, these functions flush but never commit.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from eventsys.audit import services as audit
from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.mail import MailKind, queue_invitation_mail
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from eventsys.localtime import platform_zone
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionStatus

# Which flag records that a reminder of each kind went out.
SENT_FIELDS = {
    MailKind.DEADLINE_REMINDER: "deadline_reminder_sent_at",
    MailKind.EVE_REMINDER: "eve_reminder_sent_at",
}


class ReminderError(ValueError):
    """A user-facing reason why reminders cannot be sent for a session."""


@dataclass
class ReminderCounts:
    """How many reminders of each kind a scheduled run queued."""

    deadline: int = 0
    eve: int = 0

    @property
    def total(self) -> int:
        return self.deadline + self.eve


def _berlin_day_after(now: datetime) -> tuple[datetime, datetime]:
    """The UTC start and end of the calendar day after `now` in the platform's zone (Berlin,
    where the sessions take place)."""
    berlin = platform_zone()
    tomorrow = now.astimezone(berlin).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(0), tzinfo=berlin)
    end = datetime.combine(tomorrow + timedelta(days=1), time(0), tzinfo=berlin)
    return start.astimezone(UTC), end.astimezone(UTC)


def _remindable(now: datetime) -> list:
    """Conditions every reminder shares: an active invitation of an active expert to a session
    that still lies ahead, is not cancelled and has reminders turned on."""
    return [
        Invitation.withdrawn_at.is_(None),
        Expert.active.is_(True),
        Session.reminders_enabled.is_(True),
        Session.status.in_([SessionStatus.PLANNED, SessionStatus.CONFIRMED]),
        Session.starts_at > now,
    ]


def _candidates(*conditions) -> list[Invitation]:
    query = (
        sa.select(Invitation)
        .join(Invitation.session)
        .join(Invitation.expert)
        .where(*conditions)
        .options(contains_eager(Invitation.session), contains_eager(Invitation.expert))
        .order_by(Session.starts_at, Session.id, Invitation.id)
    )
    return list(db.session.scalars(query))


def reminder_days_before() -> int:
    """How many days before the answer deadline those without an answer are reminded."""
    return current_app.config["REMINDER_DAYS_BEFORE_DEADLINE"]


def due_deadline_reminders(now: datetime) -> list[Invitation]:
    """Invitations without an answer whose session's answer deadline is less than
    REMINDER_DAYS_BEFORE_DEADLINE days away (and not yet past), not yet reminded."""
    days = reminder_days_before()
    return _candidates(
        *_remindable(now),
        Invitation.response == Response.NEEDS_ACTION,
        Invitation.deadline_reminder_sent_at.is_(None),
        Session.rsvp_deadline.is_not(None),
        Session.rsvp_deadline > now,
        Session.rsvp_deadline <= now + timedelta(days=days),
    )


def due_eve_reminders(now: datetime) -> list[Invitation]:
    """Accepted invitations (holding a place, not waiting) to sessions that start on the Berlin
    day after `now`, not yet reminded."""
    tomorrow_starts, tomorrow_ends = _berlin_day_after(now)
    return _candidates(
        *_remindable(now),
        Invitation.response == Response.ACCEPTED,
        Invitation.waitlisted_at.is_(None),
        Invitation.eve_reminder_sent_at.is_(None),
        Session.starts_at >= tomorrow_starts,
        Session.starts_at < tomorrow_ends,
    )


def _claim(invitation: Invitation, kind: str, now: datetime, only_once: bool) -> bool:
    """Record that the reminder of `kind` goes out now; with `only_once`, only if none has.

    A conditional update rather than a read-then-write: of two runs at the same moment, only
    one sees its update match the row (the other waits for the row lock, then matches nothing).
    """
    column = getattr(Invitation, SENT_FIELDS[kind])
    statement = sa.update(Invitation).where(Invitation.id == invitation.id).values({column: now})
    if only_once:
        statement = statement.where(column.is_(None))
    return db.session.execute(statement).rowcount == 1


def _send(
    invitations: Iterable[Invitation], kind: str, now: datetime, only_once: bool
) -> dict[Session, list[Invitation]]:
    """Queue a reminder of `kind` to each invitation claimed; return them grouped by session."""
    by_session: dict[Session, list[Invitation]] = {}
    for invitation in invitations:
        if not _claim(invitation, kind, now, only_once):
            continue
        queue_invitation_mail(invitation, kind)
        by_session.setdefault(invitation.session, []).append(invitation)
    db.session.flush()
    return by_session


def _audit_sent(by_session: dict[Session, list[Invitation]], kind: str, how: str) -> None:
    for session, invitations in by_session.items():
        audit.record(
            f"reminders.{kind}_sent",
            session,
            f"{how.capitalize()} {kind.replace('_', ' ')} sent to {len(invitations)} invitees",
            {"invitations": [invitation.id for invitation in invitations]},
        )


def send_due_reminders(now: datetime | None = None) -> ReminderCounts:
    """Queue every reminder that is due at `now` (default: the current time); each goes out at
    most once per invitation. Returns how many of each kind were queued."""
    now = now or utcnow()
    counts = ReminderCounts()
    for kind, due, field_name in (
        (MailKind.DEADLINE_REMINDER, due_deadline_reminders, "deadline"),
        (MailKind.EVE_REMINDER, due_eve_reminders, "eve"),
    ):
        by_session = _send(due(now), kind, now, only_once=True)
        _audit_sent(by_session, kind, "scheduled")
        setattr(counts, field_name, sum(len(group) for group in by_session.values()))
    return counts


def reminder_kind_now(invitation: Invitation, now: datetime | None = None) -> str | None:
    """The reminder an organiser can send this invitee right now, or None.

    Those who have not answered get the answer reminder. Those who accepted (and hold a place)
    get the session reminder, whose text says "tomorrow", so only from the day before on.
    """
    now = now or utcnow()
    if invitation.withdrawn_at is not None:
        return None
    if invitation.response == Response.NEEDS_ACTION:
        return MailKind.DEADLINE_REMINDER
    if invitation.response == Response.ACCEPTED and not invitation.is_waitlisted:
        _, tomorrow_ends = _berlin_day_after(now)
        if invitation.session.starts_at < tomorrow_ends:
            return MailKind.EVE_REMINDER
    return None


@dataclass
class SendNowResult:
    deadline: list[Invitation] = field(default_factory=list)
    eve: list[Invitation] = field(default_factory=list)
    skipped: list[Invitation] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return len(self.deadline) + len(self.eve)


def check_session_open(session: Session, now: datetime | None = None) -> None:
    """Raise ReminderError when reminders make no sense: cancelled, held or past sessions."""
    now = now or utcnow()
    if session.status == SessionStatus.CANCELLED:
        raise ReminderError(_("The session is cancelled; no reminders can be sent."))
    if session.status == SessionStatus.HELD or session.starts_at <= now:
        raise ReminderError(_("The session has begun or is over; no reminders can be sent."))


def send_reminders_now(
    session: Session, invitations: Iterable[Invitation], now: datetime | None = None
) -> SendNowResult:
    """Send the fitting reminder (see `reminder_kind_now`) to each of `invitations` now, even
    if one was sent before, and whether or not reminders are turned on for the session.

    Invitations of other sessions and invitees with no fitting reminder are skipped. Raises
    ReminderError for a cancelled or past session.
    """
    now = now or utcnow()
    check_session_open(session, now)
    result = SendNowResult()
    chosen: dict[str, list[Invitation]] = {
        MailKind.DEADLINE_REMINDER: result.deadline,
        MailKind.EVE_REMINDER: result.eve,
    }
    for invitation in invitations:
        kind = reminder_kind_now(invitation, now) if invitation.session_id == session.id else None
        if kind is None:
            result.skipped.append(invitation)
        else:
            chosen[kind].append(invitation)
    for kind, group in chosen.items():
        by_session = _send(group, kind, now, only_once=False)
        _audit_sent(by_session, kind, "manual")
    return result


def set_reminders_enabled(session: Session, enabled: bool) -> bool:
    """Turn the scheduled reminders of `session` on or off; False if nothing changed."""
    return _switch(session, "reminders_enabled", enabled, "reminders", "Reminders")


def set_action_item_reminders_enabled(session: Session, enabled: bool) -> bool:
    """Turn the reminders to owners of the session's action items on or off; False if nothing
    changed."""
    return _switch(
        session,
        "action_item_reminders_enabled",
        enabled,
        "reminders.action_items",
        "Action item reminders",
    )


def _switch(session: Session, column: str, enabled: bool, action: str, what: str) -> bool:
    if getattr(session, column) == enabled:
        return False
    setattr(session, column, enabled)
    db.session.flush()
    audit.record(
        f"{action}.enabled" if enabled else f"{action}.disabled",
        session,
        f"{what} turned {'on' if enabled else 'off'} for session {session.id}",
        {column: [not enabled, enabled]},
    )
    return True
