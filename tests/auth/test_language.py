"""German by default, English on request; the choice is remembered per user."""

from eventsys.extensions import db
from tests.conftest import page_text, sign_in


def test_german_is_the_default(client):
    response = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="de">' in response.get_data(as_text=True)
    assert "Anmelden" in page_text(response)


def test_anonymous_choice_is_kept_in_the_browser_session(client):
    client.post("/language", data={"language": "en", "next": "/login"})
    response = client.get("/login")
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert "Sign in" in page_text(response)


def test_signed_in_choice_is_stored_on_the_account(app, staff):
    first = app.test_client()
    sign_in(first, staff.organiser)
    response = first.post("/language", data={"language": "en", "next": "/"})
    assert response.headers["Location"] == "/"
    db.session.refresh(staff.organiser)
    assert staff.organiser.language == "en"
    # Another browser, signing in fresh, gets the remembered language.
    second = app.test_client()
    sign_in(second, staff.organiser)
    assert "Upcoming sessions" in page_text(second.get("/"))


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"language": "xx", "next": "/login"})
    assert '<html lang="de">' in client.get("/login").get_data(as_text=True)
