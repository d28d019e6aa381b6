"""Each test starts with no failed sign-ins or reset requests counted: the app, and with it the
limiter's in-memory counters, is kept from one test to the next."""

import pytest

from eventsys.auth import throttling


@pytest.fixture(autouse=True)
def fresh_throttling_counters(app):
    throttling.reset_counters()
    yield
    throttling.reset_counters()
