"""Creating staff accounts, signing in and resetting passwords."""

import secrets
import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from eventsys.audit import services as audit
from eventsys.auth import throttling
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.outbox import kinds as outbox_kinds
from eventsys.outbox import links
from eventsys.outbox import services as outbox
from eventsys.outbox.headers import mailbox
from eventsys.roles import Role

RESET_SALT = "password-reset"
PASSWORD_RESET_MAIL_KIND = "password_reset"
outbox_kinds.name_kinds({PASSWORD_RESET_MAIL_KIND: _l("Password reset")})
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# Digits, spaces and signs around a common password do not make it uncommon ("dragon2024!").
_DECORATION = string.digits + string.punctuation + string.whitespace


class AccountError(ValueError):
    """A user-facing reason why an account could not be created or changed."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the most common passwords, in lower case."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def check_password_strength(password: str, email: str) -> None:
    """Raise AccountError if `password` is too weak to protect personal data: shorter than
    MIN_PASSWORD_LENGTH, the account's e-mail address (or its part before the @), or one of
    the most common passwords, also with digits or signs around it."""
    minimum = current_app.config["MIN_PASSWORD_LENGTH"]
    if len(password) < minimum:
        raise AccountError(
            _("The password must have at least %(count)d characters.", count=minimum)
        )
    folded = password.strip().casefold()
    email = email.strip().casefold()
    if folded in (email, email.partition("@")[0]):
        raise AccountError(_("The password must not be the e-mail address."))
    if folded in common_passwords() or folded.strip(_DECORATION) in common_passwords():
        raise AccountError(
            _("This password is one of the most common ones. Please choose another.")
        )


def create_user(email: str, name: str, role: Role, password: str, language: str = "de") -> User:
    """Create a staff account; raises AccountError for a taken e-mail or a weak password."""
    email = email.strip().lower()
    if find_user_by_email(email) is not None:
        raise AccountError(_("An account with this e-mail address already exists."))
    check_password_strength(password, email)
    user = User(email=email, name=name.strip() or email, role=role, language=language)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.created",
        user,
        f"Account {email} created with role {role.value}",
        {"email": [None, email], "role": [None, role.value]},
    )
    return user


def update_user(user: User, name: str, role: Role, active: bool) -> None:
    """Change an account's name, role or active flag, recording what changed."""
    fields = ("name", "role", "active")
    before = audit.snapshot(user, fields)
    user.name, user.role, user.active = name.strip(), role, active
    changes = audit.diff(before, audit.snapshot(user, fields))
    if changes:
        db.session.flush()
        audit.record("user.updated", user, f"Account {user.email} changed", changes)


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None (without saying which part was wrong).

    An unknown address costs a password check too, so that the time taken does not tell
    whether an account exists.
    """
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_stand_in_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def record_sign_in(user: User) -> None:
    """Note that `user` has signed in (after the second factor, where they have one)."""
    user.last_login_at = utcnow()


def set_language(user: User, language: str) -> None:
    if language in current_app.config["LANGUAGES"] and user.language != language:
        user.language = language


def end_sessions(user: User) -> None:
    """End every session and "stay signed in" cookie of `user` (signing out everywhere)."""
    user.end_sessions()


@cache
def _stand_in_hashes(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _stand_in_hash() -> str:
    """A hash made the way real ones are, to check passwords against for unknown accounts."""
    return _stand_in_hashes(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every session of the account (the caller signs the current
    one in again if it stays); raises AccountError for a weak password."""
    check_password_strength(new_password, user.email)
    user.set_password(new_password)
    user.end_sessions()
    audit.record("user.password_changed", user, f"Password of {user.email} changed")


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_reset_token(user: User) -> str:
    # The hash's tail makes the token die as soon as the password changes: one use only.
    return _reset_serializer().dumps({"user": user.id, "pw": user.password_hash[-12:]})


@dataclass(frozen=True)
class ResetTokenResult:
    user: User | None
    expired: bool = False


def read_reset_token(token: str) -> ResetTokenResult:
    """The user a reset token belongs to, if it is genuine, unused and not expired."""
    try:
        payload = _reset_serializer().loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except SignatureExpired:
        return ResetTokenResult(None, expired=True)
    except BadSignature:
        return ResetTokenResult(None)
    if not isinstance(payload, dict):
        return ResetTokenResult(None)
    user = (
        db.session.get(User, payload.get("user")) if isinstance(payload.get("user"), int) else None
    )
    if user is None or not user.active or user.password_hash[-12:] != payload.get("pw"):
        return ResetTokenResult(None)
    return ResetTokenResult(user)


def request_password_reset(email: str) -> None:
    """Queue a reset link for the account with `email`, if there is one.

    Says nothing either way, so the form cannot be used to find out who has an account.
    Raises outbox.links.LinkHostUnknown, for every address alike, where the link could only
    follow the Host the request names (see outbox.links).
    """
    links.require_link_host()
    user = find_user_by_email(email)
    if user is None or not user.active or not throttling.reset_mail_allowed(user.email):
        return
    link = url_for("auth.reset_password", token=make_reset_token(user), _external=True)
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    with force_locale(user.language):
        subject = _("Reset your password for %(platform)s", platform=_platform_name())
        text = render_template(
            "auth/mail/password_reset.txt", user=user, link=link, minutes=minutes
        )
        html = render_template(
            "auth/mail/password_reset.html", user=user, link=link, minutes=minutes
        )
    message = outbox.compose(mailbox(user.email, user.name), subject, text, html)
    outbox.queue(PASSWORD_RESET_MAIL_KIND, message)
    audit.record("user.password_reset_requested", user, f"Password reset mailed to {user.email}")


def _platform_name() -> str:
    return current_app.config["PLATFORM_NAME"]
