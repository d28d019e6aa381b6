"""Invited experts get their calendar subscription address (receiver of
`signals.experts_invited`), so that the invitation mail can tell them about it."""

import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.feeds.services import create_feeds
from eventsys.sessions.models import Session
from eventsys.signals import experts_invited


@experts_invited.connect
def give_invitees_a_feed(session: Session, experts: list[Expert]) -> None:
    """Create a feed address for each invited expert who has none, unless theirs was revoked:
    whoever took it back (the expert through their own link, or the staff) meant it."""
    without = {expert.id: expert for expert in experts if expert.feed_token is None}
    if not without:
        return
    revoked = set(
        db.session.scalars(
            sa.select(AuditEntry.entity_id).where(
                AuditEntry.entity_type == Expert.__tablename__,
                AuditEntry.entity_id.in_(without),
                AuditEntry.action == "feed.revoked",
            )
        )
    )
    create_feeds([expert for expert_id, expert in without.items() if expert_id not in revoked])
