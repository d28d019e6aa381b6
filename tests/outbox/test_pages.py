"""Admins read the outbox in the browser and download messages as .eml."""

from email import policy
from email.parser import BytesParser

from eventsys.extensions import db
from eventsys.outbox import services
from tests.conftest import page_text


def test_without_mail_server_messages_stay_readable(app, admin_client):
    services.queue(
        "test",
        services.compose(
            "expertin@example.org",
            "Einladung zum Workshop",
            "Guten Tag,\nbis bald.",
            "<p>Guten Tag</p>",
        ),
    )
    db.session.commit()
    listing = admin_client.get("/outbox/")
    assert listing.status_code == 200
    text = page_text(listing)
    assert "Es ist kein Mailserver eingerichtet" in text
    assert "Einladung zum Workshop" in text and "expertin@example.org" in text

    detail = admin_client.get("/outbox/1")
    assert "Guten Tag, bis bald." in page_text(detail)

    download = admin_client.get("/outbox/1.eml")
    assert download.mimetype == "message/rfc822"
    assert "attachment" in download.headers["Content-Disposition"]
    message = BytesParser(policy=policy.default).parsebytes(download.data)
    assert message["To"] == "expertin@example.org"


def test_only_admins_read_the_outbox(app, organiser_client):
    assert organiser_client.get("/outbox/").status_code == 403
