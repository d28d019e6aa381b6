"""`flask charter …`: commands on charters."""

import click
from flask.cli import AppGroup

from eventsys.charters import content, diff, document, versions
from eventsys.charters.models import Charter, CharterVersion
from eventsys.extensions import db
from eventsys.pdf import PdfRenderingError

charter = AppGroup("charter", help="Charters: versions and their PDFs.")

OUTPUT = click.option(
    "--output",
    "-o",
    required=True,
    type=click.File("wb", lazy=True),
    help="The file to write ('-' for standard output).",
)


@charter.command("pdf")
@click.argument("charter_id", type=int)
@click.option(
    "--version",
    "label",
    help="A frozen version, e.g. 0.2; without it, the working text (marked as a draft).",
)
@OUTPUT
@click.option(
    "--language",
    type=click.Choice(document.LANGUAGES),
    default="de",
    show_default=True,
    help="German, English, or both side by side.",
)
def pdf(charter_id: int, label: str | None, output, language: str) -> None:
    """Write a version of CHARTER_ID (or its working text) as PDF."""
    record = _charter(charter_id)
    try:
        if label is None:
            text = content.working_text(record)
            rendered = document.charter_pdf(
                text, language=language, state_label=document.WORKING_TEXT_LABEL
            )
            described = "the working text"
        else:
            version = _version(record, label)
            rendered = document.charter_pdf(
                version.content,
                language=language,
                state_label=version.state.lazy_label,
                frozen_at=version.frozen_at,
            )
            described = f"version {version.label} ({version.state.value})"
    except PdfRenderingError as error:
        raise click.ClickException(f"The PDF could not be rendered: {error}") from error
    output.write(rendered)
    click.echo(f"Wrote {described} in {language} ({len(rendered)} bytes).", err=True)


@charter.command("redline")
@click.argument("charter_id", type=int)
@click.option("--from", "old_label", required=True, help="The older version, e.g. 0.1.")
@click.option(
    "--to",
    "new_label",
    required=True,
    help="The newer version, e.g. 0.2, or 'draft' for the working text.",
)
@OUTPUT
@click.option(
    "--language",
    type=click.Choice(["de", "en"]),
    default="de",
    show_default=True,
    help="Language of the compared text and of the document.",
)
def redline(charter_id: int, old_label: str, new_label: str, output, language: str) -> None:
    """Write what changed between two texts of CHARTER_ID as a PDF redline."""
    record = _charter(charter_id)
    old = _version(record, old_label)
    if new_label == "draft":
        new_content = content.working_text(record)
    else:
        new_content = _version(record, new_label).content
    changes = diff.compare(old.content, new_content)
    try:
        rendered = document.redline_pdf(changes, new_content, language=language)
    except PdfRenderingError as error:
        raise click.ClickException(f"The PDF could not be rendered: {error}") from error
    output.write(rendered)
    summary = changes.summary
    click.echo(
        f"Wrote the redline {old.label} → {new_label} ({len(rendered)} bytes): "
        f"{summary.added} added, {summary.removed} removed, {summary.changed} reworded, "
        f"{summary.moved} moved.",
        err=True,
    )


def _charter(charter_id: int) -> Charter:
    record = db.session.get(Charter, charter_id)
    if record is None:
        raise click.ClickException(f"There is no charter {charter_id}.")
    return record


def _version(record: Charter, label: str) -> CharterVersion:
    version = versions.find_version(record, label)
    if version is None:
        labels = ", ".join(found.label for found in versions.versions_of(record)) or "none"
        raise click.ClickException(
            f"Charter {record.id} has no version {label!r} (versions: {labels})."
        )
    return version
