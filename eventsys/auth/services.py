"""Creating staff accounts, signing in and resetting passwords."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.outbox import links
from eventsys.outbox import services as outbox
from eventsys.outbox.headers import mailbox
from eventsys.roles import Role

MIN_PASSWORD_LENGTH = 10
RESET_SALT = "password-reset"


class AccountError(ValueError):
    """A user-facing reason why an account could not be created or changed."""


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def check_password_strength(password: str) -> None:
    """Raise AccountError if `password` is too weak to protect personal data."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("The password must have at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
        )


def create_user(email: str, name: str, role: Role, password: str, language: str = "de") -> User:
    """Create a staff account; raises AccountError for a taken e-mail or a weak password."""
    email = email.strip().lower()
    if find_user_by_email(email) is not None:
        raise AccountError(_("An account with this e-mail address already exists."))
    check_password_strength(password)
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
    """The active user with these credentials, or None (without saying which part was wrong)."""
    user = find_user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = utcnow()
    return user


def set_language(user: User, language: str) -> None:
    if language in current_app.config["LANGUAGES"] and user.language != language:
        user.language = language


def change_password(user: User, new_password: str) -> None:
    check_password_strength(new_password)
    user.set_password(new_password)
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
    if user is None or not user.active:
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
    outbox.queue("password_reset", message)
    audit.record("user.password_reset_requested", user, f"Password reset mailed to {user.email}")


def _platform_name() -> str:
    return current_app.config["PLATFORM_NAME"]
