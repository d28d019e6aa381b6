"""`flask demo load`."""

import click
from flask import current_app
from flask.cli import with_appcontext

from eventsys.audit.services import acting_as
from eventsys.database import utcnow
from eventsys.demo.services import load_demo_data
from eventsys.extensions import db
from eventsys.localtime import from_utc, platform_zone_name


@click.group("demo", help="Demo data.")
def demo() -> None:
    pass


@demo.command("load")
@with_appcontext
def load() -> None:
    """Fill the database with a believable platform: experts, working groups, sessions.

    Safe to run again: only what is missing is added.
    """
    # Upcoming sessions are placed relative to today as the organisers in Berlin count days.
    today = from_utc(utcnow(), platform_zone_name()).date()
    # Invitation mails carry absolute links, which need the public host name.
    can_invite = bool(current_app.config.get("SERVER_NAME"))
    with acting_as("demo"):
        summary = load_demo_data(today, invite=can_invite)
        db.session.commit()
    click.echo(summary.describe())
    if not can_invite:
        click.echo(
            "No invitations created: set SERVER_NAME (e.g. FLASK_SERVER_NAME) for their links."
        )
