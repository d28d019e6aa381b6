"""The invitation tests' platform (experts, a working group, a session) serves here too."""

from tests.csp_watch import axe, chromium, no_csp_violations  # noqa: F401  (CSP in the browser)
from tests.invitations.conftest import platform  # noqa: F401
