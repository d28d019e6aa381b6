"""403, 404, 500 and the CSRF refusal come in the site's look and the user's language."""

import pytest

from eventsys.access import public
from eventsys.auth.models import User
from eventsys.extensions import db
from tests.conftest import page_text, sign_in


def test_not_found_page(admin_client):
    response = admin_client.get("/no/such/page")
    assert response.status_code == 404
    text = page_text(response)
    assert "Seite nicht gefunden" in text
    assert "Hauptnavigation" not in text or "Übersicht" in text  # the site's header is there


def test_forbidden_page(secretariat_client):
    response = secretariat_client.get("/audit/")
    assert response.status_code == 403
    assert "Zugriff verweigert" in page_text(response)


@pytest.fixture
def app_config():
    # Flask would re-raise in testing mode; the handler must be exercised as in production.
    return {"PROPAGATE_EXCEPTIONS": False}


def test_unexpected_error_shows_a_calm_page_and_saves_nothing(app, client):
    @public
    def explode():
        db.session.add(User(email="half@example.org", name="Half", password_hash="x", role="admin"))
        db.session.flush()
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    response = client.get("/explode")
    assert response.status_code == 500
    text = page_text(response)
    assert "Etwas ist schiefgegangen" in text
    assert "boom" not in text and "Traceback" not in text
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_route_without_declared_audience_is_refused(app, client, staff):
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    sign_in(client, staff.admin)
    response = client.get("/undeclared")
    assert response.status_code == 403


def test_oversized_upload_is_refused_politely(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/password/forgot", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "Datei zu groß" in page_text(response)
