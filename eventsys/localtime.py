"""Turning a wall-clock date and time, as a person enters it, into an exact instant, and the
platform's time zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import get_timezone_location
from flask import current_app


class NonexistentLocalTime(ValueError):
    """The wall-clock time is skipped when the clocks go forward (e.g. 02:30 in late March)."""


class AmbiguousLocalTime(ValueError):
    """The wall-clock time happens twice when the clocks go back (e.g. 02:30 in late October)."""


class UnknownTimeZone(ValueError):
    """The name is not in the IANA time zone database."""


def zone(name: str) -> ZoneInfo:
    """The IANA time zone called `name`; raises UnknownTimeZone for anything else."""
    if name not in known_time_zones():
        raise UnknownTimeZone(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownTimeZone(name) from error


def platform_zone_name() -> str:
    """The name of the zone sessions are planned and dates are shown in (the app's
    BABEL_DEFAULT_TIMEZONE, Europe/Berlin unless configured otherwise)."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def platform_zone() -> ZoneInfo:
    """The zone of `platform_zone_name`."""
    return zone(platform_zone_name())


def zone_city(name: str, language: str) -> str:
    """The place that names the zone `name`, as readers of `language` know it ("Toronto",
    "Tokio"), for "Toronto time" rather than "America/Toronto time"."""
    try:
        return get_timezone_location(name, locale=language, return_city=True)
    except (LookupError, ValueError):
        return name


_known_zones: frozenset[str] | None = None


def known_time_zones() -> frozenset[str]:
    global _known_zones
    if _known_zones is None:
        _known_zones = frozenset(available_timezones())
    return _known_zones


def to_utc(day: date, clock: time, zone_name: str) -> datetime:
    """The UTC instant of `clock` on `day` in `zone_name`.

    Raises NonexistentLocalTime or AmbiguousLocalTime around daylight-saving changes rather than
    guess, and UnknownTimeZone for a zone that does not exist.
    """
    tz = zone(zone_name)
    naive = datetime.combine(day, clock.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=tz)
    second = naive.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        # The two readings differ: either the time is repeated or skipped. A skipped time does
        # not survive the round trip through UTC.
        round_trip = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
        if round_trip != naive:
            raise NonexistentLocalTime(naive.isoformat())
        raise AmbiguousLocalTime(naive.isoformat())
    return first.astimezone(UTC)


def from_utc(value: datetime, zone_name: str) -> datetime:
    return value.astimezone(zone(zone_name))


def minutes_between(start: datetime, end: datetime) -> int:
    return int((end - start) / timedelta(minutes=1))
