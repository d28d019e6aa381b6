"""Turning a stored message back into something a person can read in the browser."""

from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from eventsys.calendar_reading import CalendarObject, read_calendar_object


@dataclass
class ReadableMessage:
    headers: list[tuple[str, str]]
    text: str = ""
    html: str = ""
    calendar: str = ""
    calendar_content_type: str = ""
    attachments: list[str] = field(default_factory=list)
    # What the calendar part says, read as the reply intake reads it; its `problem` is shown
    # above the raw text.
    calendar_summary: CalendarObject | None = None


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
            charset = part.get_content_charset() or "utf-8"
            try:
                readable.calendar = payload.decode(charset, "replace")
            except LookupError:
                readable.calendar = payload.decode("utf-8", "replace")
            readable.calendar_content_type = str(part["Content-Type"] or content_type)
            readable.calendar_summary = read_calendar_object(payload, charset)
    return readable
