"""The shared calendar reader: what clients write, what breaks, and what an attacker sends."""

import time
from datetime import UTC, date, datetime

import pytest

from eventsys.calendar_reading import (
    CalendarTime,
    parse_content_line,
    read_calendar_object,
    unfold,
    zone_for_tzid,
)
from eventsys.replies.parsing import CalendarUnreadable, parse_message, read_calendar

START = "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x@test\r\n"
END = "END:VEVENT\r\nEND:VCALENDAR\r\n"


def calendar(*lines: str) -> bytes:
    return (START + "".join(f"{line}\r\n" for line in lines) + END).encode("utf-8")


def attendee(line: str):
    (result,) = read_calendar(calendar(line)).attendees
    return result


# --- Content lines as the library reads them --------------------------------------------------


def test_lower_case_names_and_mailto_are_read():
    line = parse_content_line("attendee;partstat=accepted;cn=Erika:MAILTO:Erika@X.example")
    assert line.name == "ATTENDEE"
    assert line.param("PARTSTAT") == "accepted"
    found = attendee("attendee;partstat=accepted:MAILTO:Erika@X.example")
    assert (found.address, found.partstat) == ("erika@x.example", "ACCEPTED")


def test_spaces_around_delimiters_do_not_change_parameter_values():
    # The reader before icalendar read " ACCEPTED" here, which matched no answer.
    found = attendee("ATTENDEE ;PARTSTAT = ACCEPTED ;CN = Erika:mailto:e@x.example")
    assert (found.partstat, found.name) == ("ACCEPTED", "Erika")


def test_colon_inside_a_quoted_parameter_is_no_value_separator():
    line = parse_content_line('ATTENDEE;SENT-BY="mailto:s@x.example";CN="A: B":mailto:e@x.example')
    assert line.param("SENT-BY") == "mailto:s@x.example"
    assert line.param("CN") == "A: B"
    assert line.value == "mailto:e@x.example"


def test_role_and_rsvp_are_read_for_the_outbox():
    found = attendee("ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:e@x.example")
    assert (found.role, found.rsvp) == ("REQ-PARTICIPANT", "TRUE")


def test_lines_that_are_no_content_lines():
    assert parse_content_line("no colon here") is None
    assert parse_content_line(":no name") is None
    assert parse_content_line("X;A=b") is None  # parameters but no value
    assert parse_content_line('ATTENDEE;CN="never closed:mailto:e@x.example') is None
    assert parse_content_line("BAD NAME/X:value") is None


# --- Lines the library refuses: one bad parameter costs only itself -----------------------------


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("ATTENDEE;RSVP;PARTSTAT=ACCEPTED;CN=Erika:mailto:e@x.example", "Erika"),
        ('ATTENDEE;CN="Erika"junk;PARTSTAT=ACCEPTED:mailto:e@x.example', "Erika"),
        ("ATTENDEE;CN=Er\x00ika;PARTSTAT=ACCEPTED:mailto:e@x.example", "Erika"),
        ('ATTENDEE;CN=Erika;X-ODD=a"b;PARTSTAT=ACCEPTED:mailto:e@x.example', "Erika"),
        ('ATTENDEE;CN=Erika;X-ODD=a"b"c";PARTSTAT=ACCEPTED:mailto:e@x.example', "Erika"),
        ("ATTENDEE;;PARTSTAT=ACCEPTED;CN=Erika:mailto:e@x.example", "Erika"),
    ],
    ids=["no-equals", "text-after-quote", "nul", "stray-quote", "odd-quotes", "empty-parameter"],
)
def test_a_malformed_parameter_does_not_lose_the_attendee(line, name):
    found = attendee(line)
    assert (found.address, found.partstat, found.name) == ("e@x.example", "ACCEPTED", name)


def test_a_malformed_line_does_not_make_the_reply_unreadable():
    reply = read_calendar(
        calendar(
            'ATTENDEE;CN="never closed:mailto:a@x.example',
            "garbage without colon",
            "ATTENDEE;PARTSTAT=DECLINED:mailto:e@x.example",
        )
    )
    assert [a.address for a in reply.attendees] == ["e@x.example"]


def test_stray_quote_in_a_tzid_keeps_the_time():
    time_ = read_calendar(
        calendar('DTSTART;TZID=Europe/Ber"lin:20300701T100000', "ATTENDEE:mailto:e@x.example")
    ).start
    assert time_.moment == datetime(2030, 7, 1, 8, 0, tzinfo=UTC)


# --- What the reply reader picks out ------------------------------------------------------------


def test_byte_order_mark_and_unknown_charset_are_tolerated():
    data = b"\xef\xbb\xbf" + calendar("COMMENT:Gr\xc3\xbc\xc3\x9fe".encode().decode("latin-1"))
    assert unfold(data)[0] == "BEGIN:VCALENDAR"
    reply = read_calendar(calendar("COMMENT:Grüße"), charset="x-no-such-charset")
    assert reply.comment == "Grüße"


def test_what_makes_a_calendar_unreadable():
    for data, problem in [
        (b"\r\n \r\n", "the calendar part is empty"),
        (b"UID:x\r\n", "it contains no BEGIN:VCALENDAR"),
        (b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n", "it contains no event (VEVENT)"),
    ]:
        with pytest.raises(CalendarUnreadable) as raised:
            read_calendar(data)
        assert str(raised.value) == problem


def test_the_event_itself_is_preferred_to_one_occurrence():
    data = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:series\r\nRECURRENCE-ID:20300708T080000Z\r\n"
        b"ATTENDEE;PARTSTAT=DECLINED:mailto:e@x.example\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:series\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:e@x.example\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    reply = read_calendar(data)
    assert reply.recurrence_id == "" and reply.attendees[0].partstat == "ACCEPTED"
    only_occurrence = data[: data.index(b"BEGIN:VEVENT", 20)] + b"END:VCALENDAR\r\n"
    assert read_calendar(only_occurrence).recurrence_id == "20300708T080000Z"


def test_first_of_a_repeated_property_counts_and_comments_are_joined():
    reply = read_calendar(
        calendar(
            "UID:second", "SUMMARY:Eins", "SUMMARY:Zwei", "COMMENT:a\\, b", "COMMENT: ", "COMMENT:c"
        )
    )
    assert (reply.uid, reply.summary, reply.comment) == ("x@test", "Eins", "a, b\nc")


def test_text_escapes_are_resolved_as_icalendar_resolves_them():
    reply = read_calendar(calendar("COMMENT:Zeile\\nzwei\\N\\;\\\\\\:", "LOCATION:Raum 1\\, 2"))
    assert reply.comment == "Zeile\nzwei\n;\\:"
    assert reply.location == "Raum 1, 2"


def test_method_from_the_object_before_the_part():
    without = calendar("ATTENDEE:mailto:e@x.example").replace(b"METHOD:REPLY\r\n", b"")
    assert read_calendar(without, part_method="counter").method == "COUNTER"
    assert read_calendar(calendar("ATTENDEE:mailto:e@x.example"), "COUNTER").method == "REPLY"


@pytest.mark.parametrize(("written", "read"), [("-3", 0), ("x", None), (" 7 ", 7)])
def test_sequence_values(written, read):
    assert read_calendar(calendar(f"SEQUENCE:{written}")).sequence == read


def test_nested_components_do_not_lend_their_properties_to_the_event():
    reply = read_calendar(
        calendar(
            "BEGIN:VALARM",
            "ATTENDEE:mailto:alarm@x.example",
            "COMMENT:from the alarm",
            "END:VALARM",
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:e@x.example",
        )
    )
    assert [a.address for a in reply.attendees] == ["e@x.example"]
    assert reply.comment == ""


def test_vtimezone_is_not_read_as_the_event():
    data = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:W. Europe Standard Time\r\n"
        b"BEGIN:STANDARD\r\nDTSTART:16010101T030000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        b"BEGIN:VEVENT\r\nUID:x\r\nDTSTART;TZID=W. Europe Standard Time:20300701T100000\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    assert read_calendar(data).start.moment == datetime(2030, 7, 1, 8, 0, tzinfo=UTC)


def test_a_truncated_calendar_is_read_and_says_where_it_ends():
    data = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nATTENDEE:mailto:e@x.example\r\n"
    assert read_calendar(data).uid == "x"
    assert read_calendar_object(data).problem == "it ends inside VEVENT, VCALENDAR (no END line)"
    assert read_calendar_object(calendar("SUMMARY:ok")).problem == ""


# --- Times --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "decoded", "moment"),
    [
        ("DTSTART:20300701T080000Z", datetime(2030, 7, 1, 8, tzinfo=UTC), True),
        ("DTSTART;TZID=Europe/Berlin:20300701T080000Z", datetime(2030, 7, 1, 8, tzinfo=UTC), True),
        (
            "DTSTART;TZID=Tokyo Standard Time:20300701T170000",
            datetime(2030, 7, 1, 8, tzinfo=UTC),
            True,
        ),
        ("DTSTART:20300701T100000", datetime(2030, 7, 1, 10), False),
        ("DTSTART;VALUE=DATE:20300701", date(2030, 7, 1), False),
        ("DTSTART:20300701", date(2030, 7, 1), False),
        ("DTSTART:20301301T100000", None, False),
        ("DTSTART:20300701T100000Z:20300702T100000Z", None, False),
        ("DTSTART:2030 701T100000", None, False),
        ("DTSTART:P1D", None, False),
    ],
)
def test_times_as_written_and_as_read(line, decoded, moment):
    start = read_calendar(calendar(line)).start
    assert start.decoded == decoded
    assert (start.moment is not None) == moment
    if moment:
        assert start.moment == decoded and start.moment.tzinfo == UTC
    assert start.value == line.partition(":")[2]


def test_floating_date_and_unknown_zone_are_told_apart():
    assert CalendarTime("20300701T100000", "", datetime(2030, 7, 1, 10)).is_floating
    unknown = CalendarTime("20300701T100000", "Customized Time Zone 1", datetime(2030, 7, 1, 10))
    assert not unknown.is_floating and unknown.moment is None and not unknown.is_date
    assert CalendarTime("20300701", "", date(2030, 7, 1)).is_date


def test_zone_names_outlook_writes_beyond_central_europe():
    assert str(zone_for_tzid("Tokyo Standard Time")) == "Asia/Tokyo"
    assert str(zone_for_tzid('"Romance Standard Time"')) == "Europe/Paris"
    assert str(zone_for_tzid("/Europe/Berlin")) == "Europe/Berlin"
    assert (
        str(zone_for_tzid("/x/America/Argentina/Buenos_Aires")) == "America/Argentina/Buenos_Aires"
    )
    assert zone_for_tzid("/") is None and zone_for_tzid("") is None


def test_a_tzid_of_many_parts_is_not_looked_up():
    # ZoneInfo looked such a name up as nested tzdata modules and hit the recursion limit,
    # which escaped the old reader.
    assert zone_for_tzid("a/" * 5000 + "Europe/Berlin") == zone_for_tzid("Europe/Berlin")
    assert zone_for_tzid("a/" * 5000) is None
    start = read_calendar(calendar("DTSTART;TZID=" + "a/" * 5000 + ":20300701T100000")).start
    assert start.moment is None and start.decoded == datetime(2030, 7, 1, 10)


# --- Hostile input: never raises, stays bounded in time -----------------------------------------

HOSTILE = {
    "many-parameters": "ATTENDEE" + ";X-P=v" * 50_000 + ":mailto:b@x.example",
    "many-refused-parameters": "ATTENDEE" + ";X-P" * 50_000 + ":mailto:b@x.example",
    "many-quoted-values": "ATTENDEE;X-P=" + '"a",' * 50_000 + '"b":mailto:b@x.example',
    "stray-quotes": "ATTENDEE;X-P=" + 'a"' * 50_001 + ":mailto:b@x.example",
    "unterminated-quote": 'ATTENDEE;CN="' + "a;b=c" * 100_000,
    "nul-bytes": "ATTENDEE;CN=\x00" + "\x00" * 200_000 + ":mailto:b@x.example",
    "repeated-property": "ATTENDEE;PARTSTAT=DECLINED:mailto:c@x.example\r\n" * 20_000,
    "deep-nesting": "BEGIN:VALARM\r\n" * 20_000,
    "folds": "COMMENT:" + "a\r\n " * 100_000,
    "blank-lines": "\r\n" * 200_000 + "\n \n" * 50_000,
    "delimiters": "ATTENDEE;" + "=,;" * 100_000 + ":mailto:b@x.example",
    "backslashes": "ATTENDEE;X=" + "\\" * 200_000 + ":mailto:b@x.example",
    "spaces": "ATTENDEE" + " \t" * 100_000 + ";X = a:mailto:b@x.example",
    "tzid-of-many-parts": "DTSTART;TZID=" + "x/" * 100_000 + ":20300701T100000",
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_calendars_are_read_in_bounded_time(body):
    data = calendar("ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@x.example", body)
    started = time.perf_counter()
    reply = read_calendar(data)
    parsed = parse_message(
        b"From: a@x.example\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n" + data
    )
    # Linear in the input: well under a second each here; a quadratic step would take minutes.
    assert time.perf_counter() - started < 10
    assert reply.uid == "x@test" and parsed.calendar.uid == "x@test"
    assert reply.attendee_named("a@x.example").partstat == "ACCEPTED"
