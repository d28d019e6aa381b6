"""Reading what arrived: a mail's headers and text, and the calendar reply it carries (iMIP).

Written for the replies real clients send (see INTEROP.md): calendar parts anywhere in the MIME
tree, with or without a `method` parameter, in any transfer encoding; no ORGANIZER required;
`mailto:` in any letter case; the note in COMMENT or in Google's X-RESPONSE-COMMENT parameter.

The calendar data itself is read by `eventsys.calendar_reading`, which the outbox's calendar
display shares; this module finds the calendar parts in the mail and picks out what matching a
reply needs. Nothing in this module raises for bad input; problems are reported as text.
"""

import functools
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses
from itertools import islice

from eventsys.calendar_reading import CalendarAttendee, CalendarTime, read_calendar_object

CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar"}
CALENDAR_FILE_ENDINGS = (".ics", ".vcs")
SHOWN_HEADERS = ("From", "Sender", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To")

# Bounds that keep one message from taking intake down: the longest header value read (the
# standard library decodes header values in time that grows with their length), how many
# message ids of References matching uses (the newest), and how many MIME parts are looked at.
HEADER_CHARS = 4000
REFERENCES_KEPT = 20
MESSAGE_IDS_KEPT = 5
PARTS_READ = 100
HEADERS_READ = 1000  # of a message's headers, the first (topmost) ones are searched for these
AUTHENTICATION_RESULTS_READ = 10

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """`value` safe to store: undecodable bytes (kept by the mail parser as surrogates) become
    UTF-8 or a replacement character, and control characters other than tab and line breaks
    are dropped (PostgreSQL refuses NUL in text)."""
    try:
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8", "replace")
    return _CONTROL.sub("", value)


# --- The reply --------------------------------------------------------------------------------


@dataclass
class CalendarReply:
    method: str  # REPLY, COUNTER, …; "" when neither the object nor the part names one
    uid: str
    sequence: int | None  # None when the reply carries no SEQUENCE
    dtstamp: str = ""
    attendees: list[CalendarAttendee] = field(default_factory=list)
    organizer: str = ""
    comment: str = ""  # COMMENT, escapes resolved
    summary: str = ""
    start: CalendarTime | None = None
    end: CalendarTime | None = None
    location: str = ""
    recurrence_id: str = ""
    product: str = ""
    part_type: str = ""  # the MIME type it was found in
    # Why the part cannot be trusted, however readable the rest: the components it leaves open
    # (it was cut off), and date-time properties that are no date or time, as (name, value).
    unclosed: list[str] = field(default_factory=list)
    unreadable_times: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_sound(self) -> bool:
        return not self.unclosed and not self.unreadable_times

    def note_of(self, attendee: CalendarAttendee | None) -> str:
        """The invitee's note: X-RESPONSE-COMMENT or COMMENT, a gateway disclaimer removed."""
        own = attendee.response_comment if attendee is not None else ""
        return strip_disclaimer(own or self.comment)

    def attendee_named(self, address: str) -> CalendarAttendee | None:
        return next((a for a in self.attendees if address and a.address == address), None)


class CalendarUnreadable(ValueError):
    """A calendar part that holds no usable event; the message says why."""


def read_calendar(
    data: bytes, part_method: str = "", part_type: str = "", charset: str = "utf-8"
) -> CalendarReply:
    """The reply in one calendar object. Raises CalendarUnreadable when there is none."""
    calendar = read_calendar_object(data, charset)
    if calendar.unreadable:
        raise CalendarUnreadable(calendar.unreadable)
    if not calendar.events:
        raise CalendarUnreadable("it contains no event (VEVENT)")
    # A reply about one occurrence of a series has RECURRENCE-ID; prefer the event itself.
    event = next((event for event in calendar.events if not event.recurrence_id), None)
    event = event or calendar.events[0]
    if not event.uid:
        raise CalendarUnreadable("the event has no UID")
    return CalendarReply(
        method=calendar.method or part_method.strip().upper(),
        uid=event.uid,
        sequence=max(event.sequence, 0) if event.sequence is not None else None,
        dtstamp=event.dtstamp,
        attendees=event.attendees,
        organizer=event.organizer,
        comment=event.comment,
        summary=event.summary,
        start=event.start,
        end=event.end,
        location=event.location,
        recurrence_id=event.recurrence_id,
        product=calendar.product,
        part_type=part_type,
        unclosed=calendar.unclosed,
        unreadable_times=[time for each in calendar.events for time in each.unreadable_times],
    )


# --- Disclaimers ------------------------------------------------------------------------------

# Mail gateways append a confidentiality notice; these words start or fill such a notice.
_DISCLAIMER_WORDS = re.compile(
    r"disclaimer|haftungsausschluss|vertraulich|rechtlich geschützt|confidential|"
    r"intended (?:solely )?for the (?:named )?(?:addressee|recipient)|intended recipient|"
    r"nicht der (?:richtige|beabsichtigte) (?:adressat|empfänger)|irrtümlich erhalten|"
    r"received this (?:e-?mail|message) in error|unbefugte weitergabe",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^\s*(?:[-_=*~]\s*){5,}$")


def strip_disclaimer(note: str) -> str:
    """`note` without a gateway's disclaimer: from a separator line or a paragraph that reads
    like a confidentiality notice to the end. The first paragraph is always kept."""
    lines = note.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paragraph_start = True
    seen_text = False
    for index, line in enumerate(lines):
        stripped = line.strip()
        if seen_text and _SEPARATOR.match(line):
            return "\n".join(lines[:index]).strip()
        if seen_text and paragraph_start and stripped:
            paragraph = " ".join(
                part.strip() for part in _paragraph_from(lines, index) if part.strip()
            )
            if _DISCLAIMER_WORDS.search(paragraph):
                return "\n".join(lines[:index]).strip()
        if stripped:
            seen_text = True
            paragraph_start = False
        else:
            paragraph_start = True
    return note.strip()


def _paragraph_from(lines: list[str], start: int) -> list[str]:
    paragraph = []
    for line in lines[start:]:
        if not line.strip():
            break
        paragraph.append(line)
    return paragraph


# --- The mail ---------------------------------------------------------------------------------


class BoundedPolicy(EmailPolicy):
    """The standard policy, but any header value is cut to HEADER_CHARS before it is decoded;
    of References the end is kept, where the newest message ids are."""

    def header_fetch_parse(self, name, value):
        if len(value) > HEADER_CHARS:
            value = value[-HEADER_CHARS:] if name.lower() == "references" else value[:HEADER_CHARS]
        return _decoded_header(self, name, value)


@functools.lru_cache(maxsize=4096)
def _decoded_header(policy: EmailPolicy, name: str, value: str):
    """The standard policy decodes a header anew each time it is read, and reading one message
    reads its Content-Type headers dozens of times (half the time of taking in a reply went
    there). Header objects are immutable, so the same text may share one; the cache is bounded
    in entries, and each value in length (HEADER_CHARS)."""
    return EmailPolicy.header_fetch_parse(policy, name, value)


BOUNDED = BoundedPolicy()


@dataclass
class ParsedMessage:
    headers: list[tuple[str, str]] = field(default_factory=list)
    message_id: str = ""
    sender: str = ""  # the From address, lower case
    sender_display: str = ""  # the From header as written
    from_addresses: list[str] = field(default_factory=list)  # every From address, lower case
    sender_header: str = ""  # the Sender address, lower case ("" without one)
    # Authentication-Results headers, the topmost (added by the last server) first.
    authentication_results: list[str] = field(default_factory=list)
    subject: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    # Message-IDs named in an attached message or its headers (what a bounce reports about).
    reported_ids: list[str] = field(default_factory=list)
    auto_reply: str = ""  # why this looks like an automatic reply; "" if it does not
    delivery_report: bool = False
    text: str = ""
    calendar: CalendarReply | None = None
    calendar_parts: int = 0
    # The readable calendar parts that cannot be trusted (cut off, or with times that cannot be
    # read); a message with one is never applied, even when another part is sound.
    unsound_calendars: list[CalendarReply] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def looks_like_mail(self) -> bool:
        return bool(self.sender or self.message_id or self.subject or self.calendar_parts)

    @property
    def referenced_ids(self) -> list[str]:
        """Message-IDs this answers, the most telling first: In-Reply-To, then References from
        the newest, then what a delivery report names."""
        ordered = [*self.in_reply_to, *reversed(self.references), *self.reported_ids]
        return list(dict.fromkeys(ordered))


def _header(message: Message, name: str) -> str:
    """A header's decoded text; the raw text if decoding fails on malformed input."""
    try:
        value = message.get(name)
        return clean_text(" ".join(str(value).split())) if value is not None else ""
    except Exception:
        for raw_name, raw_value in message.raw_items():
            if raw_name.lower() == name.lower():
                return clean_text(" ".join(str(raw_value).split()))
        return ""


def _automatic_reply_reason(message: Message, subject: str) -> str:
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted.startswith("auto-replied"):
        return "Auto-Submitted: auto-replied"
    for name in ("X-Autoreply", "X-Autorespond"):
        if _header(message, name):
            return name
    precedence = _header(message, "Precedence").lower()
    if precedence == "auto_reply":
        return "Precedence: auto_reply"
    lowered = subject.lower()
    for prefix in (
        "automatische antwort",
        "abwesenheitsnotiz",
        "automatic reply",
        "auto-reply",
        "autoreply",
        "out of office",
        "out-of-office",
    ):
        if lowered.startswith(prefix):
            return f"Subject: {subject}"
    return ""


def _part_payload(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _part_text(part: Message) -> str:
    payload = _part_payload(part)
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:
        return payload.decode("utf-8", "replace")


def _html_to_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", html)
    html = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", html)
    text = re.sub(r"<[^>]+>", " ", html)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<")
    return re.sub(r"[ \t]+", " ", text.replace("&gt;", ">")).strip()


def _is_calendar_part(part: Message) -> bool:
    if part.get_content_type() in CALENDAR_TYPES:
        return True
    filename = (part.get_filename() or "").lower()
    return filename.endswith(CALENDAR_FILE_ENDINGS)


def parse_message(raw: bytes) -> ParsedMessage:
    """Everything we use from one RFC 5322 message; never raises."""
    parsed = ParsedMessage()
    try:
        message: EmailMessage = BytesParser(policy=BOUNDED).parsebytes(raw)
    except Exception as error:
        parsed.problems.append(f"the message could not be read as an e-mail ({error})")
        return parsed
    try:
        _read_headers(message, parsed)
        _read_parts(message, parsed)
    except Exception as error:
        parsed.problems.append(f"the message could not be read completely ({error})")
    return parsed


def _read_headers(message: Message, parsed: ParsedMessage) -> None:
    parsed.headers = [(name, _header(message, name)) for name in SHOWN_HEADERS]
    parsed.headers = [(name, value) for name, value in parsed.headers if value]
    parsed.message_id = _header(message, "Message-ID")
    parsed.sender_display = _header(message, "From")
    addresses = getaddresses([parsed.sender_display])
    parsed.sender = addresses[0][1].lower() if addresses and "@" in addresses[0][1] else ""
    parsed.from_addresses = [address.lower() for _name, address in addresses if "@" in address]
    sender = getaddresses([_header(message, "Sender")])
    parsed.sender_header = sender[0][1].lower() if len(sender) == 1 and "@" in sender[0][1] else ""
    parsed.authentication_results = [
        clean_text(" ".join(str(value).split()))[:HEADER_CHARS]
        for name, value in islice(message.raw_items(), HEADERS_READ)
        if name.lower() == "authentication-results"
    ][:AUTHENTICATION_RESULTS_READ]
    parsed.subject = _header(message, "Subject")
    parsed.in_reply_to = _MESSAGE_ID.findall(_header(message, "In-Reply-To"))[:MESSAGE_IDS_KEPT]
    references = _MESSAGE_ID.findall(_header(message, "References"))
    parsed.references = references[-REFERENCES_KEPT:]
    if len(references) > REFERENCES_KEPT or _raw_length(message, "References") > HEADER_CHARS:
        parsed.problems.append(
            f"References names more message ids than matching needs; only the last "
            f"{len(parsed.references)} were used"
        )
    parsed.auto_reply = _automatic_reply_reason(message, parsed.subject)
    parsed.delivery_report = message.get_content_type() == "multipart/report"


def _raw_length(message: Message, name: str) -> int:
    return sum(len(value) for key, value in message.raw_items() if key.lower() == name.lower())


def _read_parts(message: Message, parsed: ParsedMessage) -> None:
    html = ""
    for index, part in enumerate(message.walk()):
        if index >= PARTS_READ:
            parsed.problems.append(f"only the first {PARTS_READ} MIME parts were read")
            break
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                parsed.reported_ids += _MESSAGE_ID.findall(_header(inner[0], "Message-ID"))
                parsed.reported_ids = parsed.reported_ids[:MESSAGE_IDS_KEPT]
            continue
        if content_type == "text/rfc822-headers":
            headers = BytesParser(policy=BOUNDED).parsebytes(_part_payload(part))
            parsed.reported_ids += _MESSAGE_ID.findall(_header(headers, "Message-ID"))
            parsed.reported_ids = parsed.reported_ids[:MESSAGE_IDS_KEPT]
            continue
        if part.is_multipart():
            continue
        if _is_calendar_part(part):
            parsed.calendar_parts += 1
            _read_calendar_part(part, parsed)
            continue
        is_attachment = part.get_content_disposition() == "attachment"
        if content_type == "text/plain" and not parsed.text and not is_attachment:
            parsed.text = clean_text(_part_text(part)).replace("\r\n", "\n").strip()
        elif content_type == "text/html" and not html and not is_attachment:
            html = clean_text(_part_text(part))
    if not parsed.text and html:
        parsed.text = _html_to_text(html)


def _read_calendar_part(part: Message, parsed: ParsedMessage) -> None:
    """Keep the first readable reply; several parts (inline and attached) usually repeat it."""
    try:
        reply = read_calendar(
            _part_payload(part),
            str(part.get_param("method") or ""),
            part.get_content_type(),
            part.get_content_charset() or "utf-8",
        )
    except CalendarUnreadable as problem:
        parsed.problems.append(f"{part.get_content_type()}: {problem}")
        return
    if not reply.is_sound:
        parsed.unsound_calendars.append(reply)
    if parsed.calendar is None or (not parsed.calendar.method and reply.method):
        parsed.calendar = reply
