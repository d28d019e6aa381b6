"""`flask sessions …`."""

import click
from flask.cli import with_appcontext

from eventsys.localtime import from_utc, platform_zone_name
from eventsys.sessions import queries


@click.group("sessions", help="Sessions and their agendas.")
def sessions() -> None:
    pass


@sessions.command("list")
@with_appcontext
def list_sessions() -> None:
    """Print every session, earliest first: id, start (Berlin time), status and title."""
    for session in queries.all_sessions():
        starts_at = from_utc(session.starts_at, platform_zone_name())
        click.echo(
            f"{session.id}\t{starts_at:%d.%m.%Y %H:%M}\t{session.status.value}\t{session.title}"
        )
