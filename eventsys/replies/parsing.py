"""Reading what arrived: a mail's headers and text, and the calendar reply it carries (iMIP).

Written for the replies real clients send (see INTEROP.md): calendar parts anywhere in the MIME
tree, with or without a `method` parameter, in any transfer encoding; no ORGANIZER required;
`mailto:` in any letter case; the note in COMMENT or in Google's X-RESPONSE-COMMENT parameter.

The calendar's content lines (RFC 5545, section 3.1) are read here rather than through a full
iCalendar library: a reply needs only a handful of properties, and time zone definitions
(Windows names, Evolution's long TZIDs) are never interpreted, so they cannot make a reply
unreadable. Nothing in this module raises for bad input; problems are reported as text.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar"}
CALENDAR_FILE_ENDINGS = (".ics", ".vcs")
SHOWN_HEADERS = ("From", "Sender", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To")

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_FOLD = re.compile(rb"\r?\n[ \t]|\r[ \t]")
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


def address_of(value: str) -> str:
    """A calendar address (`mailto:…` in any case) or mail address, lower case and bare."""
    value = value.strip().strip('"').strip()
    if value[:7].lower() == "mailto:":
        value = value[7:]
    return value.strip().strip("<>").lower()


# --- Calendar content lines -------------------------------------------------------------------


@dataclass(frozen=True)
class ContentLine:
    name: str  # upper case
    params: dict[str, list[str]]  # parameter names upper case
    value: str  # as written, escapes not yet resolved

    def param(self, name: str) -> str:
        values = self.params.get(name, [])
        return values[0] if values else ""


def unfold(data: bytes, charset: str = "utf-8") -> list[str]:
    """The logical lines of a calendar object: folds removed before decoding, because clients
    fold at 75 octets and may split a UTF-8 character; line ends CRLF, LF or CR."""
    data = _FOLD.sub(b"", data.removeprefix(b"\xef\xbb\xbf"))
    try:
        text = data.decode(charset, "replace")
    except LookupError:
        text = data.decode("utf-8", "replace")
    return [line for line in re.split(r"\r\n|\n|\r", text) if line.strip()]


def _param_value(value: str) -> str:
    """A parameter value with RFC 6868 caret escapes resolved (^n, ^', ^^)."""
    if "^" not in value:
        return value
    return re.sub(
        r"\^(.)", lambda m: {"n": "\n", "'": '"', "^": "^"}.get(m.group(1), m.group(0)), value
    )


def parse_content_line(line: str) -> ContentLine | None:
    """Split `NAME;PARAM=a,"b;c":value`; None for a line that is no content line."""
    position = 0
    length = len(line)
    while position < length and line[position] not in ";:":
        position += 1
    name = line[:position].strip().upper()
    if not name or position >= length:
        return None
    params: dict[str, list[str]] = {}
    while position < length and line[position] == ";":
        position += 1
        start = position
        while position < length and line[position] not in "=;:":
            position += 1
        param_name = line[start:position].strip().upper()
        values: list[str] = []
        if position < length and line[position] == "=":
            position += 1
            while True:
                if position < length and line[position] == '"':
                    end = line.find('"', position + 1)
                    if end < 0:
                        end = length
                    values.append(_param_value(line[position + 1 : end]))
                    position = min(end + 1, length)
                    # Tolerate text between a closing quote and the next delimiter.
                    while position < length and line[position] not in ",;:":
                        position += 1
                else:
                    start = position
                    while position < length and line[position] not in ",;:":
                        position += 1
                    values.append(_param_value(line[start:position]))
                if position < length and line[position] == ",":
                    position += 1
                    continue
                break
        if param_name:
            params.setdefault(param_name, []).extend(values)
    if position >= length or line[position] != ":":
        return None
    return ContentLine(name, params, line[position + 1 :])


def unescape_text(value: str) -> str:
    """A TEXT value with its escapes resolved (RFC 5545, 3.3.11)."""
    return re.sub(
        r"\\(.)",
        lambda m: {"n": "\n", "N": "\n", ",": ",", ";": ";", "\\": "\\"}.get(
            m.group(1), m.group(0)
        ),
        value,
    )


# --- The reply --------------------------------------------------------------------------------


@dataclass
class CalendarAttendee:
    address: str  # lower case, without mailto:
    name: str = ""
    partstat: str = ""
    delegated_to: list[str] = field(default_factory=list)
    delegated_from: list[str] = field(default_factory=list)
    sent_by: str = ""
    response_comment: str = ""  # Google's X-RESPONSE-COMMENT


@dataclass
class CalendarTime:
    """DTSTART or DTEND as written, and as a UTC moment when its zone is one we can name."""

    value: str
    tzid: str = ""
    moment: datetime | None = None


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

    def note_of(self, attendee: CalendarAttendee | None) -> str:
        """The invitee's note: X-RESPONSE-COMMENT or COMMENT, a gateway disclaimer removed."""
        own = attendee.response_comment if attendee is not None else ""
        return strip_disclaimer(own or self.comment)

    def attendee_named(self, address: str) -> CalendarAttendee | None:
        return next((a for a in self.attendees if address and a.address == address), None)


# Windows zone names (as Outlook writes TZIDs) for the zones our members live in. Anything else
# is shown as written.
WINDOWS_ZONES = {
    "W. Europe Standard Time": "Europe/Berlin",
    "Central Europe Standard Time": "Europe/Budapest",
    "Central European Standard Time": "Europe/Warsaw",
    "Romance Standard Time": "Europe/Paris",
    "GMT Standard Time": "Europe/London",
    "E. Europe Standard Time": "Europe/Chisinau",
    "FLE Standard Time": "Europe/Kiev",
    "GTB Standard Time": "Europe/Bucharest",
    "Eastern Standard Time": "America/New_York",
    "Pacific Standard Time": "America/Los_Angeles",
    "UTC": "UTC",
}


def zone_for_tzid(tzid: str) -> ZoneInfo | None:
    """The zone a TZID names: an Olson name, a Windows name, or a path ending in an Olson name
    (Evolution's `/freeassociation.sourceforge.net/Tzfile/Europe/Berlin`)."""
    tzid = tzid.strip().strip('"')
    candidates = [WINDOWS_ZONES.get(tzid, tzid)]
    parts = [part for part in tzid.split("/") if part]
    candidates += ["/".join(parts[index:]) for index in range(1, len(parts))]
    for name in candidates:
        if not name or ".." in name or name.startswith("/"):
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return None


def _calendar_time(line: ContentLine) -> CalendarTime:
    value = line.value.strip()
    tzid = line.param("TZID")
    result = CalendarTime(value=value, tzid=tzid)
    match = re.fullmatch(r"(\d{8})T(\d{6})(Z?)", value)
    if match is None:
        return result
    try:
        naive = datetime.strptime(match.group(1) + match.group(2), "%Y%m%d%H%M%S")
    except ValueError:
        return result
    if match.group(3):
        result.moment = naive.replace(tzinfo=UTC)
    elif tzid:
        zone = zone_for_tzid(tzid)
        if zone is not None:
            result.moment = naive.replace(tzinfo=zone).astimezone(UTC)
    return result


def _attendee(line: ContentLine) -> CalendarAttendee:
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
        delegated_to=addresses("DELEGATED-TO"),
        delegated_from=addresses("DELEGATED-FROM"),
        sent_by=address_of(line.param("SENT-BY")),
        response_comment=unescape_text(line.param("X-RESPONSE-COMMENT")),
    )


class CalendarUnreadable(ValueError):
    """A calendar part that holds no usable event; the message says why."""


def read_calendar(
    data: bytes, part_method: str = "", part_type: str = "", charset: str = "utf-8"
) -> CalendarReply:
    """The reply in one calendar object. Raises CalendarUnreadable when there is none."""
    lines = unfold(data, charset)
    if not lines:
        raise CalendarUnreadable("the calendar part is empty")
    if not any(line.strip().upper() == "BEGIN:VCALENDAR" for line in lines):
        raise CalendarUnreadable("it contains no BEGIN:VCALENDAR")
    calendar: list[ContentLine] = []
    events: list[list[ContentLine]] = []
    stack: list[str] = []
    for raw_line in lines:
        line = parse_content_line(raw_line)
        if line is None:
            continue
        if line.name == "BEGIN":
            stack.append(line.value.strip().upper())
            if stack == ["VCALENDAR", "VEVENT"]:
                events.append([])
            continue
        if line.name == "END":
            if stack:
                stack.pop()
            continue
        if stack == ["VCALENDAR"]:
            calendar.append(line)
        elif stack == ["VCALENDAR", "VEVENT"]:
            events[-1].append(line)
    if not events:
        raise CalendarUnreadable("it contains no event (VEVENT)")
    # A reply about one occurrence of a series has RECURRENCE-ID; prefer the event itself.
    event = next(
        (lines for lines in events if not any(line.name == "RECURRENCE-ID" for line in lines)),
        events[0],
    )
    first = {}
    for line in event:
        first.setdefault(line.name, line)
    uid = first["UID"].value.strip() if "UID" in first else ""
    if not uid:
        raise CalendarUnreadable("the event has no UID")
    method = next((line.value.strip().upper() for line in calendar if line.name == "METHOD"), "")
    sequence = None
    if "SEQUENCE" in first:
        try:
            sequence = max(int(first["SEQUENCE"].value.strip()), 0)
        except ValueError:
            sequence = None
    comments = [unescape_text(line.value) for line in event if line.name == "COMMENT"]
    return CalendarReply(
        method=method or part_method.strip().upper(),
        uid=uid,
        sequence=sequence,
        dtstamp=first["DTSTAMP"].value.strip() if "DTSTAMP" in first else "",
        attendees=[_attendee(line) for line in event if line.name == "ATTENDEE"],
        organizer=address_of(first["ORGANIZER"].value) if "ORGANIZER" in first else "",
        comment="\n".join(comment.strip() for comment in comments if comment.strip()),
        summary=unescape_text(first["SUMMARY"].value) if "SUMMARY" in first else "",
        start=_calendar_time(first["DTSTART"]) if "DTSTART" in first else None,
        end=_calendar_time(first["DTEND"]) if "DTEND" in first else None,
        location=unescape_text(first["LOCATION"].value) if "LOCATION" in first else "",
        recurrence_id=first["RECURRENCE-ID"].value if "RECURRENCE-ID" in first else "",
        product=next((line.value for line in calendar if line.name == "PRODID"), ""),
        part_type=part_type,
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


@dataclass
class ParsedMessage:
    headers: list[tuple[str, str]] = field(default_factory=list)
    message_id: str = ""
    sender: str = ""  # the From address, lower case
    sender_display: str = ""  # the From header as written
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
        message: EmailMessage = BytesParser(policy=policy.default).parsebytes(raw)
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
    parsed.subject = _header(message, "Subject")
    parsed.in_reply_to = _MESSAGE_ID.findall(_header(message, "In-Reply-To"))
    parsed.references = _MESSAGE_ID.findall(_header(message, "References"))
    parsed.auto_reply = _automatic_reply_reason(message, parsed.subject)
    parsed.delivery_report = message.get_content_type() == "multipart/report"


def _read_parts(message: Message, parsed: ParsedMessage) -> None:
    html = ""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                parsed.reported_ids += _MESSAGE_ID.findall(_header(inner[0], "Message-ID"))
            continue
        if content_type == "text/rfc822-headers":
            headers = BytesParser(policy=policy.default).parsebytes(_part_payload(part))
            parsed.reported_ids += _MESSAGE_ID.findall(_header(headers, "Message-ID"))
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
    if parsed.calendar is None or (not parsed.calendar.method and reply.method):
        parsed.calendar = reply
