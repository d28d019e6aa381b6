"""Everyone on the staff reads sessions; only organisers and admins change them."""

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.extensions import db
from eventsys.sessions.models import AgendaItem, Session
from tests.conftest import page_text
from tests.sessions.factories import agenda_form, make_session, session_form


@pytest.fixture
def plenum(app, staff) -> Session:
    session = make_session(agenda_minutes=[15, 45], organisers=[staff.organiser])
    db.session.commit()
    return session


def changes(session: Session, staff) -> list[tuple[str, str, dict]]:
    first, second = (item.id for item in session.agenda_items)
    base = f"/sessions/{session.id}"
    return [
        ("GET", "/sessions/new", {}),
        ("POST", "/sessions/new", session_form(staff.secretariat)),
        ("GET", f"{base}/edit", {}),
        ("POST", f"{base}/edit", session_form(staff.organiser, title="Geändert")),
        ("GET", f"{base}/copy", {}),
        ("POST", f"{base}/copy", session_form(staff.organiser)),
        ("GET", f"{base}/agenda/new", {}),
        ("POST", f"{base}/agenda/new", agenda_form()),
        ("GET", f"{base}/agenda/{first}/edit", {}),
        ("POST", f"{base}/agenda/{first}/edit", agenda_form(title="Geändert")),
        ("POST", f"{base}/agenda/{first}/delete", {}),
        ("POST", f"{base}/agenda/{second}/move", {"direction": "up"}),
    ]


def test_secretariat_reads_sessions(secretariat_client, plenum):
    listing = secretariat_client.get("/sessions/")
    page = secretariat_client.get(f"/sessions/{plenum.id}")

    assert listing.status_code == 200 and page.status_code == 200
    assert plenum.title in page_text(listing)
    html = page.get_data(as_text=True)
    assert "TOP 2" in page_text(page)
    # No buttons that would only lead to a refusal.
    assert f"/sessions/{plenum.id}/edit" not in html
    assert "/agenda/" not in html
    assert 'method="post" action="/sessions' not in html


def test_secretariat_is_refused_every_change(secretariat_client, staff, plenum):
    for method, url, data in changes(plenum, staff):
        response = secretariat_client.open(url, method=method, data=data)
        assert response.status_code == 403, f"{method} {url}"

    db.session.expire_all()
    assert db.session.scalars(sa.select(Session.title)).all() == [plenum.title]
    assert [
        (item.position, item.title)
        for item in db.session.scalars(sa.select(AgendaItem).order_by(AgendaItem.position))
    ] == [(1, "Punkt 1"), (2, "Punkt 2")]
    assert db.session.scalars(sa.select(AuditEntry)).all() == []


@pytest.mark.parametrize("signed_in", ["admin_client", "organiser_client"])
def test_planners_may_change_sessions(request, staff, plenum, signed_in):
    client = request.getfixturevalue(signed_in)

    for method, url, data in changes(plenum, staff):
        if url == "/sessions/new" and method == "POST":
            data = session_form(staff.organiser)
        response = client.open(url, method=method, data=data)
        expected = 200 if method == "GET" else 302
        assert response.status_code == expected, f"{method} {url}"


def test_visitors_are_sent_to_sign_in(client, plenum):
    for url in ("/sessions/", f"/sessions/{plenum.id}", "/sessions/new"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
