"""`flask replies …`: fetch the reply mailbox, or take in messages a mail server hands over."""

import signal
import sys
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from eventsys.audit.services import acting_as
from eventsys.extensions import db
from eventsys.replies import imap, lmtp
from eventsys.replies.receiving import (
    Receipt,
    database_unreachable,
    describe_error,
    receive,
    size_refusal,
)
from eventsys.replies.states import Source

# sysexits.h: a mail server's pipe delivery keeps the message and tries again later
# (EX_TEMPFAIL), or returns it to its sender (EX_DATAERR).
EX_DATAERR = 65
EX_TEMPFAIL = 75


@click.group("replies", help="Answers that arrive by mail.")
def replies() -> None:
    pass


def _describe(receipt: Receipt) -> str:
    """One tab-separated line: message id, outcome, and why (or that it had arrived before),
    in English, as a mail server's log is read."""
    message = receipt.message
    if receipt.repeated:
        return f"message {message.id}\t{message.outcome.value}\treceived before, stored once"
    with force_locale("en"):
        explanation = " ".join(message.why.split())
    return f"message {message.id}\t{message.outcome.value}\t{explanation}"


@replies.command("fetch")
@click.option(
    "--watch",
    is_flag=True,
    help="Keep fetching, every REPLIES_POLL_SECONDS, until stopped.",
)
@with_appcontext
def fetch(watch: bool) -> None:
    """Take in the unseen messages of the reply mailbox (IMAP_* settings)."""
    if not imap.mailbox_configured():
        raise click.ClickException("No reply mailbox is configured (set IMAP_HOST and friends).")
    interval = int(current_app.config["REPLIES_POLL_SECONDS"])
    with acting_as("cli"):
        while True:
            try:
                report = imap.fetch_and_ingest(on_receipt=lambda r: click.echo(_describe(r)))
            except imap.MailboxError as error:
                if not watch:
                    raise click.ClickException(str(error)) from error
                click.echo(f"The mailbox could not be read: {error}", err=True)
            else:
                new = sum(1 for receipt in report.receipts if not receipt.repeated)
                click.echo(f"Fetched: {len(report.receipts)}, new: {new}.")
                if report.failed:
                    click.echo(
                        f"Not stored, left unseen for the next fetch: {report.failed}.", err=True
                    )
            if not watch:
                return
            time.sleep(interval)


@replies.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.File("rb"))
@with_appcontext
def ingest(files) -> None:
    """Take in messages, one RFC 5322 message per FILE ("-" reads standard input), as a mail
    server's pipe delivers them."""
    not_stored = 0
    refused = 0
    limit = int(current_app.config["REPLIES_MAX_MESSAGE_BYTES"])
    with acting_as("cli"):
        for handle in files:
            name = getattr(handle, "name", "-")
            # One byte more than the limit is enough to know that a message is too large.
            raw = handle.read(limit + 1)
            if problem := size_refusal(raw):
                click.echo(f"{name}: refused, {problem}", err=True)
                refused += 1
                continue
            try:
                receipt = receive(raw, Source.PIPE)
                db.session.commit()
            except Exception as error:
                db.session.rollback()
                if database_unreachable(error):
                    click.echo(
                        f"{name}: not stored, try again later ({describe_error(error)})", err=True
                    )
                    sys.exit(EX_TEMPFAIL)
                # One file that cannot be stored does not hold up the others.
                click.echo(f"{name}: not stored ({describe_error(error)})", err=True)
                not_stored += 1
                continue
            click.echo(f"{name}\t{_describe(receipt)}")
    if not_stored:
        # The mail server keeps what was not stored and delivers it again; what was stored is
        # then recognised as received before.
        sys.exit(EX_TEMPFAIL)
    if refused:
        sys.exit(EX_DATAERR)


@replies.command("serve-lmtp")
@click.option(
    "--host",
    default=lmtp.DEFAULT_HOST,
    show_default=True,
    help="Address to listen on; keep it on this machine (loopback), as LMTP has no sign-in.",
)
@click.option("--port", default=lmtp.DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@with_appcontext
def serve_lmtp(host: str, port: int) -> None:
    """Take in the messages a mail server hands over by LMTP (Postfix's lmtp: transport), until
    stopped (Ctrl-C or SIGTERM)."""
    server = lmtp.ReplyServer(current_app._get_current_object(), host, port)
    try:
        server.start()
    except OSError as error:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {error}") from error
    stopped = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stopped.set())
    click.echo(f"Taking in replies by LMTP on {host}:{server.port}.")
    stopped.wait()
    server.stop()
    click.echo("Stopped.")
