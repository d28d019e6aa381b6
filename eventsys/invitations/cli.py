"""`flask invitations …`."""

import click


@click.group("invitations", help="Invite experts and list their answers.")
def invitations() -> None:
    pass
