"""Messages of one shape for many recipients, checked once.

The mail of a bulk change (a thousand invitations) is the same message a thousand times but for
the recipient, the Message-ID and the texts of its parts. Writing each with the email package and
reading it back (`headers.serialise`) costs about ten milliseconds, most of it spent on headers
and structure that are the same for all. A `Skeleton` is made from the first message of such a
group after it has been written and read back in full; for every other recipient it puts the To
header, the Message-ID and each part's newly encoded body into the checked bytes of the first.

What differs is checked on its own: the To header is read back as the full check reads it, the
Message-ID is checked as every Message-ID is, and no encoded body may hold a boundary of the
message (which would change its structure; quoted-printable and base64 cannot, but it is cheap
to make sure). Everything else — the headers of the message and of its parts, the boundaries,
the Date — is the first message's, checked once. A skeleton proves itself when it is made: it
must give back the first message byte for byte from that message's own parts, or it is not made
and each message of the group is written and checked in full.
"""

import binascii
import re
from dataclasses import dataclass
from email import policy, quoprimime
from email.headerregistry import Address
from email.message import EmailMessage

from eventsys.outbox import headers

# The email package's line length for encoded bodies (policy.max_line_length); base64 lines
# carry 57 bytes each, as it writes them.
_LINE_LENGTH = policy.default.max_line_length
_BASE64_CHUNK = _LINE_LENGTH // 4 * 3
_HEADER_START = re.compile(rb"\r\n(?![ \t])")


@dataclass(frozen=True)
class Written:
    """A message written and checked by its composer, ready to be stored as it is."""

    raw: bytes
    sender: str
    recipient: str
    subject: str

    @classmethod
    def of(cls, message: EmailMessage, raw: bytes | None = None) -> "Written":
        """`message` as it is stored: serialised and checked (`headers.serialise`) unless its
        checked bytes are given."""
        return cls(
            raw=headers.serialise(message) if raw is None else raw,
            sender=str(message["From"]),
            recipient=message["To"].addresses[0].addr_spec,
            subject=str(message["Subject"]),
        )


class SkeletonMismatch(Exception):
    """The message cannot serve as a skeleton (its parts cannot be filled in again exactly)."""


def _encode(body: str | bytes, transfer_encoding: str) -> bytes:
    """A part's body encoded as the email package encodes it, with CRLF line ends."""
    if transfer_encoding == "base64":
        data = body if isinstance(body, bytes) else body.encode()
        lines = [
            binascii.b2a_base64(data[start : start + _BASE64_CHUNK])
            for start in range(0, len(data), _BASE64_CHUNK)
        ]
        return b"".join(lines).replace(b"\n", b"\r\n")
    if transfer_encoding == "quoted-printable":
        text = body if isinstance(body, str) else body.decode()
        normal = b"\n".join(text.encode().splitlines()) + b"\n"
        encoded = quoprimime.body_encode(normal.decode("latin-1"), _LINE_LENGTH)
        return encoded.replace("\n", "\r\n").encode("ascii")
    raise SkeletonMismatch(f"a part in {transfer_encoding!r} cannot be filled in")


def _personal_headers(recipient: Address, message_id: str) -> tuple[bytes, bytes]:
    """The To and Message-ID headers as the outbox writes them (folded, CRLF-terminated)."""
    message = EmailMessage()
    headers.set_mailbox(message, "To", recipient)  # refuses one that does not read back
    # The value as set, which the writing policy puts out as it is (refold_source="none").
    ((_name, to_value),) = message.raw_items()
    to_line = ("To: " + "\r\n".join(to_value.splitlines()) + "\r\n").encode("ascii")
    id_line = b"Message-ID: " + headers.checked_message_id(message_id).encode("ascii") + b"\r\n"
    if len(id_line) > _LINE_LENGTH + 2:  # a long one is folded as the email package folds it
        del message["To"]
        message["Message-ID"] = message_id
        id_line = message.as_bytes(policy=headers.WRITING_POLICY).split(b"\r\n\r\n", 1)[0]
        id_line += b"\r\n"
    return to_line, id_line


def _logical_headers(block: bytes) -> list[bytes]:
    """A header block's headers, each with its folded lines and final CRLF."""
    starts = [0, *(match.end() for match in _HEADER_START.finditer(block))]
    ends = [*starts[1:], len(block)]
    return [block[start:end] for start, end in zip(starts, ends, strict=True) if start < end]


class Skeleton:
    """The checked bytes of one message, into which another recipient's message is filled."""

    def __init__(self, message: EmailMessage, raw: bytes) -> None:
        """`raw` is `message` as `headers.serialise` wrote and checked it. Raises
        SkeletonMismatch if the message cannot be filled in again exactly."""
        leaves = [part for part in message.walk() if not part.is_multipart()]
        self._encodings = [
            str(part.get("Content-Transfer-Encoding", "")).lower() for part in leaves
        ]
        self._boundaries = [
            b"--" + part.get_boundary().encode("ascii")
            for part in message.walk()
            if part.is_multipart()
        ]
        header_end = raw.index(b"\r\n\r\n") + 2
        top = _logical_headers(raw[:header_end])
        names = [line.split(b":", 1)[0].lower() for line in top]
        if names.count(b"to") != 1 or names.count(b"message-id") != 1:
            raise SkeletonMismatch("the message needs exactly one To and one Message-ID")
        self._top = top
        self._to_index, self._id_index = names.index(b"to"), names.index(b"message-id")
        # The bytes between the encoded bodies: part headers and boundaries, all checked.
        self._between: list[bytes] = []
        position = header_end
        for part, encoding in zip(leaves, self._encodings, strict=True):
            encoded = _encode(part.get_content(), encoding)
            found = raw.find(encoded, position)
            if found < 0:
                raise SkeletonMismatch("a part's body is not where it was written")
            self._between.append(raw[position:found])
            position = found + len(encoded)
        self._between.append(raw[position:])
        recipient = message["To"].addresses[0]
        bodies = [part.get_content() for part in leaves]
        if self.fill(recipient, str(message["Message-ID"]), bodies) != raw:
            raise SkeletonMismatch("the message cannot be written again from its parts")

    def fill(self, recipient: Address, message_id: str, bodies: list[str | bytes]) -> bytes:
        """The message for `recipient`: their To header and Message-ID, and `bodies` (one for
        each part, in the order of the skeleton's parts) encoded as the skeleton's were.

        Raises headers.UnsafeHeader for a recipient or Message-ID that cannot go into a header,
        or a body that would change the message's structure."""
        if len(bodies) != len(self._encodings):
            raise SkeletonMismatch("one body is needed for each part")
        to_line, id_line = _personal_headers(recipient, message_id)
        top = list(self._top)
        top[self._to_index], top[self._id_index] = to_line, id_line
        pieces = [b"".join(top), self._between[0]]
        for body, encoding, after in zip(bodies, self._encodings, self._between[1:], strict=True):
            encoded = _encode(body, encoding)
            if any(boundary in encoded for boundary in self._boundaries):
                raise headers.UnsafeHeader("a part's body holds a boundary of the message")
            pieces += [encoded, after]
        return b"".join(pieces)
