"""Fetching replies from the mailbox that receives them (IMAP_* settings).

Each unseen message is read without marking it (BODY.PEEK), stored and acted on, committed, and
only then flagged \\Seen. A crash in between leaves the message unseen: the next fetch reads it
again, and the store recognises the same bytes as a repeated delivery. Each message is taken in
on its own: one that cannot be acted on is kept with the reason, one that cannot even be stored
is left unseen, and the fetch goes on to the next; only a database that cannot be reached stops
it.
"""

import contextlib
import imaplib
import logging
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from eventsys.extensions import db
from eventsys.replies.receiving import Receipt, database_unreachable, receive
from eventsys.replies.states import Source

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 60


class MailboxError(OSError):
    """The mailbox could not be reached or read; the message says what failed. An OSError, so
    that callers that retry on network trouble (the Celery task) retry on this too."""


@dataclass
class FetchReport:
    receipts: list[Receipt] = field(default_factory=list)
    failed: int = 0  # messages left unseen because storing them failed; fetched again next time


def mailbox_configured() -> bool:
    return bool(current_app.config.get("IMAP_HOST"))


def _connect() -> imaplib.IMAP4:
    config = current_app.config
    host, port = config["IMAP_HOST"], int(config["IMAP_PORT"])
    context = ssl.create_default_context()
    if config["IMAP_USE_SSL"]:
        connection = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=TIMEOUT_SECONDS)
    else:
        connection = imaplib.IMAP4(host, port, timeout=TIMEOUT_SECONDS)
    try:
        # Never send the password in the clear when the server offers encryption.
        if not config["IMAP_USE_SSL"] and "STARTTLS" in connection.capabilities:
            connection.starttls(ssl_context=context)
        connection.login(config["IMAP_USERNAME"] or "", config["IMAP_PASSWORD"] or "")
    except BaseException:
        with contextlib.suppress(OSError):
            connection.shutdown()
        raise
    return connection


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _message_bytes(fetched: list) -> bytes | None:
    for item in fetched:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def fetch_and_ingest(on_receipt: Callable[[Receipt], None] | None = None) -> FetchReport:
    """Store and act on every unseen message in the configured folder, committing each before
    marking it seen. Raises MailboxError when the mailbox cannot be reached or read."""
    config = current_app.config
    if not mailbox_configured():
        raise MailboxError("IMAP_HOST is not set")
    report = FetchReport()
    try:
        connection = _connect()
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(f"cannot sign in to {config['IMAP_HOST']}: {error}") from error
    try:
        status, _data = connection.select(_quoted(config["IMAP_FOLDER"]))
        if status != "OK":
            raise MailboxError(f"cannot open the folder {config['IMAP_FOLDER']!r}")
        status, data = connection.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            raise MailboxError("cannot search the folder for unseen messages")
        uids = data[0].split() if data and data[0] else []
        for uid in uids:
            if not re.fullmatch(rb"\d+", uid):
                continue
            status, fetched = connection.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = _message_bytes(fetched) if status == "OK" else None
            if raw is None:
                log.warning("IMAP message %s could not be fetched; left unseen", uid)
                report.failed += 1
                continue
            try:
                receipt = receive(raw, Source.IMAP)
                db.session.commit()
            except Exception as error:
                db.session.rollback()
                if database_unreachable(error):
                    # Every further message would fail the same way; the next fetch retries.
                    raise
                # One message that cannot be stored does not hold up the ones behind it.
                log.exception("IMAP message %s could not be stored; left unseen", uid)
                report.failed += 1
                continue
            connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            report.receipts.append(receipt)
            if on_receipt is not None:
                on_receipt(receipt)
    except MailboxError:
        raise
    except (OSError, imaplib.IMAP4.error) as error:
        raise MailboxError(f"the mailbox failed: {error}") from error
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            connection.logout()
    return report
