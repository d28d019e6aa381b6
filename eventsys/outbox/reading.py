"""Turning a stored message back into something a person can read in the browser."""

from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser


@dataclass
class ReadableMessage:
    headers: list[tuple[str, str]]
    text: str = ""
    html: str = ""
    calendar: str = ""
    attachments: list[str] = field(default_factory=list)


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
    return readable
