"""`flask experts …`."""

import click


@click.group("experts", help="The expert directory.")
def experts() -> None:
    pass
