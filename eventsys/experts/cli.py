"""`flask experts …`: the expert directory from the shell."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from eventsys.audit.services import acting_as
from eventsys.experts import csv_import, csv_reading
from eventsys.extensions import db


@click.group("experts", help="The expert directory.")
def experts() -> None:
    pass


@experts.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--check",
    "dry_run",
    is_flag=True,
    help="Only check the file and print the report; nothing is saved.",
)
@with_appcontext
def import_file(file: Path, dry_run: bool) -> None:
    """Create or update experts from the CSV FILE (UTF-8 or Excel's semicolon CSV)."""
    with acting_as("cli"):
        try:
            expert_file = csv_reading.read_expert_file(file.read_bytes())
        except csv_reading.UnreadableFile as problem:
            raise click.ClickException(str(problem)) from problem
        with click.progressbar(length=len(expert_file.rows), label="Importing") as progress:
            report = csv_import.import_experts(
                expert_file, dry_run=dry_run, on_row=lambda result: progress.update(1)
            )
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()

    for row in report.rows:
        line = f"{row.line}\t{row.email or '-'}\t{row.outcome.value}"
        click.echo(f"{line}\t{row.reason}" if row.reason else line)
    if report.ignored_headings:
        click.echo("Ignored columns: " + ", ".join(report.ignored_headings))
    counts = ", ".join(f"{count} {outcome.value}" for outcome, count in report.counts.items())
    click.echo(f"{'Checked only, nothing saved' if dry_run else 'Imported'}: {counts}.")
