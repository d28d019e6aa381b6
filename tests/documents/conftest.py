import pytest

from eventsys.documents import preparation


@pytest.fixture(autouse=True)
def renderers_stopped_after_each_test(app):
    """A rendering still under way when its test ends would reach into the next test's
    database; the test ends only once its renderer threads have."""
    yield
    preparation.stop_renderers(app)
