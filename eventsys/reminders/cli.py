"""`flask reminders send`."""

import click


@click.group("reminders", help="Reminders about invitations.")
def reminders() -> None:
    pass
