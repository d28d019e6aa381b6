"""The daily digest: one mail per organiser and day with the answers recorded since their
previous digest, per session, for the sessions where they chose it (the default).

The scheduled run (`send_due_digests`, every 15 minutes like the reminders) sends from
ANSWER_DIGEST_HOUR Berlin time on. Each digest is recorded (`AnswerDigest`, unique per
organiser and day) in the transaction that queues its mail: running twice sends nothing twice,
and a run that dies before its commit leaves nothing behind, so the next run sends the digest.
A day without answers sends nothing and records nothing; the next digest starts where the
previous one ended. Like every service, these functions flush but never commit.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.i18n import format_local_date, in_language_of
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.invitations.overview import AnswerSummary, answer_summary
from eventsys.invitations.states import Response
from eventsys.localtime import platform_zone
from eventsys.notices.answer_mail import notice_sender
from eventsys.notices.answers import AnswerLine, answer_line, answer_lines_query, not_recorded_by
from eventsys.notices.models import AnswerDigest, AnswerNoticePreference, NoticeChoice
from eventsys.notices.preferences import effective_choice
from eventsys.outbox import headers
from eventsys.outbox import kinds as outbox_kinds
from eventsys.outbox import services as outbox
from eventsys.sessions.models import Session, session_organisers

log = logging.getLogger(__name__)

DIGEST_KIND = "answer_digest"
outbox_kinds.name_kinds({DIGEST_KIND: _l("Daily digest of answers")})
# An organiser's first digest covers the day before it.
FIRST_DIGEST_COVERS = timedelta(days=1)
# After a long pause (no digest while nothing happened, or the schedule was down), a digest
# reaches back a week at most; older answers are on the invitations page.
LONGEST_COVER = timedelta(days=7)
# An answer whose transaction is still open while the digest is read would be missed if the
# digest covered up to this instant; it covers up to a little earlier, and the answer is in
# the next one.
SETTLING_TIME = timedelta(minutes=5)
# Each session lists this many invitees by name; the counts include all of them.
NAMES_PER_SESSION = 25


@dataclass(frozen=True)
class SessionDigest:
    """What one session's part of a digest says."""

    session: Session
    lines: list[AnswerLine]  # each invitee's latest answer in the period, newest first
    answered: int  # invitees who answered in the period
    counts: list[tuple[Response, int]]  # of their answers, in reading order
    summary: AnswerSummary  # all answers so far

    @property
    def more(self) -> int:
        return self.answered - len(self.lines)


def digest_day(now: datetime) -> date | None:
    """The Berlin day whose digest is due at `now`, or None before ANSWER_DIGEST_HOUR."""
    local = now.astimezone(platform_zone())
    if local.hour < current_app.config["ANSWER_DIGEST_HOUR"]:
        return None
    return local.date()


def _chose_digest(user_id) -> sa.ColumnElement[bool]:
    """The user is responsible for the session (in the query) and gets its digest."""
    return sa.and_(
        session_organisers.c.user_id == user_id,
        effective_choice() == NoticeChoice.DIGEST.value,
    )


def _preference_join(user_id) -> sa.ColumnElement[bool]:
    return sa.and_(
        AnswerNoticePreference.user_id == user_id,
        AnswerNoticePreference.session_id == session_organisers.c.session_id,
    )


def organisers_due(day: date) -> list[User]:
    """Active users responsible for a session whose digest they get, without a digest for
    `day` yet."""
    gets_a_digest = (
        sa.select(session_organisers.c.session_id)
        .outerjoin(AnswerNoticePreference, _preference_join(User.id))
        .where(_chose_digest(User.id))
        .exists()
    )
    has_one = (
        sa.select(AnswerDigest.id)
        .where(AnswerDigest.user_id == User.id, AnswerDigest.day == day)
        .exists()
    )
    return list(
        db.session.scalars(
            sa.select(User).where(User.active.is_(True), gets_a_digest, ~has_one).order_by(User.id)
        )
    )


def _period_start(user: User, until: datetime) -> datetime:
    previous = db.session.scalar(
        sa.select(sa.func.max(AnswerDigest.covered_until)).where(AnswerDigest.user_id == user.id)
    )
    if previous is None:
        return until - FIRST_DIGEST_COVERS
    return max(previous, until - LONGEST_COVER)


def session_digests(user: User, since: datetime, until: datetime) -> list[SessionDigest]:
    """The answers recorded in (`since`, `until`] to the sessions whose digest `user` gets,
    by others than `user`, grouped by session (soonest first); sessions without any are left
    out."""
    rows = db.session.execute(
        answer_lines_query()
        .join(
            session_organisers,
            sa.and_(
                session_organisers.c.session_id == Invitation.session_id,
                session_organisers.c.user_id == user.id,
            ),
        )
        .outerjoin(AnswerNoticePreference, _preference_join(user.id))
        .where(
            effective_choice() == NoticeChoice.DIGEST.value,
            InvitationAnswer.received_at > since,
            InvitationAnswer.received_at <= until,
            not_recorded_by(user),
        )
        .order_by(InvitationAnswer.received_at, InvitationAnswer.id)
    ).all()
    latest: dict[int, dict[int, AnswerLine]] = {}
    for row in rows:  # oldest first: an invitee's later answer replaces the earlier one
        line = answer_line(row)
        latest.setdefault(line.session_id, {})[line.invitation_id] = line
    if not latest:
        return []
    sessions = db.session.scalars(
        sa.select(Session).where(Session.id.in_(latest)).order_by(Session.starts_at, Session.id)
    ).all()
    digests = []
    for session in sessions:
        lines = sorted(latest[session.id].values(), key=lambda line: line.received_at, reverse=True)
        counted = Counter(line.response for line in lines)
        digests.append(
            SessionDigest(
                session=session,
                lines=lines[:NAMES_PER_SESSION],
                answered=len(lines),
                counts=[
                    (response, counted[response]) for response in Response if counted[response]
                ],
                summary=answer_summary(session),
            )
        )
    return digests


def compose_digest(user: User, day: date, digests: list[SessionDigest]) -> EmailMessage:
    """The digest mail for `user`, in their language."""
    with in_language_of(user):
        subject = _("Answers of the day – %(date)s", date=format_local_date(day))
        context = {
            "user": user,
            "day": day,
            "digests": digests,
            "answered": sum(digest.answered for digest in digests),
        }
        text = render_template("notices/mail/digest.txt", **context)
        html = render_template("notices/mail/digest.html", **context)
    return outbox.compose(
        headers.mailbox(user.email, user.name), subject, text, html=html, sender=notice_sender()
    )


def send_digest(user: User, day: date, now: datetime) -> AnswerDigest | None:
    """Queue `user`'s digest for `day`, if it has anything to say and is not sent yet."""
    until = now - SETTLING_TIME
    since = _period_start(user, until)
    if since >= until:
        return None
    digests = session_digests(user, since, until)
    if not digests:
        return None
    try:
        message = compose_digest(user, day, digests)
    except headers.UnsafeHeader as error:
        log.warning("No answer digest for user %s: %s", user.id, error)
        return None
    digest = AnswerDigest(
        user_id=user.id,
        day=day,
        covered_from=since,
        covered_until=until,
        answers=sum(part.answered for part in digests),
    )
    try:
        with db.session.begin_nested():
            db.session.add(digest)
    except sa.exc.IntegrityError:  # another run sent it a moment ago
        return None
    entry = outbox.queue(DIGEST_KIND, message)
    db.session.flush()
    digest.outbox_message_id = entry.id
    db.session.flush()
    return digest


def send_due_digests(now: datetime | None = None) -> int:
    """Queue every digest due at `now` (default: the current time); returns how many."""
    now = now or utcnow()
    day = digest_day(now)
    if day is None:
        return 0
    return sum(1 for user in organisers_due(day) if send_digest(user, day, now) is not None)
