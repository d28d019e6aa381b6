"""Fixtures borrowed from other features' tests: languages chosen per request (as in the
charter tests) and the invitations' small platform of experts."""

from tests.charters.conftest import language_chosen_per_request  # noqa: F401
from tests.invitations.conftest import platform  # noqa: F401
