"""`flask privacy purge`: remove personal data that has outlived its retention period."""

import click
from flask.cli import with_appcontext

from eventsys.audit.services import acting_as
from eventsys.extensions import db
from eventsys.privacy import retention


@click.group("privacy", help="Data protection: retention of personal data.")
def privacy() -> None:
    pass


@privacy.command("purge")
@with_appcontext
def purge() -> None:
    """Remove what has outlived its period (run it daily, from cron or Celery beat)."""
    with acting_as("cli"):
        counts = retention.purge()
    db.session.commit()
    for status in retention.retention_status():
        click.echo(
            f"{status.kind.name}: {counts[status.kind.name]} purged "
            f"(kept {status.days} days; {status.held} still held)"
        )
