"""Mail headers that carry only what we put there.

Python's email package before 3.11.10 and 3.12.5 (CVE-2024-6923) writes an RFC 2047 encoded
word whose decoded text holds CR or LF as a real line break. A session title such as
``Workshop =?utf-8?q?=0D=0AReply-To:=20evil@example.org?=`` then becomes a Subject, a
``Reply-To`` header and, with a blank line, a new body in every invitation. Newer versions fix
the folding, but eventsys does not rely on the interpreter; it defends itself in two ways:

1. Every single-line value is made safe before it reaches a header. Text (subjects, display
   names, filenames) is neutralised by `header_text`: control characters and line breaks
   become spaces, and encoded-word syntax is broken up, so that the header carries the literal
   text the organiser typed (as our pages show it) and no mail reader decodes it into anything
   else. Addresses are refused (`UnsafeHeader`) instead: a changed address would send the mail
   to someone else.
2. Every composed message is written and parsed back before it is stored (`serialise`): the
   same headers in the same order and number, with the same decoded values, only headers from
   the lists below, and no control character in any decoded value. Before delivery, a stored
   message is read again and held against its outbox row (`check_stored`).
"""

import re
from email import base64mime, policy, quoprimime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser

# The headers the outbox writes on a message, and those of its MIME parts. A header outside
# these is refused: a new one is added here on purpose.
MESSAGE_HEADERS = frozenset(
    {
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "auto-submitted",
        # The reader's language (RFC 3282), so that a preview can show each language once.
        "content-language",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    }
)
PART_HEADERS = frozenset(
    {"content-type", "content-transfer-encoding", "content-disposition", "mime-version"}
)
# Each of these appears exactly once on every stored message.
REQUIRED_ONCE = ("from", "to", "subject", "date", "message-id")
# The outbox row keeps the subject cut to this length (OutboxMessage.subject).
SUBJECT_COLUMN_LENGTH = 300

# What a header line is folded to (RFC 5322 § 2.1.1 recommends 78 characters).
MAX_LINE_LENGTH = 78

# How messages are written: CRLF line ends, and the headers this module encodes itself (see
# `set_text`, `set_mailbox`) written as they are, never refolded by the email package.
WRITING_POLICY = policy.SMTP.clone(refold_source="none")

# C0 and C1 controls (CR, LF, vertical tab, form feed, NUL …), DEL and the Unicode line and
# paragraph separators: none belongs in a one-line value, and some readers break lines at each.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What opens an RFC 2047 encoded word. Python's header parser decodes one even in the middle of
# a word and with spaces inside it, so every "=?" counts.
_ENCODED_WORD_OPENER = "=?"


class UnsafeHeader(ValueError):
    """A value cannot go into a mail header, or a message's headers are not what was meant."""


def header_text(value: str) -> str:
    """`value` as one line of literal header text.

    Control characters and line breaks become spaces, runs of white space one space, and an
    encoded-word opener ``=?`` becomes ``= ?``: the mail then shows the text as it was typed,
    and no reader (nor Python's own header parser) decodes a line break out of it.
    """
    text = " ".join(_CONTROL.sub(" ", value).split())
    return text.replace(_ENCODED_WORD_OPENER, "= ?")


def mailbox(address: str, display_name: str = "") -> Address:
    """A mailbox for From or To: `address` checked, `display_name` neutralised (`header_text`).

    Raises UnsafeHeader if the address holds a control character, white space or an
    encoded-word opener, or is not a single plain address.
    """
    address = address.strip()
    if not address or _CONTROL.search(address) or _ENCODED_WORD_OPENER in address:
        raise UnsafeHeader(f"not a mail address that can go into a header: {address!r}")
    if any(character.isspace() for character in address):
        raise UnsafeHeader(f"not a mail address that can go into a header: {address!r}")
    local_part, _at, domain = address.rpartition("@")
    try:
        if address.isascii():
            checked = Address(display_name=header_text(display_name), addr_spec=address)
        elif local_part and domain and not set('<>(),;:"[]\\@').intersection(local_part + domain):
            # An internationalised address (RFC 6531) is a mailbox too; `set_mailbox` says
            # why the outbox cannot write it.
            checked = Address(header_text(display_name), username=local_part, domain=domain)
        else:
            raise ValueError(address)
    except (ValueError, IndexError) as error:
        raise UnsafeHeader(f"not a mail address that can go into a header: {address!r}") from error
    if checked.addr_spec != address or "@" not in address:
        raise UnsafeHeader(f"not a mail address that can go into a header: {address!r}")
    return checked


def set_text(message: EmailMessage, name: str, value: str) -> None:
    """Set header `name` (e.g. Subject) to `value` as one line of literal text (`header_text`).

    The text is encoded and folded here, not by the email package: Python 3.11 and 3.12 fold
    encoded words at a space and lose that space (readers show "–Köln" for "– Köln"), and
    move a text with a long word to a line of its own, which reads back with a leading space.
    Raises UnsafeHeader if the header does not read back as the text.
    """
    text = header_text(value)
    if text.isascii():
        # Folded at spaces only; a word too long for a line stays whole.
        folded = Header(text, charset="us-ascii", header_name=name)
        message.set_raw(name, folded.encode(linesep="\n", maxlinelen=MAX_LINE_LENGTH))
    else:
        message.set_raw(name, _encoded_words(name, text))
    if str(message[name]) != text:
        raise UnsafeHeader(f"the {name} header reads back as {str(message[name])!r}")


def set_mailbox(message: EmailMessage, name: str, box: Address) -> None:
    """Set header `name` (From or To) to the mailbox `box` (see `mailbox`).

    The display name is written here, not by the email package, which in Python 3.11 leaves a
    folded name with commas, quotes or angle brackets unquoted (it then reads back as other
    addresses) and splits long non-ASCII names so that its own parser adds spaces: an ASCII
    name as one quoted string, any other as one encoded word, shortened (with "…") to the 75
    characters RFC 2047 allows an encoded word. Raises UnsafeHeader if the header does not read
    back as that one mailbox.
    """
    box = mailbox(box.addr_spec, box.display_name)
    if not box.addr_spec.isascii():
        raise UnsafeHeader(
            f"{box.addr_spec!r} has non-ASCII characters, which only mail servers with "
            "SMTPUTF8 accept; the outbox does not use it"
        )
    display_name = box.display_name
    if not display_name:
        phrase = ""
    elif display_name.isascii():
        phrase = '"' + display_name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    else:
        display_name, phrase = _one_encoded_word(display_name)
    value = f"<{box.addr_spec}>" if not phrase else f"{phrase}\n <{box.addr_spec}>"
    message.set_raw(name, value)
    written = message[name].addresses
    if (
        len(written) != 1
        or written[0].addr_spec != box.addr_spec
        or written[0].display_name != display_name
    ):
        raise UnsafeHeader(f"the {name} header reads back as {str(message[name])!r}")


_ENCODED_WORD_LENGTH = 75  # RFC 2047 § 2


def _one_encoded_word(text: str) -> tuple[str, str]:
    """The longest start of `text` (with "…" where it is cut) that fits one encoded word, and
    that word (base64 or quoted-printable, whichever is shorter)."""
    for length in range(len(text), 0, -1):
        shown = text if length == len(text) else text[:length].rstrip() + "…"
        encoded = min(
            (
                base64mime.header_encode(shown.encode(), "utf-8"),
                quoprimime.header_encode(shown.encode(), "utf-8"),
            ),
            key=len,
        )
        if len(encoded) <= _ENCODED_WORD_LENGTH:
            return shown, encoded
    raise UnsafeHeader(f"a display name that cannot be encoded: {text!r}")


def _encoded_words(name: str, text: str) -> str:
    """`text` as RFC 2047 encoded words in UTF-8, folded (with LF) to MAX_LINE_LENGTH.

    The text is cut into encoded words at character boundaries, with its spaces inside them,
    so that readers, who drop the white space between two encoded words, get every space back.
    """
    header = Header(text, charset="utf-8", header_name=name)
    return header.encode(linesep="\n", maxlinelen=MAX_LINE_LENGTH)


def parse_mailbox(text: str) -> Address:
    """The mailbox written as `text` (``address`` or ``Name <address>``, e.g. from a setting),
    checked and neutralised as `mailbox` does; raises UnsafeHeader if it is not one mailbox."""
    if _CONTROL.search(text):
        raise UnsafeHeader(f"not a mailbox that can go into a header: {text!r}")
    try:
        addresses = policy.default.header_factory("From", text).addresses
    except (ValueError, IndexError) as error:
        raise UnsafeHeader(f"not a mailbox that can go into a header: {text!r}") from error
    if len(addresses) != 1:
        raise UnsafeHeader(f"not a single mailbox: {text!r}")
    return mailbox(addresses[0].addr_spec, addresses[0].display_name)


def serialise(message: EmailMessage) -> bytes:
    """The message as it is stored and sent (CRLF line ends), after checking that parsing it
    back gives exactly the headers it was composed with.

    Raises UnsafeHeader if a header is not one the outbox writes, if a decoded value holds a
    control character, or if the written message parses into other headers or other parts
    than the composed one (a header was folded into two, or a body was pushed in).
    """
    # SMTP needs CRLF line ends; bare LF reaches the server as one endless line. (Writing sets
    # the boundaries of multipart parts, which belong to the headers compared below.)
    raw = message.as_bytes(policy=WRITING_POLICY)
    meant = _headers_of_parts(message)
    _check_headers(meant)
    if _reads_back_the_same(raw, meant):
        return raw
    # Anything the quick reading could not confirm is read again in full, which names the
    # difference (or finds none: the quick reading is only the stricter of the two).
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    _check_structure(parsed)
    written = _headers_of_parts(parsed)
    if written != meant:
        raise UnsafeHeader(_first_difference(meant, written))
    return raw


def _reads_back_the_same(raw: bytes, meant: list[tuple[int, list[tuple[str, str]]]]) -> bool:
    """The quick form of the read-back check, about a quarter of its cost: the message is
    parsed without interpreting headers (the structure comes out the same: it depends only on
    the boundaries), the top-level headers, which carry what people typed, are decoded as the
    full check decodes them, and the parts' headers, which the outbox writes itself, must read
    back as written. False whenever anything differs or the parser had to repair something."""
    parsed = BytesParser(policy=policy.compat32).parsebytes(raw)
    parts = list(parsed.walk())
    if len(parts) != len(meant) or any(part.defects for part in parts):
        return False
    for part, (_depth, headers) in zip(parts, meant, strict=True):
        written = part.items()
        if len(written) != len(headers):
            return False
        for (name, value), (meant_name, meant_value) in zip(written, headers, strict=True):
            if name.lower() != meant_name:
                return False
            if part is parsed:
                decoded = policy.default.header_fetch_parse(name, value)
                if decoded.defects or str(decoded) != meant_value:
                    return False
            elif _unfolded(value) != meant_value:
                return False
    return True


def _unfolded(value: str) -> str:
    return re.sub(r"\r?\n[ \t]+", " ", value)


def check_stored(raw: bytes, sender: str, recipient: str, subject: str, message_id: str) -> None:
    """Check a stored message before it is sent: its headers must be ones the outbox writes,
    each required one exactly once, with no control character in a decoded value, and From,
    To, Subject and Message-ID must be those its outbox row records.

    Raises UnsafeHeader with the reason otherwise (the message was changed after it was
    stored, or stored by something other than the outbox).
    """
    # Read without interpreting the parts' headers (about a quarter of the cost of a full
    # reading, which at delivery rates matters); the top-level headers are decoded in full.
    message = BytesParser(policy=policy.compat32).parsebytes(raw)
    _check_structure(message)
    top = [
        (name, policy.default.header_fetch_parse(name, value)) for name, value in message.items()
    ]
    parts = [
        (depth, [(name, _unfolded(value)) for name, value in headers])
        for depth, headers in _headers_of_parts(message)
    ]
    parts[0] = (0, [(name.lower(), str(value)) for name, value in top])
    _check_headers(parts)
    recipients = _header(top, "To").addresses
    senders = _header(top, "From").addresses
    expected_sender = parse_mailbox(sender).addr_spec
    if len(senders) != 1 or senders[0].addr_spec != expected_sender:
        raise UnsafeHeader("the stored message's From is not the sender of its outbox entry")
    if len(recipients) != 1 or recipients[0].addr_spec.lower() != recipient.lower():
        raise UnsafeHeader("the stored message's To is not the recipient of its outbox entry")
    if str(_header(top, "Subject"))[:SUBJECT_COLUMN_LENGTH] != subject:
        raise UnsafeHeader("the stored message's Subject is not that of its outbox entry")
    if str(_header(top, "Message-ID")) != message_id:
        raise UnsafeHeader("the stored message's Message-ID is not that of its outbox entry")


def _header(headers: list, name: str):
    """The first decoded header `name` of a message's top-level headers, whatever its case."""
    for key, value in headers:
        if key.lower() == name.lower():
            return value
    raise UnsafeHeader(f"the message has no {name.lower()} header")


def _check_structure(message: EmailMessage) -> None:
    """Refuse a message the parser had to repair: a line in a header block that is no header,
    a multipart without its boundary, and the like."""
    for part in message.walk():
        if part.defects:
            names = ", ".join(sorted({type(defect).__name__ for defect in part.defects}))
            raise UnsafeHeader(f"the message does not parse cleanly: {names}")


def _headers_of_parts(message: EmailMessage) -> list[tuple[int, list[tuple[str, str]]]]:
    """Every part's headers (lower-case names, decoded values, in order), with its depth."""
    parts: list[tuple[int, list[tuple[str, str]]]] = []

    def visit(part: EmailMessage, depth: int) -> None:
        parts.append((depth, [(name.lower(), str(value)) for name, value in part.items()]))
        if part.is_multipart():
            for child in part.get_payload():  # also for a message read with compat32
                visit(child, depth + 1)

    visit(message, 0)
    return parts


def _check_headers(parts: list[tuple[int, list[tuple[str, str]]]]) -> None:
    """Only headers the outbox writes, none repeated, the required ones present, and no control
    character in a decoded value."""
    for depth, headers in parts:
        allowed = MESSAGE_HEADERS if depth == 0 else PART_HEADERS
        names = [name for name, _value in headers]
        for name, value in headers:
            if name not in allowed:
                raise UnsafeHeader(f"the message has a header the outbox does not write: {name}")
            if _CONTROL.search(value):
                raise UnsafeHeader(f"the {name} header holds a line break or control character")
        if len(names) != len(set(names)):
            raise UnsafeHeader("the message repeats a header")
    top_names = [name for name, _value in parts[0][1]]
    for name in REQUIRED_ONCE:
        if name not in top_names:
            raise UnsafeHeader(f"the message has no {name} header")


def _first_difference(
    meant: list[tuple[int, list[tuple[str, str]]]],
    written: list[tuple[int, list[tuple[str, str]]]],
) -> str:
    """Which header came out differently, for the outbox's error column."""
    if len(meant) != len(written):
        return f"the written message has {len(written)} parts instead of {len(meant)}"
    for (_depth, meant_headers), (_depth_written, written_headers) in zip(
        meant, written, strict=True
    ):
        meant_names = [name for name, _value in meant_headers]
        written_names = [name for name, _value in written_headers]
        if meant_names != written_names:
            extra = sorted(set(written_names) - set(meant_names))
            missing = sorted(set(meant_names) - set(written_names))
            return (
                "the written message's headers differ from the composed ones "
                f"(added: {', '.join(extra) or 'none'}; lost: {', '.join(missing) or 'none'}; "
                f"{len(written_names)} instead of {len(meant_names)})"
            )
        for (name, value), (_name, written_value) in zip(
            meant_headers, written_headers, strict=True
        ):
            if value != written_value:
                return f"the written {name} header reads back as {written_value!r}, not {value!r}"
    return "the written message differs from the composed one"


_MESSAGE_ID = re.compile(r"<[^\s<>@]+@[^\s<>@]+>")


def checked_message_id(message_id: str) -> str:
    """`message_id` if it is one ``<left@right>`` without white space or encoded-word opener;
    raises UnsafeHeader otherwise."""
    if not _MESSAGE_ID.fullmatch(message_id) or _ENCODED_WORD_OPENER in message_id:
        raise UnsafeHeader(f"not a Message-ID that can go into a header: {message_id!r}")
    return message_id
