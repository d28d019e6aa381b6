"""Turning a stored message back into something a person can read in the browser."""

from dataclasses import dataclass, field
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import icalendar


@dataclass(frozen=True)
class CalendarTime:
    """A DTSTART or DTEND as written: `value` is aware for UTC and zoned times, naive for a
    floating time (which each calendar reads in its own zone), or a date for all-day events."""

    value: datetime | date
    tzid: str = ""

    @property
    def is_date(self) -> bool:
        return not isinstance(self.value, datetime)

    @property
    def is_floating(self) -> bool:
        return isinstance(self.value, datetime) and self.value.tzinfo is None


@dataclass(frozen=True)
class CalendarAttendee:
    address: str
    name: str
    partstat: str
    role: str
    rsvp: str


@dataclass
class CalendarEvent:
    uid: str = ""
    sequence: int | None = None
    status: str = ""
    summary: str = ""
    start: CalendarTime | None = None
    end: CalendarTime | None = None
    location: str = ""
    organizer: str = ""
    organizer_name: str = ""
    attendees: list[CalendarAttendee] = field(default_factory=list)


@dataclass
class CalendarSummary:
    """What a calendar part says, for people: METHOD and each event's main properties."""

    method: str = ""
    events: list[CalendarEvent] = field(default_factory=list)
    problem: str = ""  # why the part could not be read; the raw text is shown regardless


@dataclass
class ReadableMessage:
    headers: list[tuple[str, str]]
    text: str = ""
    html: str = ""
    calendar: str = ""
    calendar_content_type: str = ""
    attachments: list[str] = field(default_factory=list)
    calendar_summary: CalendarSummary | None = None


SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID")


def read_message(raw: bytes) -> ReadableMessage:
    """Split a stored RFC 5322 message into headers, text, HTML and calendar parts."""
    message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
    readable = ReadableMessage(
        headers=[(name, str(message[name])) for name in SHOWN_HEADERS if message[name]]
    )
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        filename = part.get_filename()
        if filename:
            readable.attachments.append(filename)
        if content_type == "text/plain" and not readable.text and not filename:
            readable.text = part.get_content()
        elif content_type == "text/html" and not readable.html and not filename:
            readable.html = part.get_content()
        elif content_type in ("text/calendar", "application/ics") and not readable.calendar:
            payload = part.get_payload(decode=True) or b""
            readable.calendar = payload.decode(part.get_content_charset() or "utf-8", "replace")
            readable.calendar_content_type = str(part["Content-Type"] or content_type)
    if readable.calendar:
        readable.calendar_summary = summarise_calendar(readable.calendar)
    return readable


def _text(component, name: str) -> str:
    value = component.get(name)
    return str(value) if value is not None else ""


def _time(component, name: str) -> CalendarTime | None:
    prop = component.get(name)
    if prop is None:
        return None
    return CalendarTime(component.decoded(name), str(prop.params.get("TZID", "")))


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _address(value) -> str:
    text = str(value)
    return text[len("mailto:") :] if text.lower().startswith("mailto:") else text


def _event(component) -> CalendarEvent:
    organizer = component.get("organizer")
    sequence = component.get("sequence")
    return CalendarEvent(
        uid=_text(component, "uid"),
        sequence=int(sequence) if sequence is not None else None,
        status=_text(component, "status"),
        summary=_text(component, "summary"),
        start=_time(component, "dtstart"),
        end=_time(component, "dtend"),
        location=_text(component, "location"),
        organizer=_address(organizer) if organizer is not None else "",
        organizer_name=str(organizer.params.get("CN", "")) if organizer is not None else "",
        attendees=[
            CalendarAttendee(
                address=_address(attendee),
                name=str(attendee.params.get("CN", "")),
                partstat=str(attendee.params.get("PARTSTAT", "")),
                role=str(attendee.params.get("ROLE", "")),
                rsvp=str(attendee.params.get("RSVP", "")),
            )
            for attendee in _as_list(component.get("attendee"))
        ],
    )


def summarise_calendar(text: str) -> CalendarSummary:
    """Read an iCalendar text with the icalendar library into a CalendarSummary; a text that
    cannot be read gives an empty summary with the reason in `problem`."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
        return CalendarSummary(
            method=_text(calendar, "method"),
            events=[_event(component) for component in calendar.walk("VEVENT")],
        )
    except (ValueError, KeyError, IndexError, TypeError) as error:
        return CalendarSummary(problem=str(error) or error.__class__.__name__)
