"""The invitation tests' platform (experts, a working group, a session) serves here too."""

from tests.invitations.conftest import platform  # noqa: F401
