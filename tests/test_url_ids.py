"""Ids in URLs beyond what a database integer holds are simply not found (no overflow)."""

import pytest


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/99999999999999999999",
        "/experts/99999999999999999999",
        "/outbox/2147483648",
        "/users/99999999999999999999/edit",
    ],
)
def test_huge_ids_are_not_found(admin_client, path):
    assert admin_client.get(path).status_code == 404


def test_largest_integer_id_is_looked_up_normally(admin_client):
    assert admin_client.get("/sessions/2147483647").status_code == 404
