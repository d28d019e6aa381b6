"""Signing in and out, and what anonymous visitors see."""

import pytest

from eventsys.extensions import db
from tests.conftest import TEST_PASSWORD, page_text, sign_in


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_sign_in_and_out(client, staff):
    response = client.post(
        "/login?next=/experts/",
        data={"email": "ORGANISER@eventsys.example.org ", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/experts/"
    assert staff.organiser.last_login_at is not None
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_in_german(client, staff):
    response = client.post("/login", data={"email": staff.admin.email, "password": "wrong"})
    assert response.status_code == 200
    assert "E-Mail-Adresse oder Passwort ist falsch." in page_text(response)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_next_never_leaves_the_site(client, staff, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": staff.admin.email, "password": TEST_PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_deactivated_account_cannot_sign_in(client, staff):
    staff.secretariat.active = False
    db.session.commit()
    response = client.post(
        "/login", data={"email": staff.secretariat.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_deactivating_an_account_ends_its_sessions(client, staff):
    sign_in(client, staff.organiser)
    assert client.get("/").status_code == 200
    staff.organiser.active = False
    db.session.commit()
    assert client.get("/").status_code == 302
