"""`flask notices digest`: run it on a schedule (e.g. every 15 minutes, like the reminders)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from eventsys.audit.services import acting_as
from eventsys.extensions import db
from eventsys.notices.digest import send_due_digests


@click.group("notices", help="What organisers hear about answers.")
def notices() -> None:
    pass


@notices.command("digest")
@with_appcontext
def digest() -> None:
    """Queue the daily answer digests that are due (from ANSWER_DIGEST_HOUR, Berlin time).
    Each organiser gets at most one a day, however often this runs."""
    if not current_app.config.get("SERVER_NAME"):
        # The digests link to the session pages, which needs the public host name.
        raise click.ClickException("SERVER_NAME is not set; the links in digests need it.")
    with acting_as("cli"):
        sent = send_due_digests()
    db.session.commit()
    click.echo(f"Queued {sent} answer digests.")
