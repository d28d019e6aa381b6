"""Password reset by a mailed link, delivered to a real SMTP server."""

import re

import pytest
from freezegun import freeze_time

from eventsys.auth import services
from eventsys.extensions import db
from eventsys.outbox.models import DeliveryState, OutboxMessage
from tests.conftest import TEST_PASSWORD, page_text


@pytest.fixture
def app_config(mail_config):
    return mail_config


def reset_link(smtp_server, address: str) -> str:
    messages = smtp_server.sink.messages_to(address)
    assert len(messages) == 1
    text = messages[0].get_body(("plain",)).get_content()
    match = re.search(r"http://eventsys\.test(/password/reset/\S+)", text)
    assert match, text
    return match.group(1)


def test_reset_link_arrives_by_mail_and_sets_a_new_password(client, staff, smtp_server):
    response = client.post("/password/forgot", data={"email": "Admin@EventSys.Example.org"})
    assert response.status_code == 302
    message = smtp_server.sink.messages_to(staff.admin.email)[0]
    assert message["Subject"] == "Setzen Sie Ihr Passwort für Dialogplattform Smart Cities zurück"
    path = reset_link(smtp_server, staff.admin.email)
    assert db.session.scalar(db.select(OutboxMessage.state)) == DeliveryState.SENT

    assert client.get(path).status_code == 200
    response = client.post(
        path, data={"password": "a new secret 123", "confirm": "a new secret 123"}
    )
    assert response.status_code == 302
    login = client.post("/login", data={"email": staff.admin.email, "password": "a new secret 123"})
    assert login.status_code == 302

    # The link worked once; with the password changed it is dead.
    again = client.post(path, data={"password": "another one 456", "confirm": "another one 456"})
    assert again.status_code == 400
    assert "nicht gültig" in page_text(again)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, staff, smtp_server):
    response = client.post("/password/forgot", data={"email": "nobody@eventsys.example.org"})
    assert response.status_code == 302
    assert smtp_server.sink.received == []
    assert db.session.scalar(db.select(db.func.count(OutboxMessage.id))) == 0


def test_reset_link_expires_after_an_hour(client, staff, smtp_server):
    with freeze_time("2026-11-23 10:00:00"):
        client.post("/password/forgot", data={"email": staff.admin.email})
    path = reset_link(smtp_server, staff.admin.email)
    with freeze_time("2026-11-23 11:01:00"):
        response = client.get(path)
    assert response.status_code == 400
    assert "abgelaufen" in page_text(response)


def test_weak_password_is_refused(client, staff, smtp_server):
    client.post("/password/forgot", data={"email": staff.admin.email})
    path = reset_link(smtp_server, staff.admin.email)
    response = client.post(path, data={"password": "short", "confirm": "short"})
    assert response.status_code == 200
    assert "mindestens 12 Zeichen" in page_text(response)
    assert staff.admin.check_password(TEST_PASSWORD)


def test_tampered_token_is_refused(client, staff):
    token = services.make_reset_token(staff.admin)
    response = client.get(f"/password/reset/{token[:-3]}xyz")
    assert response.status_code == 400


def test_reset_mail_is_in_the_users_language(client, staff, smtp_server):
    staff.secretariat.language = "en"
    db.session.commit()
    client.post("/password/forgot", data={"email": staff.secretariat.email})
    message = smtp_server.sink.messages_to(staff.secretariat.email)[0]
    assert message["Subject"] == "Reset your password for Dialogplattform Smart Cities"
