"""`flask reminders send`: run it on a schedule (e.g. every 15 minutes)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from eventsys.audit.services import acting_as
from eventsys.extensions import db
from eventsys.reminders import services


@click.group("reminders", help="Reminders about invitations.")
def reminders() -> None:
    pass


@reminders.command("send")
@with_appcontext
def send() -> None:
    """Queue every reminder that is due: answer reminders before the deadline, session
    reminders the day before. Each goes out once per invitation, however often this runs."""
    if not current_app.config.get("SERVER_NAME"):
        # The reminders carry answer links, which need the public host name outside a request.
        raise click.ClickException("SERVER_NAME is not set; the links in reminders need it.")
    with acting_as("cli"):
        counts = services.send_due_reminders()
    db.session.commit()
    click.echo(
        f"Queued {counts.deadline} answer reminders and {counts.eve} session reminders "
        f"({counts.total} in all)."
    )
