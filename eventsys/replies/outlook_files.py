"""Outlook's .msg files, as classic Outlook saves a mail ("Save As", or dragged out of the
mailbox), turned into the RFC 5322 message they hold, so that an upload is taken in like a
mail that arrived.

A .msg file is a Compound File Binary container of MAPI properties; extract-msg reads it. The
message is rebuilt from the transport headers Outlook kept (From, Subject, Message-ID,
In-Reply-To …), the text and HTML bodies, and the attachments, among them an attached .ics.
A meeting response that Outlook has turned into its own format (no iCalendar part left) comes
out as a plain mail, for a person to decide.
"""

import logging

log = logging.getLogger(__name__)

# Every Compound File Binary file starts so (MS-CFB 2.2); an .eml never does.
CFB_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")


class NotAnOutlookMessage(ValueError):
    """The file is no Outlook message that can be read."""


def looks_like_msg(data: bytes) -> bool:
    return data.startswith(CFB_SIGNATURE)


def message_from_msg(data: bytes) -> bytes:
    """The RFC 5322 message an Outlook .msg file holds. Raises NotAnOutlookMessage for a file
    that is not one (or is damaged, or is another kind of Outlook item)."""
    if not looks_like_msg(data):
        raise NotAnOutlookMessage("not a Compound File Binary file")
    # Imported here: the reader and what it brings take a sixth of a second to import, which
    # every process that takes in mail (`flask replies ingest` per message) would pay.
    import extract_msg

    try:
        item = extract_msg.openMsg(data)
    except Exception as error:  # the reader raises many kinds for damaged or hostile files
        raise NotAnOutlookMessage(f"{type(error).__name__}: {error}") from error
    try:
        if not hasattr(item, "asEmailMessage"):
            raise NotAnOutlookMessage(f"an Outlook item of class {type(item).__name__}")
        try:
            return item.asEmailMessage().as_bytes()
        except NotAnOutlookMessage:
            raise
        except Exception as error:
            raise NotAnOutlookMessage(f"{type(error).__name__}: {error}") from error
    finally:
        item.close()
