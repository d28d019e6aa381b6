"""What the session page shows of recent answers: those recorded since the reader's last visit."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from eventsys.auth.models import User
from eventsys.extensions import db
from eventsys.invitations.models import Invitation, InvitationAnswer
from eventsys.notices.answers import AnswerLine, answer_line, answer_lines_query, not_recorded_by
from eventsys.sessions.models import Session

# The page lists this many of the newest; the invitations page has the rest.
RECENT_LIMIT = 10


@dataclass(frozen=True)
class RecentAnswers:
    since: datetime | None  # the reader's previous visit; None on their first
    lines: list[AnswerLine]  # newest first, at most RECENT_LIMIT
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.lines)


def answers_since(
    session: Session, since: datetime | None, reader: User, limit: int = RECENT_LIMIT
) -> RecentAnswers:
    """The answers to `session` recorded after `since` (all of them when None) by anyone but
    `reader`, newest first: the first `limit` of them and how many there are, in one query
    (the count is a window over the same rows)."""
    conditions = [Invitation.session_id == session.id, not_recorded_by(reader)]
    if since is not None:
        conditions.append(InvitationAnswer.received_at > since)
    rows = db.session.execute(
        answer_lines_query()
        .add_columns(sa.func.count().over().label("total"))
        .where(*conditions)
        .order_by(InvitationAnswer.received_at.desc(), InvitationAnswer.id.desc())
        .limit(limit)
    ).all()
    total = rows[0].total if rows else 0
    return RecentAnswers(since=since, lines=[answer_line(row) for row in rows], total=total)
