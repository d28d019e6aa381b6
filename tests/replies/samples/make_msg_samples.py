"""Writes the Outlook .msg samples (outlook_plain_reply.msg, outlook_reply_with_ics.msg).

A .msg file is a Compound File Binary (CFB) container of MAPI properties, laid out as
[MS-OXMSG] describes: a `__properties_version1.0` stream of fixed-length properties, one
`__substg1.0_<tag>` stream per string or binary property, a storage per recipient and per
attachment, and the (here empty) named-property mapping. The CFB container is written by pycfb
(MIT licence), which is not a dependency of the project: only these files are, and the tests
read them with extract-msg as uploads do. To write them again:

    pip install --target /tmp/pycfb pycfb==0.0.3
    PYTHONPATH=/tmp/pycfb python tests/replies/samples/make_msg_samples.py

They carry fixed addresses and a fixed UID (ERIKA, UID below) that the tests give Erika's
invitation, since a binary file has no placeholders.
"""

import struct
import uuid
from datetime import UTC, datetime
from pathlib import Path

from pycfb.cfbutility import CFBWriter

HERE = Path(__file__).parent
ERIKA = "erika.muster@stadt-beispiel.example"
UID = "040000008200E00074C5B7101A82E00800000000-outlook-sample@eventsys"
MSG_CLSID = uuid.UUID("00020d0b-0000-0000-c000-000000000046")

PT_LONG, PT_SYSTIME, PT_UNICODE, PT_BINARY = 0x0003, 0x0040, 0x001F, 0x0102
READABLE_WRITABLE = 0x00000006


def _filetime(moment: datetime) -> int:
    return int((moment - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)


class Properties:
    """The properties of one object (the message, a recipient, an attachment)."""

    def __init__(self) -> None:
        self.fixed: list[bytes] = []
        self.streams: dict[str, bytes] = {}

    def text(self, prop_id: int, value: str) -> "Properties":
        data = value.encode("utf-16-le")
        self.streams[f"__substg1.0_{prop_id:04X}{PT_UNICODE:04X}"] = data
        return self._entry(prop_id, PT_UNICODE, struct.pack("<II", len(data) + 2, 0))

    def binary(self, prop_id: int, value: bytes) -> "Properties":
        self.streams[f"__substg1.0_{prop_id:04X}{PT_BINARY:04X}"] = value
        return self._entry(prop_id, PT_BINARY, struct.pack("<II", len(value), 0))

    def long(self, prop_id: int, value: int) -> "Properties":
        return self._entry(prop_id, PT_LONG, struct.pack("<II", value, 0))

    def time(self, prop_id: int, moment: datetime) -> "Properties":
        return self._entry(prop_id, PT_SYSTIME, struct.pack("<Q", _filetime(moment)))

    def _entry(self, prop_id: int, prop_type: int, value: bytes) -> "Properties":
        tag = (prop_id << 16) | prop_type
        self.fixed.append(struct.pack("<II", tag, READABLE_WRITABLE) + value)
        return self

    def stream(self, header: bytes) -> bytes:
        return header + b"".join(self.fixed)


def named_property_streams() -> dict[str, bytes]:
    """The mapping of one named property (a string name in PS_PUBLIC_STRINGS), as Outlook
    writes some; pycfb cannot write an empty stream that olefile reads, so none is empty."""
    name = "Keywords".encode("utf-16-le")
    strings = struct.pack("<I", len(name)) + name
    strings += b"\0" * (-len(strings) % 4)
    return {
        "__substg1.0_00020102": uuid.UUID("00020329-0000-0000-c000-000000000046").bytes_le,
        # Offset 0 in the string stream; property index 0, GUID index 2 (PS_PUBLIC_STRINGS),
        # kind 1 (named by string).
        "__substg1.0_00030102": struct.pack("<IHH", 0, (2 << 1) | 1, 0),
        "__substg1.0_00040102": strings,
    }


def write_msg(
    path: Path,
    message: Properties,
    recipients: list[Properties],
    attachments: list[Properties],
) -> None:
    streams: dict[str, bytes | None] = {}
    top_header = struct.pack(
        "<8sIIII8s",
        b"\0" * 8,
        len(recipients),
        len(attachments),
        len(recipients),
        len(attachments),
        b"\0" * 8,
    )
    streams["__properties_version1.0"] = message.stream(top_header)
    streams.update(message.streams)
    # pycfb takes a storage as a path without data, named before what it holds.
    streams["__nameid_version1.0"] = None
    for name, data in named_property_streams().items():
        streams[f"__nameid_version1.0/{name}"] = data
    for kind, objects in (("recip", recipients), ("attach", attachments)):
        for number, properties in enumerate(objects):
            folder = f"__{kind}_version1.0_#{number:08X}"
            streams[folder] = None
            streams[f"{folder}/__properties_version1.0"] = properties.stream(b"\0" * 8)
            for name, data in properties.streams.items():
                streams[f"{folder}/{name}"] = data
    writer = CFBWriter(list(streams), list(streams.values()), MSG_CLSID)
    path.write_bytes(bytes(writer.data))


def headers(subject: str, message_id: str, extra: str = "") -> str:
    return (
        "Received: from EXCH02.verwaltung.stadt-beispiel.de (10.20.4.12) by\r\n"
        " EXCH01.verwaltung.stadt-beispiel.de (10.20.4.11) with Microsoft SMTP Server\r\n"
        f"From: Erika Muster <{ERIKA}>\r\n"
        "To: Dialogplattform Smart Cities <einladungen@dialogplattform.example>\r\n"
        f"Subject: {subject}\r\n"
        "Date: Mon, 10 Jun 2030 08:15:00 +0000\r\n"
        f"Message-ID: {message_id}\r\n"
        f"{extra}"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
    )


def common(properties: Properties, subject: str, body: str, message_id: str, header: str):
    sent = datetime(2030, 6, 10, 8, 15, tzinfo=UTC)
    return (
        properties.text(0x001A, "IPM.Note")
        .text(0x0037, subject)
        .text(0x1000, body)
        .text(0x0C1A, "Erika Muster")
        .text(0x0C1E, "SMTP")
        .text(0x0C1F, ERIKA)
        .text(0x0042, "Erika Muster")
        .text(0x0065, ERIKA)
        .text(0x1035, message_id)
        .text(0x007D, header)
        .text(0x0E04, "Dialogplattform Smart Cities")
        .time(0x0039, sent)
        .time(0x0E06, sent)
    )


def recipient() -> Properties:
    return (
        Properties()
        .text(0x3001, "Dialogplattform Smart Cities")
        .text(0x3002, "SMTP")
        .text(0x3003, "einladungen@dialogplattform.example")
        .text(0x39FE, "einladungen@dialogplattform.example")
        .long(0x0C15, 1)  # MAPI_TO
    )


def plain_reply() -> None:
    subject = "AW: Einladung: Workshop Datenräume"
    message_id = "<AM0PR01MB5555A1B2C3D4E5F6@EXCH02.verwaltung.stadt-beispiel.de>"
    body = (
        "Sehr geehrte Damen und Herren,\r\n\r\n"
        "ich komme gern, kann aber erst ab 11 Uhr dabei sein.\r\n\r\n"
        "Mit freundlichen Grüßen\r\nErika Muster\r\n"
    )
    message = common(Properties(), subject, body, message_id, headers(subject, message_id))
    write_msg(HERE / "outlook_plain_reply.msg", message, [recipient()], [])


def reply_with_ics() -> None:
    subject = "Accepted: Workshop Datenräume"
    message_id = "<AM0PR01MB6666B2C3D4E5F6A7@EXCH02.verwaltung.stadt-beispiel.de>"
    calendar = (
        "BEGIN:VCALENDAR\r\nPRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN\r\n"
        "VERSION:2.0\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nDTSTAMP:20300610T081500Z\r\n"
        f"UID:{UID}\r\nSUMMARY:Workshop Datenräume\r\n"
        f"ATTENDEE;CN=Erika Muster;PARTSTAT=ACCEPTED:mailto:{ERIKA}\r\n"
        "DTSTART:20300701T080000Z\r\nDTEND:20300701T140000Z\r\nSEQUENCE:0\r\n"
        "COMMENT:Ich freue mich auf den Workshop.\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    body = "Erika Muster has accepted your event invitation.\r\n"
    message = common(Properties(), subject, body, message_id, headers(subject, message_id))
    attachment = (
        Properties()
        .long(0x3705, 1)  # ATTACH_BY_VALUE
        .binary(0x3701, calendar)
        .text(0x3704, "invite.ics")
        .text(0x3707, "invite.ics")
        .text(0x3703, ".ics")
        .text(0x370E, "application/ics")
        .text(0x3001, "invite.ics")
    )
    write_msg(HERE / "outlook_reply_with_ics.msg", message, [recipient()], [attachment])


if __name__ == "__main__":
    plain_reply()
    reply_with_ics()
