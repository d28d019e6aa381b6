"""Hand-written replies in the style of each calendar client (samples/*.eml), filled in for the
session and invitee a test creates.

Placeholders: {uid}, {attendee}, {ATTENDEE} (the address in capitals), {sender} (the mail
account the client sends from; by default the attendee), {sequence}, {deputy}, {deputy_name} (the
CN a delegation gives the deputy), {in_reply_to} and
{variant} (appended to the Message-ID, to make a second, different mail with
the same content). Lines between {begin-base64} and {end-base64} are written as plain text in the
sample and base64-encoded here, as clients send calendar parts, after the placeholders are filled.
"""

import base64
import re
from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"
_BASE64_BLOCK = re.compile(r"\{begin-base64\}\n(.*?)\n\{end-base64\}", re.S)


def _encode_block(match: re.Match) -> str:
    content = match.group(1).replace("\n", "\r\n").encode("utf-8") + b"\r\n"
    encoded = base64.b64encode(content).decode("ascii")
    return "\n".join(encoded[start : start + 76] for start in range(0, len(encoded), 76))


def sample(
    name: str,
    uid: str,
    attendee: str,
    sequence: int = 0,
    deputy: str = "",
    in_reply_to: str = "",
    variant: str = "",
    line_end: str = "\r\n",
    sender: str = "",
    deputy_name: str = "Jonas Vertreter",
) -> bytes:
    """The sample `name` (without .eml) for this session and invitee, as raw message bytes."""
    text = (SAMPLES / f"{name}.eml").read_text(encoding="utf-8")
    values = {
        "{uid}": uid,
        "{attendee}": attendee,
        "{ATTENDEE}": attendee.upper(),
        "{sender}": sender or attendee,
        "{sequence}": str(sequence),
        "{deputy_name}": deputy_name,
        "{deputy}": deputy,
        "{in_reply_to}": in_reply_to,
        "{variant}": variant,
    }
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    text = _BASE64_BLOCK.sub(_encode_block, text)
    return text.replace("\n", line_end).encode("utf-8")
