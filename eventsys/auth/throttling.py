"""How often sign-in may fail and password-reset mail may be asked for.

Counted per account (the e-mail address typed, whether an account has it or not, so that the
answer says nothing about who has one) and per client address, in moving windows. The counters
live in Redis when `RATELIMIT_STORAGE_URI` names it (by default the Celery broker's Redis),
otherwise in the process's memory, which suits a single process only.

This uses `limits`, the library under Flask-Limiter, directly: Flask-Limiter's decorators count
requests to a route, while sign-in counts only failures, and per typed address.
"""

import hashlib
import time

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

EXTENSION_KEY = "eventsys.throttling"


def init_app(app: Flask) -> None:
    """Give `app` counters of its own (not shared with another app built in the same process)."""
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"], key_prefix="eventsys")
    app.extensions[EXTENSION_KEY] = MovingWindowRateLimiter(storage)


def limiter() -> MovingWindowRateLimiter:
    return current_app.extensions[EXTENSION_KEY]


def reset_counters() -> None:
    """Forget every count (for tests and for an admin who unblocks everyone)."""
    limiter().storage.reset()


def _limit(setting: str) -> RateLimitItem:
    return parse(current_app.config[setting])


def _account_key(email: str) -> str:
    # A digest: the storage (Redis) need not hold the addresses people typed.
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def _client() -> str:
    # Behind a reverse proxy, werkzeug's ProxyFix must set remote_addr from X-Forwarded-For.
    return request.remote_addr or "unknown"


def sign_in_blocked(email: str) -> bool:
    """True while `email` or this client has failed to sign in too often."""
    strategy = limiter()
    return not strategy.test(
        _limit("LOGIN_FAILURES_PER_ACCOUNT"), "login-account", _account_key(email)
    ) or not strategy.test(_limit("LOGIN_FAILURES_PER_ADDRESS"), "login-address", _client())


def record_failed_sign_in(email: str) -> None:
    strategy = limiter()
    strategy.hit(_limit("LOGIN_FAILURES_PER_ACCOUNT"), "login-account", _account_key(email))
    strategy.hit(_limit("LOGIN_FAILURES_PER_ADDRESS"), "login-address", _client())


def reset_request_allowed() -> bool:
    """Count a request for reset mail from this client; False once it has asked too often."""
    return limiter().hit(_limit("PASSWORD_RESETS_PER_ADDRESS"), "reset-address", _client())


def reset_mail_allowed(email: str) -> bool:
    """Count a reset mail to `email`; False once it has had enough for now (then none is sent,
    and the page says the same as always)."""
    return limiter().hit(
        _limit("PASSWORD_RESETS_PER_ACCOUNT"), "reset-account", _account_key(email)
    )


def minutes_until_retry(email: str) -> int:
    """How long, at most, until `email` and this client may try again."""
    strategy = limiter()
    resets = [  # the moments the windows end (seconds since the epoch)
        strategy.get_window_stats(
            _limit("LOGIN_FAILURES_PER_ACCOUNT"), "login-account", _account_key(email)
        ).reset_time,
        strategy.get_window_stats(
            _limit("LOGIN_FAILURES_PER_ADDRESS"), "login-address", _client()
        ).reset_time,
    ]
    return max(1, int((max(resets) - time.time()) // 60) + 1)


# The second step of two-factor sign-in: failed codes are counted per account (the password was
# right, so the account is known) and, with failed passwords, per client address. Six digits
# with three time steps open leave an attacker who knows the password about one chance in
# 30,000 per hour at the default of ten failures.


def _code_account_key(user_id: int) -> str:
    return f"user-{user_id}"


def code_check_blocked(user_id: int) -> bool:
    """True while codes for this account, or sign-ins from this client, failed too often."""
    strategy = limiter()
    return not strategy.test(
        _limit("TWO_FACTOR_FAILURES_PER_ACCOUNT"), "code-account", _code_account_key(user_id)
    ) or not strategy.test(_limit("LOGIN_FAILURES_PER_ADDRESS"), "login-address", _client())


def record_failed_code(user_id: int) -> None:
    strategy = limiter()
    strategy.hit(
        _limit("TWO_FACTOR_FAILURES_PER_ACCOUNT"), "code-account", _code_account_key(user_id)
    )
    strategy.hit(_limit("LOGIN_FAILURES_PER_ADDRESS"), "login-address", _client())


def minutes_until_code_retry(user_id: int) -> int:
    """How long, at most, until codes for this account may be tried again from this client."""
    strategy = limiter()
    resets = [
        strategy.get_window_stats(
            _limit("TWO_FACTOR_FAILURES_PER_ACCOUNT"), "code-account", _code_account_key(user_id)
        ).reset_time,
        strategy.get_window_stats(
            _limit("LOGIN_FAILURES_PER_ADDRESS"), "login-address", _client()
        ).reset_time,
    ]
    return max(1, int((max(resets) - time.time()) // 60) + 1)
