"""Staff accounts. Experts have no accounts: they act through signed links."""

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from eventsys.database import UTCDateTime, enum_column, utcnow
from eventsys.extensions import db
from eventsys.roles import Role


def new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"))
    language: Mapped[str] = mapped_column(sa.String(2), default="de")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the id kept in the session and the "stay signed in" cookie: replaced on signing
    # out and on a new password, which ends every session and cookie that carries the old one.
    session_token: Mapped[str] = mapped_column(sa.String(32), default=new_session_token)
    # The secret part of the organiser's subscription address for all sessions.
    feed_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Two-factor sign-in (see two_factor.py). The TOTP secret is kept encrypted (a Fernet token,
    # see secret_box.py); while `two_factor_enabled_at` is empty it is an enrolment not yet
    # confirmed with a code, which does not count at sign-in.
    two_factor_secret: Mapped[str | None] = mapped_column(sa.String(255))
    two_factor_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The time step of the last code accepted: a code for this step or an earlier one is
    # refused, so that a code seen over someone's shoulder cannot be used a second time.
    two_factor_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    __table_args__ = (
        sa.CheckConstraint("language IN ('de', 'en')", name="user_language"),
        sa.CheckConstraint("email = lower(email)", name="user_email_lower"),
        sa.CheckConstraint(
            "two_factor_enabled_at IS NULL OR two_factor_secret IS NOT NULL",
            name="user_two_factor_has_secret",
        ),
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: `id:session token`."""
        return f"{self.id}:{self.session_token}"

    @property
    def two_factor_enabled(self) -> bool:
        return self.two_factor_enabled_at is not None

    def end_sessions(self) -> None:
        """Make every session and remember cookie of this account invalid."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class RecoveryCode(db.Model):
    """A single-use code that stands in for the authenticator app (a lost or broken phone).

    Only a SHA-256 digest is stored. A fast digest is enough here, unlike for passwords: the
    codes are random with 80 bits each, far beyond what can be tried offline.
    """

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_digest: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "code_digest", name="uq_recovery_codes_user_digest"),
    )

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} user {self.user_id}{' used' if self.used_at else ''}>"


class SignInPolicy(db.Model):
    """The sign-in rules admins set in the browser: one row (id 1); none yet means defaults."""

    __tablename__ = "sign_in_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    two_factor_required: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    def __repr__(self) -> str:
        return f"<SignInPolicy two_factor_required={self.two_factor_required}>"
