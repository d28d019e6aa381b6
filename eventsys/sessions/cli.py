"""`flask sessions …`."""

import click


@click.group("sessions", help="Sessions and their agendas.")
def sessions() -> None:
    pass
