"""The headers every response carries, and what eventsys writes to instance/ (issue 11, item 7)."""

import stat
from pathlib import Path

import pytest

from eventsys import create_app
from eventsys.security_headers import CONTENT_SECURITY_POLICY
from tests.conftest import TEST_PASSWORD

STRICT = "strict-origin-when-cross-origin"


def test_every_page_forbids_inline_scripts_framing_and_sniffing(client, staff):
    for path in ("/login", "/static/css/app.css", "/no-such-page"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert policy == CONTENT_SECURITY_POLICY
        assert "script-src 'self';" in policy
        assert "'unsafe-inline'" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in response.headers  # plain http here
        response.close()


def test_staff_pages_send_a_strict_referrer(admin_client):
    for path in ("/", "/experts/", "/sessions/"):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Referrer-Policy"] == STRICT


@pytest.mark.parametrize(
    "path",
    [
        "/rsvp/forged-token",
        "/rsvp/forged-token/accepted",
        "/minutes/read/forged-token",
        "/charters/consult/forged-token",
        "/feeds/experts/forged-token.ics",
        "/feeds/all/forged-token.ics",
        "/password/reset/forged-token",
        "/login",
    ],
)
def test_pages_opened_by_a_signed_link_send_no_referrer(client, path):
    """The token is in the address: a link followed from such a page must not carry it away,
    whether the token is valid or not."""
    response = client.get(path)
    assert response.status_code != 500
    assert response.headers["Referrer-Policy"] == "no-referrer", path


def test_signed_link_routes_all_carry_their_token_as_token(app):
    """The no-referrer rule finds signed links by their `token` argument; every public route
    with an argument names it so."""
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "allowed_roles", ()) is None and rule.arguments - {"answer"}:
            assert "token" in rule.arguments, rule.rule


@pytest.fixture
def https_config():
    return {"PREFERRED_URL_SCHEME": "https"}


class TestOverHttps:
    @pytest.fixture
    def app_config(self, https_config):
        return https_config

    def test_hsts_and_secure_cookies(self, app, client, staff):
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["REMEMBER_COOKIE_SECURE"] is True
        response = client.post(
            "/login",
            data={"email": staff.admin.email, "password": TEST_PASSWORD, "remember": "y"},
            base_url="https://eventsys.test",
        )
        assert response.status_code == 302
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        cookies = response.headers.getlist("Set-Cookie")
        assert {cookie.split("=")[0] for cookie in cookies} >= {"session", "remember_token"}
        for cookie in cookies:
            assert "; Secure" in cookie, cookie


def test_outbox_mail_preview_keeps_inline_styles_but_no_scripts(app, admin_client):
    from eventsys.extensions import db
    from eventsys.outbox import services as outbox

    entry = outbox.queue(
        "test",
        outbox.compose("a@example.org", "Betreff", "Text", '<p style="color: red">HTML</p>'),
    )
    db.session.commit()
    response = admin_client.get(f"/outbox/{entry.id}")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy
    assert "sandbox" in response.get_data(as_text=True)


def test_instance_files_are_readable_by_their_owner_only(tmp_path):
    instance = tmp_path / "instance"
    application = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": None}, instance_path=str(instance)
    )
    with application.app_context():
        from eventsys.extensions import db

        db.create_all()
        db.engine.dispose()
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    written = sorted(Path(instance).iterdir())
    assert {path.name for path in written} >= {"secret_key", "eventsys.sqlite3"}
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
