"""The browser tests check the Content-Security-Policy too."""

from tests.csp_watch import axe, chromium, no_csp_violations  # noqa: F401
