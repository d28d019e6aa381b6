"""Errors of the charter services; their text is shown to the user as it is."""


class CharterError(Exception):
    """A request the charter services refuse, with a message in the user's language."""
