"""A sign-in that has passed the password and waits for the second factor.

It is held in the Flask session (signed, so the browser cannot change it) with the account's
id, its session token and a deadline. Nobody is signed in until the second step succeeds: the
pending sign-in is no session of the account. It dies when the deadline passes, and when the
account's session token changes (signing out everywhere, a new password, an admin's reset), so
that a password typed before such a change cannot be completed after it.
"""

import hmac
import time
from dataclasses import dataclass

from flask import current_app, session

from eventsys.auth.models import User
from eventsys.extensions import db

SESSION_KEY = "pending_sign_in"


@dataclass(frozen=True)
class PendingSignIn:
    user: User
    remember: bool
    next_target: str | None


@dataclass(frozen=True)
class Lookup:
    pending: PendingSignIn | None
    expired: bool = False


def hold(user: User, remember: bool, next_target: str | None) -> None:
    """Keep `user`'s sign-in waiting for the second step, replacing any other."""
    session[SESSION_KEY] = {
        "user": user.id,
        "token": user.session_token,
        "until": int(time.time()) + current_app.config["TWO_FACTOR_PENDING_SECONDS"],
        "remember": bool(remember),
        "next": next_target if isinstance(next_target, str) else None,
    }


def discard() -> None:
    session.pop(SESSION_KEY, None)


def look_up() -> Lookup:
    """The waiting sign-in, if it is still valid; an expired or invalid one is discarded."""
    held = session.get(SESSION_KEY)
    if not isinstance(held, dict):
        return Lookup(None)
    user_id, token, until = held.get("user"), held.get("token"), held.get("until")
    if not (isinstance(user_id, int) and isinstance(token, str) and isinstance(until, int)):
        discard()
        return Lookup(None)
    if time.time() > until:
        discard()
        return Lookup(None, expired=True)
    user = db.session.get(User, user_id)
    if (
        user is None
        or not user.active
        or not user.two_factor_enabled
        or not hmac.compare_digest(user.session_token, token)
    ):
        discard()
        return Lookup(None, expired=True)
    next_target = held.get("next")
    remember = bool(held.get("remember"))
    return Lookup(
        PendingSignIn(user, remember, next_target if isinstance(next_target, str) else None)
    )
