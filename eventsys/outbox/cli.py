"""`flask outbox …`: deliver what is due (run it on a schedule, e.g. every minute)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from eventsys.outbox import services


@click.group("outbox", help="Deliver queued mail.")
def outbox() -> None:
    pass


@outbox.command("deliver")
@with_appcontext
def deliver() -> None:
    """Send every message that is due, over one SMTP connection per batch."""
    if not services.delivery_configured(current_app):
        raise click.ClickException(
            "No mail server configured (MAIL_SERVER); messages stay in the outbox."
        )
    sent, failed = services.process()
    click.echo(f"Sent {sent}, failed {failed} (failed ones are retried later).")
