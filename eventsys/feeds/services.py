"""Calendar subscription feeds: each expert's sessions, and all sessions for staff.

A feed is opened by a secret token in its address (calendar programs cannot sign in), so the
token is the whole protection: long and random (`secrets.token_urlsafe`), stored unique, and
revoked by setting it to None. A new token makes the old address stop working at once.
"""

import re
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from eventsys.access import ALL_STAFF
from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.experts.feed_addresses import FeedAddresses, feed_addresses
from eventsys.experts.feed_addresses import expert_feed_addresses as expert_feed_addresses
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.invitations.calendar import feed_calendar
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from eventsys.sessions.models import Session

TOKEN_BYTES = 32  # 43 characters in URL-safe base64, in a column of 64
TOKEN_MAX_LENGTH = 64


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


# What `token_urlsafe` writes; anything else (e.g. a NUL byte, which PostgreSQL refuses in a
# query) cannot be a token and is not looked up.
TOKEN_PATTERN = re.compile(rf"[A-Za-z0-9_-]{{1,{TOKEN_MAX_LENGTH}}}")


def _plausible(token: str) -> bool:
    return TOKEN_PATTERN.fullmatch(token) is not None


# --- giving out and taking back addresses ---------------------------------------------------------


def _describe(owner: Expert | User) -> str:
    return f"{owner.email} ({'expert' if isinstance(owner, Expert) else 'staff account'})"


def create_feed(owner: Expert | User) -> bool:
    """Give `owner` a feed address if they have none; False if they already had one."""
    if owner.feed_token is not None:
        return False
    owner.feed_token = new_token()
    db.session.flush()
    audit.record("feed.created", owner, f"Calendar feed address created for {_describe(owner)}")
    return True


def create_feeds(owners: list[Expert | User]) -> int:
    """`create_feed` for many at once, with one flush; returns how many got an address."""
    created = [owner for owner in owners if owner.feed_token is None]
    for owner in created:
        owner.feed_token = new_token()
    db.session.flush()
    # One INSERT for the entries: inviting a plenary gives thousands their address at once.
    audit.record_many(
        (
            "feed.created",
            owner.__tablename__,
            owner.id,
            f"Calendar feed address created for {_describe(owner)}",
            None,
        )
        for owner in created
    )
    return len(created)


def regenerate_feed(owner: Expert | User) -> None:
    """Give `owner` a new feed address; the old one stops working."""
    had_one = owner.feed_token is not None
    owner.feed_token = new_token()
    db.session.flush()
    audit.record(
        "feed.regenerated" if had_one else "feed.created",
        owner,
        f"Calendar feed address {'replaced' if had_one else 'created'} for {_describe(owner)}",
    )


def revoke_feed(owner: Expert | User) -> bool:
    """Take back `owner`'s feed address; False if they had none."""
    if owner.feed_token is None:
        return False
    owner.feed_token = None
    db.session.flush()
    audit.record("feed.revoked", owner, f"Calendar feed address revoked for {_describe(owner)}")
    return True


# --- finding the owner of an address --------------------------------------------------------------


def expert_by_feed_token(token: str) -> Expert | None:
    """The active expert whose feed `token` opens, or None (unknown, revoked, or inactive)."""
    if not _plausible(token):
        return None
    return db.session.scalar(
        sa.select(Expert).where(Expert.feed_token == token, Expert.active.is_(True))
    )


def staff_by_feed_token(token: str) -> User | None:
    """The active staff account whose all-sessions feed `token` opens, or None."""
    if not _plausible(token):
        return None
    return db.session.scalar(
        sa.select(User).where(
            User.feed_token == token, User.active.is_(True), User.role.in_(ALL_STAFF)
        )
    )


# --- what a feed holds ----------------------------------------------------------------------------


def expert_sessions(expert: Expert) -> list[Session]:
    """The sessions `expert` is invited to (invitation not withdrawn), earliest first.

    Cancelled sessions stay in, marked STATUS:CANCELLED, so that calendars drop the entry.
    """
    query = (
        sa.select(Session)
        .join(Invitation, Invitation.session_id == Session.id)
        .where(Invitation.expert_id == expert.id, Invitation.withdrawn_at.is_(None))
        .order_by(Session.starts_at, Session.id)
    )
    return list(db.session.scalars(query))


def all_sessions() -> list[Session]:
    query = sa.select(Session).order_by(Session.starts_at, Session.id)
    return list(db.session.scalars(query))


def sessions_declined_by(expert: Expert) -> frozenset[int]:
    """The ids of the sessions `expert` declined or sent a deputy to: in their feed these do not
    block their time."""
    query = sa.select(Invitation.session_id).where(
        Invitation.expert_id == expert.id,
        Invitation.withdrawn_at.is_(None),
        Invitation.response.in_([Response.DECLINED, Response.DELEGATED]),
    )
    return frozenset(db.session.scalars(query))


def expert_feed(expert: Expert) -> bytes:
    """The iCalendar text of `expert`'s feed, named in their language."""
    with force_locale(expert.language):
        name = current_app.config["PLATFORM_NAME"]
        return feed_calendar(
            expert_sessions(expert),
            name,
            free=sessions_declined_by(expert),
            language=expert.language,
        )


def staff_feed(user: User) -> bytes:
    """The iCalendar text of the all-sessions feed, named in `user`'s language."""
    with force_locale(user.language):
        name = _("%(platform)s – all sessions", platform=current_app.config["PLATFORM_NAME"])
        return feed_calendar(all_sessions(), name, language=user.language)


# --- addresses ------------------------------------------------------------------------------------


def staff_feed_addresses(user: User) -> FeedAddresses | None:
    if user.feed_token is None:
        return None
    return feed_addresses("feeds.organiser_feed", user.feed_token)
