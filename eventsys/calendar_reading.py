"""Reading iCalendar data (RFC 5545) as real calendar clients write it.

Shared by the reply reader (`replies/parsing.py`) and the outbox's calendar display, so it
imports nothing from the features. Nothing here raises for bad input: what cannot be read is
left out, and a calendar that cannot be read at all says why in `CalendarObject.unreadable`.

Content lines and their parameters are read with the icalendar library's own parser
(`icalendar.parser.Contentline`), times with its value types. Two steps around it are owned:

- Unfolding happens on the raw bytes, before decoding: clients fold at 75 octets and may split
  a UTF-8 character across a fold. Line ends may be CRLF, LF (mail delivered through a pipe) or
  CR.
- A line the library refuses as a whole (a parameter without `=`, a stray quote, a control
  character) is split here and its parameters are read one by one, so that one bad parameter
  costs only itself, as it did before this module stood on the library.

The component tree is walked here instead of built with `Calendar.from_ical`, because that
refuses a whole calendar for one stray line outside a component or a missing END line, turns
every VTIMEZONE into a time zone in a process-wide cache, and warns about Evolution's TZIDs.
Time zone definitions are never interpreted: a TZID is read as the zone it names (Olson,
Windows or a vendor path ending in an Olson name), so they cannot make a calendar unreadable.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.parser import Contentline, Parameters, rfc_6868_unescape, unescape_backslash
from icalendar.prop import vDate, vDatetime
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

_FOLD = re.compile(rb"\r?\n[ \t]|\r[ \t]")
_LINE_END = re.compile(r"\r\n|\n|\r")
_NAME = re.compile(r"[\w.-]+")
# Control characters, which RFC 5545 allows in no parameter value (tab aside).
_NOT_IN_PARAMETERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# The shape the library's date and time types read; checked first because they also read a
# value after a colon or with spaces in it.
_DATE_OR_TIME = re.compile(r"[0-9]{8}(?:T[0-9]{6}Z?)?")
# What an Olson zone name may look like; anything else (a path, "..", spaces) is not looked up.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(?:/[A-Za-z0-9_+-]+){0,2}")
_VALUE_ITEM = re.compile(r'"(?P<quoted>[^"]*)"[^,]*|(?P<plain>[^,]*)')


# --- Content lines ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentLine:
    name: str  # upper case
    params: dict[str, list[str]]  # names upper case, values unquoted with RFC 6868 resolved
    value: str  # as written, escapes not yet resolved

    def param(self, name: str) -> str:
        """The first value of the parameter `name` (upper case), "" when it is not given."""
        values = self.params.get(name, [])
        return values[0] if values else ""


def unfold(data: bytes, charset: str = "utf-8") -> list[str]:
    """The logical lines of a calendar object: folds removed before decoding, because clients
    fold at 75 octets and may split a UTF-8 character; line ends CRLF, LF or CR; blank lines
    and a byte order mark dropped. Undecodable bytes become replacement characters."""
    data = _FOLD.sub(b"", data.removeprefix(b"\xef\xbb\xbf"))
    try:
        text = data.decode(charset, "replace")
    except LookupError:
        text = data.decode("utf-8", "replace")
    return [line for line in _LINE_END.split(text) if line.strip()]


def _as_list(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def _split_leniently(text: str) -> tuple[str, list[str], str] | None:
    """The name, the parameters' texts and the value of a line the library refuses, split as
    RFC 5545's grammar has it: a double quote opens a quoted string only at the start of a
    parameter value and is text anywhere else. None when no value follows."""
    pieces: list[str] = []
    start = position = 0
    while position < len(text):
        character = text[position]
        if character == '"' and position > start and text[position - 1] in "=,":
            position = text.find('"', position + 1) + 1
            if position == 0:
                return None  # the quoted string runs to the end of the line
            continue
        if character in ";:":
            pieces.append(text[start:position])
            start = position + 1
            if character == ":":
                return pieces[0], pieces[1:], text[start:]
        position += 1
    return None


def _lenient_values(value: str) -> list[str]:
    """The values of a parameter the library refuses, read as leniently as clients need:
    a quoted value ends at its closing quote (text after it is dropped), quotes inside an
    unquoted value and control characters are dropped."""
    values = []
    position = 0
    while True:
        match = _VALUE_ITEM.match(value, position)
        item = match["quoted"] if match["quoted"] is not None else match["plain"].replace('"', "")
        values.append(rfc_6868_unescape(_NOT_IN_PARAMETERS.sub("", item)))
        position = match.end()
        if position >= len(value):
            return values
        position += 1  # the comma between two values


def _parameters_one_by_one(texts: list[str]) -> dict[str, list[str]]:
    """The parameters among `texts` (`NAME=value`), each read by the library on its own, or
    leniently where the library refuses it; a text without `=` is left out."""
    params: dict[str, list[str]] = {}
    for text in texts:
        name, equals, value = text.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or _NAME.fullmatch(name) is None:
            continue
        try:
            (values,) = Parameters.from_ical(f"{name}={value}").values()
        except ValueError:
            values = _lenient_values(value)
        params.setdefault(name.upper(), []).extend(_as_list(values))
    return params


def parse_content_line(text: str) -> ContentLine | None:
    """Split `NAME;PARAM=a,"b;c":value` with the icalendar library's parser; None for a line
    that is no content line (no valid name, or no value).

    A line the library refuses as a whole is split here, and its parameters are read one by
    one, so that a stray quote, a parameter without `=` or a control character costs only the
    parameter it is in, as it did before this module stood on the library."""
    line = Contentline(text)
    if line.value_separator_index() >= 0:
        try:
            name, parameters, value = line.raw_parts()
        except ValueError:
            pass
        else:
            params = {key.upper(): _as_list(values) for key, values in parameters.items()}
            return ContentLine(name.upper(), params, value)
    pieces = _split_leniently(text)
    if pieces is None:
        return None
    name, parameter_texts, value = pieces
    name = re.sub(r"[ \t]+", "", name)
    if _NAME.fullmatch(name) is None:
        return None
    return ContentLine(name.upper(), _parameters_one_by_one(parameter_texts), value)


def unescape_text(value: str) -> str:
    """A TEXT value with its backslash escapes resolved (RFC 5545, 3.3.11)."""
    return unescape_backslash(value)


def address_of(value: str) -> str:
    """A calendar address (`mailto:…` in any case) or mail address, lower case and bare."""
    value = value.strip().strip('"').strip()
    if value[:7].lower() == "mailto:":
        value = value[7:]
    return value.strip().strip("<>").lower()


# --- Times ------------------------------------------------------------------------------------


def zone_for_tzid(tzid: str) -> ZoneInfo | None:
    """The zone a TZID names: an Olson name, a Windows name (as Outlook writes them), or a path
    ending in an Olson name (Evolution's `/freeassociation.sourceforge.net/Tzfile/Europe/Berlin`).
    None for a name we cannot tell, such as Outlook's `Customized Time Zone 1`."""
    tzid = tzid.strip().strip('"')
    # Olson names have at most three parts (America/Argentina/Buenos_Aires), so only the last
    # three are tried: a TZID of thousands of parts would otherwise cost quadratic time, and
    # ZoneInfo looks such a name up as nested modules of the tzdata package until Python's
    # recursion limit.
    parts = [part for part in tzid.split("/") if part][-3:]
    candidates = [WINDOWS_TO_OLSON.get(tzid, tzid)]
    candidates += ["/".join(parts[index:]) for index in range(len(parts))]
    for name in candidates:
        if len(name) > 64 or _ZONE_NAME.fullmatch(name) is None:
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return None


@dataclass(frozen=True)
class CalendarTime:
    """A DTSTART or DTEND: `value` as written, and `decoded` as what it names when it can be
    read: aware for UTC times and zones we can name, naive for a floating time or a zone we
    cannot name, a date for all-day entries, None for a value that is no date or time."""

    value: str
    tzid: str = ""
    decoded: datetime | date | None = None

    @property
    def moment(self) -> datetime | None:
        """The moment in UTC when the zone is known, else None."""
        if isinstance(self.decoded, datetime) and self.decoded.tzinfo is not None:
            return self.decoded.astimezone(UTC)
        return None

    @property
    def is_date(self) -> bool:
        return isinstance(self.decoded, date) and not isinstance(self.decoded, datetime)

    @property
    def is_floating(self) -> bool:
        """A time without zone, which each calendar reads in its own zone."""
        return isinstance(self.decoded, datetime) and self.decoded.tzinfo is None and not self.tzid


def read_time(line: ContentLine) -> CalendarTime:
    """The time a DTSTART or DTEND line gives; a `Z` (UTC) counts before a TZID."""
    value = line.value.strip()
    tzid = line.param("TZID")
    if _DATE_OR_TIME.fullmatch(value) is None:
        return CalendarTime(value, tzid)
    try:
        if len(value) == 8:
            return CalendarTime(value, tzid, vDate.from_ical(value))
        decoded = vDatetime.from_ical(value)
    except ValueError:  # such as month 13
        return CalendarTime(value, tzid)
    if decoded.tzinfo is None and tzid:
        zone = zone_for_tzid(tzid)
        if zone is not None:
            decoded = decoded.replace(tzinfo=zone)
    return CalendarTime(value, tzid, decoded)


# --- Events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarAttendee:
    address: str  # lower case, without mailto:
    name: str = ""
    partstat: str = ""  # upper case
    role: str = ""
    rsvp: str = ""
    delegated_to: list[str] = field(default_factory=list)
    delegated_from: list[str] = field(default_factory=list)
    sent_by: str = ""
    response_comment: str = ""  # Google's X-RESPONSE-COMMENT


def read_attendee(line: ContentLine) -> CalendarAttendee:
    """The attendee an ATTENDEE line names, by its mailto: address or its EMAIL parameter."""
    value = line.value.strip()
    address = address_of(value) if value[:7].lower() == "mailto:" else ""
    if not address or "@" not in address:
        # Some servers name attendees by urn:uuid and give the address in the EMAIL parameter.
        address = address_of(line.param("EMAIL")) or address_of(value)

    def addresses(name: str) -> list[str]:
        return [address_of(item) for item in line.params.get(name, []) if item.strip()]

    return CalendarAttendee(
        address=address,
        name=line.param("CN"),
        partstat=line.param("PARTSTAT").upper(),
        role=line.param("ROLE"),
        rsvp=line.param("RSVP"),
        delegated_to=addresses("DELEGATED-TO"),
        delegated_from=addresses("DELEGATED-FROM"),
        sent_by=address_of(line.param("SENT-BY")),
        response_comment=unescape_text(line.param("X-RESPONSE-COMMENT")),
    )


@dataclass
class CalendarEvent:
    """What one VEVENT says; of a property given twice, the first counts."""

    uid: str = ""
    sequence: int | None = None  # as written; None when missing or not a number
    dtstamp: str = ""  # as written
    status: str = ""
    summary: str = ""
    start: CalendarTime | None = None
    end: CalendarTime | None = None
    location: str = ""
    organizer: str = ""  # lower case, without mailto:
    organizer_name: str = ""
    attendees: list[CalendarAttendee] = field(default_factory=list)
    comment: str = ""  # every COMMENT, escapes resolved, one per line
    recurrence_id: str = ""  # as written; "" for the event itself rather than one occurrence
    # The date-time properties given with a value that is no date or time: (name, value).
    unreadable_times: list[tuple[str, str]] = field(default_factory=list)


def _sequence(value: str) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        return None


# The properties of an event that hold a date or a date and time, checked in this order.
TIME_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID", "DTSTAMP")


def read_event(lines: list[ContentLine]) -> CalendarEvent:
    """The event that the content lines of one VEVENT describe."""
    first: dict[str, ContentLine] = {}
    for line in lines:
        first.setdefault(line.name, line)

    def written(name: str) -> str:
        return first[name].value.strip() if name in first else ""

    def text(name: str) -> str:
        return unescape_text(first[name].value) if name in first else ""

    comments = [unescape_text(line.value).strip() for line in lines if line.name == "COMMENT"]
    organizer = first.get("ORGANIZER")
    return CalendarEvent(
        uid=written("UID"),
        sequence=_sequence(first["SEQUENCE"].value) if "SEQUENCE" in first else None,
        dtstamp=written("DTSTAMP"),
        status=written("STATUS"),
        summary=text("SUMMARY"),
        start=read_time(first["DTSTART"]) if "DTSTART" in first else None,
        end=read_time(first["DTEND"]) if "DTEND" in first else None,
        location=text("LOCATION"),
        organizer=address_of(organizer.value) if organizer else "",
        organizer_name=organizer.param("CN") if organizer else "",
        attendees=[read_attendee(line) for line in lines if line.name == "ATTENDEE"],
        comment="\n".join(comment for comment in comments if comment),
        recurrence_id=first["RECURRENCE-ID"].value if "RECURRENCE-ID" in first else "",
        unreadable_times=[
            (name, first[name].value.strip())
            for name in TIME_PROPERTIES
            if name in first and read_time(first[name]).decoded is None
        ],
    )


# --- Calendar objects -------------------------------------------------------------------------


@dataclass
class CalendarObject:
    """What a VCALENDAR says: its METHOD and PRODID, and each VEVENT directly in it."""

    method: str = ""  # upper case; "" when the calendar names none
    product: str = ""
    events: list[CalendarEvent] = field(default_factory=list)
    unreadable: str = ""  # why nothing could be read; "" when it could
    unclosed: list[str] = field(default_factory=list)  # components still open at the end

    @property
    def problem(self) -> str:
        """What is wrong with the calendar as a whole, for people; "" when nothing is."""
        if self.unreadable:
            return self.unreadable
        if self.unclosed:
            names = ", ".join(self.unclosed[:3]) + (", …" if len(self.unclosed) > 3 else "")
            return f"it ends inside {names} (no END line)"
        return ""


def read_calendar_object(data: bytes | str, charset: str = "utf-8") -> CalendarObject:
    """The calendar in `data` (bytes in `charset`, or text), read as leniently as real
    clients need: lines that are no content lines are skipped, components may be left open,
    several VCALENDARs are read as one. Never raises."""
    if isinstance(data, str):
        data, charset = data.encode("utf-8", "replace"), "utf-8"
    raw_lines = unfold(data, charset)
    if not raw_lines:
        return CalendarObject(unreadable="the calendar part is empty")
    if not any(line.strip().upper() == "BEGIN:VCALENDAR" for line in raw_lines):
        return CalendarObject(unreadable="it contains no BEGIN:VCALENDAR")
    calendar: list[ContentLine] = []
    events: list[list[ContentLine]] = []
    stack: list[str] = []
    for raw_line in raw_lines:
        line = parse_content_line(raw_line)
        if line is None:
            continue
        if line.name == "BEGIN":
            stack.append(line.value.strip().upper())
            if stack == ["VCALENDAR", "VEVENT"]:
                events.append([])
        elif line.name == "END":
            if stack:
                stack.pop()
        elif stack == ["VCALENDAR"]:
            calendar.append(line)
        elif stack == ["VCALENDAR", "VEVENT"]:
            events[-1].append(line)
    return CalendarObject(
        method=next((line.value.strip().upper() for line in calendar if line.name == "METHOD"), ""),
        product=next((line.value for line in calendar if line.name == "PRODID"), ""),
        events=[read_event(lines) for lines in events],
        unclosed=list(reversed(stack)),
    )
