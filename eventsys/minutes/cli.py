"""`flask minutes …`: minutes from the command line."""

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import undefer

from eventsys.audit.services import acting_as
from eventsys.extensions import db
from eventsys.minutes import action_item_reminders, document, snapshot
from eventsys.minutes.models import Minutes, MinutesVersion
from eventsys.pdf import PdfRenderingError
from eventsys.sessions.models import Session

minutes = AppGroup("minutes", help="Minutes of sessions.")


@minutes.command("remind-owners")
def remind_owners() -> None:
    """Remind the owners of action items due within ACTION_ITEM_REMINDER_DAYS days, once per
    due date, however often this runs (e.g. from cron every day)."""
    with acting_as("cli"):
        sent = action_item_reminders.send_due_reminders()
    db.session.commit()
    click.echo(f"Queued {sent} reminders of action items.")


@minutes.command("pdf")
@click.argument("session_id", type=int)
@click.option(
    "--version",
    "version_number",
    type=click.IntRange(min=1),
    help="An approved version's number; without it, the latest approved version.",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.File("wb", lazy=True),
    help="The file to write ('-' for standard output).",
)
@click.option(
    "--language",
    type=click.Choice(["de", "en"]),
    help="Language of a draft (approved versions are stored in the language they were "
    "approved in). Default: the site's default language.",
)
def pdf(session_id: int, version_number: int | None, output, language: str | None) -> None:
    """Write the minutes of SESSION_ID as PDF.

    An approved version is written exactly as it was stored after approval. Without --version,
    the latest approved version is written; if none is approved yet, the current working copy
    is rendered as a draft (with the watermark).
    """
    session = db.session.get(Session, session_id)
    if session is None:
        raise click.ClickException(f"There is no session {session_id}.")
    record = db.session.scalar(sa.select(Minutes).where(Minutes.session_id == session.id))
    if record is None:
        raise click.ClickException(f"Session {session_id} has no minutes yet.")

    stored = _stored_version(record, version_number)
    if stored is not None:
        if stored.pdf is None:
            raise click.ClickException(
                f"The PDF of version {stored.number} is not stored yet: it is being prepared, "
                "or its rendering failed (the minutes page says which)."
            )
        output.write(stored.pdf)
        click.echo(
            f"Wrote version {stored.number} ({len(stored.pdf)} bytes, "
            f"SHA-256 {stored.pdf_sha256}).",
            err=True,
        )
        return
    if version_number is not None:
        numbers = ", ".join(str(version.number) for version in record.versions) or "none"
        raise click.ClickException(
            f"The minutes of session {session_id} have no approved version {version_number} "
            f"(approved versions: {numbers})."
        )
    language = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    try:
        rendered = document.minutes_pdf(snapshot.take(record), language=language, approval=None)
    except PdfRenderingError as error:
        raise click.ClickException(f"The draft could not be rendered: {error}") from error
    output.write(rendered)
    click.echo(
        f"Wrote the draft of version {record.version_number} ({len(rendered)} bytes); "
        "no version is approved yet.",
        err=True,
    )


def _stored_version(record: Minutes, number: int | None) -> MinutesVersion | None:
    """The approved version `number`, or the latest when None; None when there is none."""
    query = (
        sa.select(MinutesVersion)
        .where(MinutesVersion.minutes_id == record.id)
        .options(undefer(MinutesVersion.pdf))
    )
    if number is not None:
        return db.session.scalar(query.where(MinutesVersion.number == number))
    return db.session.scalar(query.order_by(MinutesVersion.number.desc()).limit(1))
