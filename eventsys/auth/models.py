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

    __table_args__ = (
        sa.CheckConstraint("language IN ('de', 'en')", name="user_language"),
        sa.CheckConstraint("email = lower(email)", name="user_email_lower"),
    )

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role.value}>"

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember cookie: `id:session token`."""
        return f"{self.id}:{self.session_token}"

    def end_sessions(self) -> None:
        """Make every session and remember cookie of this account invalid."""
        self.session_token = new_session_token()

    def set_password(self, password: str) -> None:
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)
