"""`flask replies …`."""

import click


@click.group("replies", help="Answers that arrive by mail.")
def replies() -> None:
    pass
