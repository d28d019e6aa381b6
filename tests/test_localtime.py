"""Wall-clock dates and times to exact instants, around daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from eventsys.localtime import (
    AmbiguousLocalTime,
    NonexistentLocalTime,
    UnknownTimeZone,
    from_utc,
    minutes_between,
    to_utc,
)


@pytest.mark.parametrize(
    ("day", "clock", "zone", "expected"),
    [
        (date(2026, 7, 1), time(10, 0), "Europe/Berlin", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
        (date(2026, 1, 15), time(10, 0), "Europe/Berlin", datetime(2026, 1, 15, 9, 0, tzinfo=UTC)),
        (
            date(2026, 11, 23),
            time(14, 0),
            "Europe/Berlin",
            datetime(2026, 11, 23, 13, 0, tzinfo=UTC),
        ),
        # Right before and right after the gap on 29 March 2026.
        (date(2026, 3, 29), time(1, 59), "Europe/Berlin", datetime(2026, 3, 29, 0, 59, tzinfo=UTC)),
        (date(2026, 3, 29), time(3, 0), "Europe/Berlin", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        # Right after the repeated hour on 25 October 2026.
        (date(2026, 10, 25), time(3, 0), "Europe/Berlin", datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
        (date(2026, 7, 1), time(10, 0), "America/Toronto", datetime(2026, 7, 1, 14, 0, tzinfo=UTC)),
        (date(2026, 7, 1), time(10, 0), "UTC", datetime(2026, 7, 1, 10, 0, tzinfo=UTC)),
    ],
)
def test_ordinary_times(day, clock, zone, expected):
    result = to_utc(day, clock, zone)

    assert result == expected
    assert result.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("day", "clock", "zone"),
    [
        (date(2026, 3, 29), time(2, 30), "Europe/Berlin"),
        (date(2026, 3, 29), time(2, 0), "Europe/Berlin"),
        (date(2026, 3, 29), time(2, 59), "Europe/Berlin"),
        (date(2026, 3, 8), time(2, 30), "America/Toronto"),
    ],
)
def test_times_skipped_when_the_clocks_go_forward(day, clock, zone):
    with pytest.raises(NonexistentLocalTime):
        to_utc(day, clock, zone)


@pytest.mark.parametrize(
    ("day", "clock", "zone"),
    [
        (date(2026, 10, 25), time(2, 30), "Europe/Berlin"),
        (date(2026, 10, 25), time(2, 0), "Europe/Berlin"),
        (date(2026, 11, 1), time(1, 30), "America/Toronto"),
    ],
)
def test_times_repeated_when_the_clocks_go_back(day, clock, zone):
    with pytest.raises(AmbiguousLocalTime):
        to_utc(day, clock, zone)


def test_the_fold_of_the_given_time_does_not_matter():
    # A time object that already says "the second 02:30" must not slip past the check.
    with pytest.raises(AmbiguousLocalTime):
        to_utc(date(2026, 10, 25), time(2, 30, fold=1), "Europe/Berlin")


@pytest.mark.parametrize("zone", ["Europe/Atlantis", "", "Berlin", "../../etc/passwd"])
def test_unknown_zones_are_refused(zone):
    with pytest.raises(UnknownTimeZone):
        to_utc(date(2026, 7, 1), time(10, 0), zone)


def test_the_refusals_are_value_errors():
    for refusal in (NonexistentLocalTime, AmbiguousLocalTime, UnknownTimeZone):
        assert issubclass(refusal, ValueError)


def test_from_utc_gives_the_wall_clock_back():
    instant = to_utc(date(2026, 11, 23), time(14, 0), "Europe/Berlin")

    local = from_utc(instant, "Europe/Berlin")

    assert (local.date(), local.time()) == (date(2026, 11, 23), time(14, 0))
    assert from_utc(instant, "America/Toronto").hour == 8


def test_minutes_between_counts_real_minutes_across_a_change():
    before = to_utc(date(2026, 10, 25), time(1, 0), "Europe/Berlin")
    after = to_utc(date(2026, 10, 25), time(4, 0), "Europe/Berlin")

    assert minutes_between(before, after) == 4 * 60
