"""Two-factor sign-in with time-based one-time passwords (TOTP, RFC 6238) and recovery codes.

Enrolment: a fresh secret is stored (encrypted, see secret_box.py) and shown as a QR code and
as text; it counts only once the user confirms it with a code from their app, which also gives
them ten single-use recovery codes, shown once and stored as digests. At sign-in a code is
accepted for the current time step and one either side (clocks drift, typing takes time), and
each time step once: the step of the last accepted code is kept, and claimed in the database
with one conditional UPDATE so that two requests with the same code cannot both pass.
"""

import enum
import hashlib
import hmac
import logging
import secrets
from datetime import UTC, datetime

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from eventsys.audit import services as audit
from eventsys.auth import secret_box
from eventsys.auth.models import RecoveryCode, User
from eventsys.database import utcnow
from eventsys.extensions import db

log = logging.getLogger(__name__)

CODE_DIGITS = 6
STEP_SECONDS = 30
# Steps either side of now that still count: pyotp's valid_window=1.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
# 16 characters of the base32 alphabet (no 0, 1, 8 or 9 to mistake for O, l, B or g): 80 bits.
RECOVERY_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
RECOVERY_CODE_LENGTH = 16


class TwoFactorError(ValueError):
    """A user-facing reason why a two-factor change was refused."""


class SecondFactor(enum.Enum):
    """What a successful second step was made with."""

    APP = "app"
    RECOVERY_CODE = "recovery_code"


def wrong_code_message() -> str:
    # One message for a mistyped, an expired and an already used code: the answer tells an
    # attacker nothing about which it was.
    return _("The code is not valid. Please enter the current code from your app.")


# Enrolment


def start_enrolment(user: User) -> None:
    """Give `user` a fresh secret to confirm, unless one is already waiting for confirmation.

    Raises TwoFactorError when two-factor sign-in is already on for the account.
    """
    if user.two_factor_enabled:
        raise TwoFactorError(_("Two-factor sign-in is already set up for your account."))
    if user.two_factor_secret is not None and _readable_secret(user) is not None:
        return
    user.two_factor_secret = secret_box.seal(pyotp.random_base32())
    user.two_factor_last_step = None
    db.session.flush()
    audit.record(
        "user.two_factor_enrolment_started",
        user,
        f"Two-factor sign-in being set up for {user.email}",
    )


def enrolment_secret(user: User) -> str | None:
    """The secret waiting for confirmation (base32), or None when there is none."""
    if user.two_factor_enabled or user.two_factor_secret is None:
        return None
    return _readable_secret(user)


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=CODE_DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=current_app.config["PLATFORM_NAME"]
    )


def qr_code_data_uri(uri: str) -> str:
    """`uri` as a QR code, an SVG in a data: URI (the CSP allows images from data: only, no
    inline scripts). Error correction M, the usual choice for codes shown on a screen."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def grouped_key(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[start : start + 4] for start in range(0, len(secret), 4))


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-factor sign-in on once `code` matches the waiting secret; return the new
    recovery codes (in clear, to show once). Every other session of the account ends, since it
    was opened with the password alone (the caller signs the current one in again).

    Raises TwoFactorError for a wrong code or when no enrolment is waiting.
    """
    secret = enrolment_secret(user)
    if secret is None:
        raise TwoFactorError(_("Please start the set-up again."))
    step = _matching_step(secret, normalised_code(code), after=None)
    if step is None:
        raise TwoFactorError(wrong_code_message())
    user.two_factor_enabled_at = utcnow()
    user.two_factor_last_step = step
    codes = _replace_recovery_codes(user)
    user.end_sessions()
    db.session.flush()
    audit.record(
        "user.two_factor_enabled",
        user,
        f"Two-factor sign-in turned on for {user.email}",
        {"two_factor": [False, True]},
    )
    return codes


# Checking codes


def normalised_code(code: str | None) -> str:
    """What was typed, without the spaces and dashes apps and printouts show, in lower case."""
    return "".join((code or "").split()).replace("-", "").lower()


def verify_second_factor(user: User, code: str | None) -> SecondFactor | None:
    """Check a code from the app or a recovery code for `user`, who has two-factor sign-in on,
    and use it up: a time step or a recovery code is accepted once only. None if it fails."""
    if not user.two_factor_enabled:
        return None
    typed = normalised_code(code)
    if len(typed) == CODE_DIGITS and typed.isascii() and typed.isdigit():
        return SecondFactor.APP if _claim_time_step(user, typed) else None
    if len(typed) == RECOVERY_CODE_LENGTH and typed.isascii() and typed.isalnum():
        return SecondFactor.RECOVERY_CODE if _spend_recovery_code(user, typed) else None
    return None


def _readable_secret(user: User) -> str | None:
    try:
        return secret_box.open_sealed(user.two_factor_secret or "")
    except secret_box.SecretUnreadable:
        # The SECRET_KEY was replaced without keeping the old one in SECRET_KEY_FALLBACKS: the
        # account can sign in with a recovery code, or an admin resets its two-factor sign-in.
        log.error("The two-factor secret of user %s cannot be decrypted", user.id)
        return None


def _current_step() -> int:
    return int(datetime.now(UTC).timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, after: int | None) -> int | None:
    """The time step (now, or one either side) whose code is `code` and that comes after
    `after`, or None."""
    if not (len(code) == CODE_DIGITS and code.isascii() and code.isdigit()):
        return None  # (compare_digest refuses non-ASCII text: "٣" is a digit to isdigit)
    totp = pyotp.TOTP(secret, digits=CODE_DIGITS, interval=STEP_SECONDS)
    now = _current_step()
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_time_step(user: User, code: str) -> bool:
    secret = _readable_secret(user)
    if secret is None:
        return False
    step = _matching_step(secret, code, after=user.two_factor_last_step)
    if step is None:
        return False
    # Only one request can move the step forward: a second one with the same code (sent at the
    # same moment) updates no row and is refused.
    claimed = db.session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            sa.or_(User.two_factor_last_step.is_(None), User.two_factor_last_step < step),
        )
        .values(two_factor_last_step=step)
        .execution_options(synchronize_session="fetch")
    )
    return claimed.rowcount == 1


# Recovery codes


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def _new_recovery_code() -> str:
    return "".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))


def shown_recovery_code(code: str) -> str:
    """A recovery code in groups of four, as it is shown and printed."""
    return "-".join(code[start : start + 4] for start in range(0, len(code), 4))


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_digest=_digest(code)) for code in codes)
    db.session.flush()
    return [shown_recovery_code(code) for code in codes]


def regenerate_recovery_codes(user: User) -> list[str]:
    """New recovery codes for `user` (the old ones stop working); returned in clear, to show
    once. Raises TwoFactorError when two-factor sign-in is off."""
    if not user.two_factor_enabled:
        raise TwoFactorError(_("Two-factor sign-in is not set up for your account."))
    codes = _replace_recovery_codes(user)
    audit.record("user.recovery_codes_replaced", user, f"New recovery codes made for {user.email}")
    return codes


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )


def _spend_recovery_code(user: User, code: str) -> bool:
    spent = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_digest == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:
        return False
    audit.record("user.recovery_code_used", user, f"{user.email} signed in with a recovery code")
    return True


# Turning it off


def _clear(user: User) -> None:
    user.two_factor_secret = None
    user.two_factor_enabled_at = None
    user.two_factor_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: User, password: str, code: str, required: bool) -> None:
    """Turn two-factor sign-in off for the user themselves, who must give their password and a
    current code (or a recovery code). Raises TwoFactorError when either is wrong, or when
    admins require two-factor sign-in for all staff (`required`)."""
    if not user.two_factor_enabled:
        raise TwoFactorError(_("Two-factor sign-in is not set up for your account."))
    if required:
        raise TwoFactorError(
            _("Two-factor sign-in is required for all staff and cannot be turned off.")
        )
    if not user.check_password(password):
        raise TwoFactorError(_("The current password is wrong."))
    if verify_second_factor(user, code) is None:
        raise TwoFactorError(wrong_code_message())
    _clear(user)
    db.session.flush()
    audit.record(
        "user.two_factor_disabled",
        user,
        f"Two-factor sign-in turned off by {user.email}",
        {"two_factor": [True, False]},
    )


def reset_by_admin(user: User) -> None:
    """Take two-factor sign-in off another person's account (a lost phone, no recovery codes
    left) and end its sessions; they set it up again after signing in with their password."""
    was_enabled = user.two_factor_enabled
    _clear(user)
    user.end_sessions()
    db.session.flush()
    audit.record(
        "user.two_factor_reset",
        user,
        f"Two-factor sign-in of {user.email} reset by an administrator",
        {"two_factor": [was_enabled, False]},
    )
