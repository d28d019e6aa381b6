"""`flask search rebuild`: make the whole search index again."""

import click
from flask.cli import with_appcontext

from eventsys.extensions import db
from eventsys.search import indexing


@click.group("search", help="The search index.")
def search() -> None:
    pass


@search.command("rebuild")
@with_appcontext
def rebuild() -> None:
    """Delete the index and make it again from minutes, charters and comments (after restoring
    a backup taken without it, or when in doubt); safe to run at any time."""

    def report(kind, count: int) -> None:
        click.echo(f"{kind.value}: {count} entries")

    total = indexing.rebuild(db.session.connection(), progress=report)
    db.session.commit()
    click.echo(f"The search index holds {total} entries.")
