"""`flask replies …`: fetch the reply mailbox, or take in messages a mail server hands over."""

import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from eventsys.audit.services import acting_as
from eventsys.extensions import db
from eventsys.replies import imap
from eventsys.replies.receiving import Receipt, database_unreachable, describe_error, receive
from eventsys.replies.states import Source

# sysexits.h: a mail server's pipe delivery keeps the message and tries again later.
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
    with acting_as("cli"):
        for handle in files:
            name = getattr(handle, "name", "-")
            raw = handle.read()
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
