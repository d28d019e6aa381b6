"""`flask demo load`."""

import click


@click.group("demo", help="Demo data.")
def demo() -> None:
    pass
