"""Links in mail follow our host only (issue 11, item 6): SERVER_NAME, or a request host that
TRUSTED_HOSTS names, never the Host (or X-Forwarded-Host) a request claims."""

import re

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.invitations.mail import MailKind
from eventsys.invitations.models import Invitation
from eventsys.outbox import services as outbox
from eventsys.outbox.models import DeliveryState, OutboxMessage
from tests.conftest import TEST_PASSWORD, page_text
from tests.invitations.conftest import make_expert, make_session, send_confirmed, text_of

EVIL = "evil.example"
FORGED = {"X-Forwarded-Host": EVIL, "X-Forwarded-Proto": "https", "Forwarded": f"host={EVIL}"}


@pytest.fixture
def app_config(mail_config):
    return mail_config


def links_in(smtp_server, address: str) -> list[str]:
    return [
        link
        for message in smtp_server.sink.messages_to(address)
        for link in re.findall(r"https?://[^\s\"'<>]+", text_of(message))
    ]


def outbox_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))


def sign_in_at(client, user, base_url: str) -> None:
    response = client.post(
        "/login", data={"email": user.email, "password": TEST_PASSWORD}, base_url=base_url
    )
    assert response.status_code == 302


@pytest.fixture
def session_and_expert(app):
    from tests.invitations.conftest import make_organisation

    expert = make_expert("Anna", "Schmidt", make_organisation())
    session = make_session()
    db.session.commit()
    return session, expert


def invite(client, session, expert, base_url: str, headers: dict | None = None):
    return client.post(
        f"/sessions/{session.id}/invitations/new",
        data=send_confirmed(expert),
        base_url=base_url,
        headers=headers or {},
    )


def test_with_server_name_a_forged_host_gets_links_to_our_host(
    app, staff, client, smtp_server, session_and_expert
):
    session, expert = session_and_expert
    sign_in_at(client, staff.organiser, f"http://{EVIL}")
    response = invite(client, session, expert, f"http://{EVIL}", FORGED)
    assert response.status_code == 302
    links = links_in(smtp_server, expert.email)
    assert links and all(link.startswith("http://eventsys.test/") for link in links)
    (mail,) = smtp_server.sink.received
    assert EVIL.encode() not in mail.raw


def test_with_server_name_a_forged_host_gets_a_reset_link_to_our_host(
    app, staff, client, smtp_server
):
    response = client.post(
        "/password/forgot",
        data={"email": staff.admin.email},
        base_url=f"https://{EVIL}",
        headers=FORGED,
    )
    assert response.status_code == 302
    (link,) = [link for link in links_in(smtp_server, staff.admin.email) if "/password/" in link]
    assert link.split("://", 1)[1].startswith("eventsys.test/password/reset/")
    assert EVIL.encode() not in smtp_server.sink.received[0].raw


@pytest.fixture
def no_server_name(app):
    app.config["SERVER_NAME"] = None
    return app


@pytest.mark.parametrize("known", [True, False], ids=["known account", "unknown address"])
def test_without_a_configured_host_a_reset_is_refused_alike_for_every_address(
    no_server_name, staff, client, smtp_server, known
):
    address = staff.admin.email if known else "nobody@example.org"
    response = client.post(
        "/password/forgot", data={"email": address}, base_url=f"http://{EVIL}", headers=FORGED
    )
    assert response.status_code == 503
    assert "SERVER_NAME" in page_text(response)
    assert "keine E-Mail versendet" in page_text(response)
    assert outbox_count() == 0
    assert smtp_server.sink.received == []


def test_with_trusted_hosts_a_forged_host_is_refused_before_any_mail(
    no_server_name, staff, client, smtp_server
):
    no_server_name.config["TRUSTED_HOSTS"] = ["termine.example.de"]
    response = client.post(
        "/password/forgot", data={"email": staff.admin.email}, base_url=f"http://{EVIL}"
    )
    assert response.status_code == 400
    assert outbox_count() == 0
    assert smtp_server.sink.received == []


def test_with_trusted_hosts_links_follow_the_trusted_host_and_not_x_forwarded_host(
    no_server_name, staff, client, smtp_server
):
    no_server_name.config["TRUSTED_HOSTS"] = ["termine.example.de"]
    response = client.post(
        "/password/forgot",
        data={"email": staff.admin.email},
        base_url="https://termine.example.de",
        headers=FORGED,
    )
    assert response.status_code == 302
    (link,) = [link for link in links_in(smtp_server, staff.admin.email) if "/password/" in link]
    assert link.startswith("https://termine.example.de/password/reset/")
    assert EVIL.encode() not in smtp_server.sink.received[0].raw


def test_without_a_configured_host_inviting_is_refused_and_nothing_is_saved(
    no_server_name, staff, client, smtp_server, session_and_expert
):
    session, expert = session_and_expert
    sign_in_at(client, staff.organiser, f"http://{EVIL}")
    response = invite(client, session, expert, f"http://{EVIL}", FORGED)
    assert response.status_code == 503
    assert "SERVER_NAME" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
    assert outbox_count() == 0
    assert smtp_server.sink.received == []


def test_a_message_queued_with_links_to_another_host_is_not_written(
    no_server_name, smtp_server, session_and_expert
):
    """A row kept from before this check (or changed since) names the attacker's host."""
    session, expert = session_and_expert
    no_server_name.config["TRUSTED_HOSTS"] = ["termine.example.de"]
    invitation = Invitation(session=session, expert=expert)
    db.session.add(invitation)
    db.session.flush()
    entry = outbox.queue_for_composition(
        MailKind.INVITATION, expert.email, "x@example.org", invitation_id=invitation.id
    )
    entry.link_base = f"http://{EVIL}/"
    db.session.commit()
    db.session.expire_all()
    assert entry.state == DeliveryState.FAILED
    assert EVIL in entry.last_error and "TRUSTED_HOSTS" in entry.last_error
    assert entry.raw_message is None
    assert smtp_server.sink.received == []


def test_make_run_trusts_its_own_host_only(tmp_path, monkeypatch):
    """`make run` exports FLASK_SERVER_NAME and FLASK_TRUSTED_HOSTS (Makefile)."""
    from eventsys import create_app

    monkeypatch.setenv("FLASK_SERVER_NAME", "127.0.0.1:5000")
    monkeypatch.setenv("FLASK_TRUSTED_HOSTS", '["127.0.0.1", "localhost"]')
    application = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "test"},
        instance_path=str(tmp_path),
    )
    assert application.config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]
    client = application.test_client()
    assert client.get("/login", base_url=f"http://{EVIL}").status_code == 400
    assert client.get("/login", base_url="http://localhost:5000").status_code == 200
