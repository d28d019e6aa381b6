"""Reminders to the owners of action items, a set number of days before the due date
(ACTION_ITEM_REMINDER_DAYS), through the outbox; switched per session.

Each owner is reminded once per due date: the item's `reminded_for_due_date` is set by a
conditional update in the transaction that queues the mail, so two runs at the same time cannot
both send it, and a new due date earns a new reminder. Only experts get reminders (an
organisation has no address of its own), and only for items of minutes that have left the
secretariat's desk: an item in a draft may still change. Like every service, this flushes but
never commits.
"""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager

from eventsys.audit import services as audit
from eventsys.experts.models import Expert
from eventsys.experts.salutations import letter_opening
from eventsys.extensions import db
from eventsys.i18n import format_local_date
from eventsys.minutes.action_item_list import platform_today
from eventsys.minutes.action_items import number
from eventsys.minutes.models import ActionItem, Minutes, MinutesTopic
from eventsys.minutes.states import MinutesState
from eventsys.outbox import kinds as outbox_kinds
from eventsys.outbox import services as outbox
from eventsys.outbox.headers import mailbox
from eventsys.sessions.models import Session

ACTION_ITEM_REMINDER = "action_item_reminder"
outbox_kinds.name_kinds({ACTION_ITEM_REMINDER: _l("Reminder of an action item")})

# Minutes whose action items are settled enough to remind their owners of.
REMINDED_STATES = (MinutesState.CIRCULATED, MinutesState.APPROVED, MinutesState.PUBLISHED)


def reminder_days() -> int:
    return current_app.config["ACTION_ITEM_REMINDER_DAYS"]


def due_reminders(today: date) -> list[ActionItem]:
    """Open items due from today until ACTION_ITEM_REMINDER_DAYS days ahead, owned by an active
    expert, whose owner was not yet reminded of this due date."""
    query = (
        sa.select(ActionItem)
        .join(ActionItem.owner_expert)
        .join(ActionItem.topic)
        .join(MinutesTopic.minutes)
        .join(Minutes.session)
        .where(
            ActionItem.closed_at.is_(None),
            ActionItem.due_date >= today,
            ActionItem.due_date <= today + timedelta(days=reminder_days()),
            sa.or_(
                ActionItem.reminded_for_due_date.is_(None),
                ActionItem.reminded_for_due_date != ActionItem.due_date,
            ),
            Expert.active.is_(True),
            Session.action_item_reminders_enabled.is_(True),
            Minutes.state.in_(REMINDED_STATES),
        )
        .options(
            contains_eager(ActionItem.owner_expert),
            contains_eager(ActionItem.topic)
            .contains_eager(MinutesTopic.minutes)
            .contains_eager(Minutes.session),
        )
        .order_by(ActionItem.due_date, ActionItem.id)
    )
    return list(db.session.scalars(query))


def _claim(item: ActionItem) -> bool:
    """Record that the owner is reminded of the current due date, unless a run at the same
    moment already did (a conditional update, not a read-then-write)."""
    statement = (
        sa.update(ActionItem)
        .where(
            ActionItem.id == item.id,
            ActionItem.due_date == item.due_date,
            sa.or_(
                ActionItem.reminded_for_due_date.is_(None),
                ActionItem.reminded_for_due_date != item.due_date,
            ),
        )
        .values(reminded_for_due_date=item.due_date)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).rowcount == 1


def queue_reminder(item: ActionItem) -> None:
    """Write the reminder to the item's owner in their language and queue it."""
    expert = item.owner_expert
    session = item.topic.minutes.session
    language = expert.language if expert.language in current_app.config["LANGUAGES"] else "de"
    with force_locale(language):
        context = {
            "greeting": letter_opening(expert, language),
            "item": item,
            "number": number(item),
            "session_title": session.title_for(language),
            "session": session,
            "topic": item.topic,
            "due": format_local_date(item.due_date),
            "platform": current_app.config["PLATFORM_NAME"],
        }
        subject = _(
            "Reminder: action item %(number)s is due on %(date)s",
            number=context["number"],
            date=context["due"],
        )
        text = render_template("minutes/mail/action_item_reminder.txt", **context)
        html = render_template("minutes/mail/action_item_reminder.html", **context)
    message = outbox.compose(mailbox(expert.email, expert.full_name), subject, text)
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    message["Content-Language"] = language  # after the content, which clears Content-* headers
    outbox.queue(ACTION_ITEM_REMINDER, message)


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue every reminder due on the Berlin day of `now` (default: now); returns how many."""
    today = platform_today(now)
    sent = []
    for item in due_reminders(today):
        if _claim(item):
            queue_reminder(item)
            sent.append(item)
    audit.record_many(
        (
            "action_item.reminded",
            ActionItem.__tablename__,
            item.id,
            f"Owner of {number(item)} reminded of its due date {item.due_date.isoformat()}",
            {"due_date": item.due_date.isoformat()},
        )
        for item in sent
    )
    db.session.flush()
    return len(sent)
