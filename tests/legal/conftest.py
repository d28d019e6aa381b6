from tests.charters.conftest import language_chosen_per_request  # noqa: F401  (autouse)
