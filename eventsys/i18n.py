"""Language choice and locale-aware formatting of dates and times."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from babel.dates import format_date, format_datetime, format_time
from flask import Flask, current_app, has_request_context, session
from flask_babel import force_locale, get_locale
from flask_login import current_user

from eventsys.localtime import platform_zone

LANGUAGE_SESSION_KEY = "language"


def select_locale() -> str:
    """The signed-in user's language, else the one chosen in this browser, else German."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get(LANGUAGE_SESSION_KEY)
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


# Patterns our users expect: 23.11.2026 and 14:00 Uhr in German; 23 Nov 2026 and 14:00 in English.
DATE_PATTERNS = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}
LONG_DATE_PATTERNS = {"de": "EEEE, d. MMMM yyyy", "en": "EEEE, d MMMM yyyy"}
TIME_PATTERNS = {"de": "HH:mm 'Uhr'", "en": "HH:mm"}


def page_language(preferred: str) -> str:
    """For pages opened through a signed link, without an account: the language chosen in this
    browser with the language switch, else `preferred` (the expert's own)."""
    chosen = session.get(LANGUAGE_SESSION_KEY)
    return chosen if chosen in current_app.config["LANGUAGES"] else preferred


@contextmanager
def in_language_of(user) -> Iterator[None]:
    """Messages and dates in `user`'s language (the platform's when they have none), also
    outside a request (commands, tests)."""
    with force_locale(user.language or current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def current_language() -> str:
    return str(get_locale() or "de")[:2]


def local(value: datetime) -> datetime:
    """`value` in the display time zone (Europe/Berlin unless configured otherwise).

    zoneinfo rather than Flask-Babel's pytz zone: pytz stops applying daylight-saving rules
    after 2037, which would show such dates an hour off from how they were entered.
    """
    return value.astimezone(platform_zone())


def format_local_date(value: date | datetime | None, long: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value)
    patterns = LONG_DATE_PATTERNS if long else DATE_PATTERNS
    language = current_language()
    return format_date(value, patterns.get(language, patterns["de"]), locale=language)


def format_local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    language = current_language()
    pattern = TIME_PATTERNS.get(language, TIME_PATTERNS["de"])
    return format_time(local(value), pattern, locale=language)


def format_local_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{format_local_date(value)}, {format_local_time(value)}"


def format_local_timestamp(value: datetime | None) -> str:
    """A precise timestamp (with seconds) for logs such as the audit trail."""
    if value is None:
        return ""
    language = current_language()
    return format_datetime(local(value), "dd.MM.yyyy HH:mm:ss", locale=language)


def format_duration(value: timedelta) -> str:
    """`2:30 h` style: hours and minutes, the way agendas are planned."""
    minutes = int(value.total_seconds() // 60)
    return f"{minutes // 60}:{minutes % 60:02d} h"


def register_formatting(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_local_date
    app.jinja_env.filters["time"] = format_local_time
    app.jinja_env.filters["datetime"] = format_local_datetime
    app.jinja_env.filters["timestamp"] = format_local_timestamp
    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.globals["current_language"] = current_language
