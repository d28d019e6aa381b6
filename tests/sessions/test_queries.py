"""Pages send a fixed number of SQL statements, however long the agenda or the list."""

from datetime import timedelta

import pytest

from eventsys.database import utcnow
from eventsys.extensions import db
from tests.sessions.factories import make_expert, make_organisation, make_session


def session_with_agenda(staff, items: int):
    """A session whose items each have their own presenter from their own organisation."""
    session = make_session(
        title=f"Sitzung mit {items} Punkten",
        agenda_minutes=[10] * items,
        organisers=[staff.organiser, staff.admin],
        starts_at=utcnow() + timedelta(days=3),
    )
    for number, item in enumerate(session.agenda_items):
        if number % 2:
            organisation = make_organisation(f"Organisation {items}-{number}")
            item.presenter_expert = make_expert(f"Vorname{items}", f"Name{number}", organisation)
        else:
            item.presenter_text = f"Gast {number}"
    db.session.commit()
    return session


def statements_for(client, count_queries, url: str) -> int:
    db.session.expire_all()
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


@pytest.mark.parametrize("signed_in", ["organiser_client", "secretariat_client"])
def test_show_page_queries_do_not_grow_with_the_agenda(
    request, app, staff, count_queries, signed_in
):
    client = request.getfixturevalue(signed_in)
    short = session_with_agenda(staff, 3)
    long = session_with_agenda(staff, 30)

    short_count = statements_for(client, count_queries, f"/sessions/{short.id}")
    long_count = statements_for(client, count_queries, f"/sessions/{long.id}")

    assert long_count == short_count
    # 8, and 4 for the answers since the last visit: the visit read and recorded, the recent
    # answers, the reader's own choice of notices.
    assert short_count <= 12


def test_copied_session_page_queries_are_bounded(organiser_client, staff, count_queries):
    original = session_with_agenda(staff, 30)
    copy = make_session(title="Kopie", agenda_minutes=[10] * 30, copied_from_id=original.id)
    db.session.commit()

    assert statements_for(organiser_client, count_queries, f"/sessions/{copy.id}") <= 13


def add_sessions(count: int) -> None:
    now = utcnow()
    for number in range(count):
        offset = timedelta(days=number + 1)
        make_session(
            title=f"Sitzung {number}",
            agenda_minutes=[20, 40],
            starts_at=now + offset if number % 2 else now - offset,
        )
    db.session.commit()


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/sessions/", 8),
        ("/sessions/?kind=plenary&year=2026", 8),
        # The overview's work lists: a page of each list and its count (tests/dashboard).
        ("/", 30),
    ],
)
def test_list_pages_queries_do_not_grow_with_the_sessions(
    organiser_client, staff, count_queries, url, most
):
    add_sessions(3)
    few = statements_for(organiser_client, count_queries, url)
    add_sessions(27)
    many = statements_for(organiser_client, count_queries, url)

    assert many == few
    assert few <= most


def test_forms_queries_are_bounded(organiser_client, staff, count_queries):
    session = session_with_agenda(staff, 30)
    item = session.agenda_items[1]

    for url in (
        "/sessions/new",
        f"/sessions/{session.id}/edit",
        f"/sessions/{session.id}/copy",
        f"/sessions/{session.id}/agenda/new",
        f"/sessions/{session.id}/agenda/{item.id}/edit",
    ):
        assert statements_for(organiser_client, count_queries, url) <= 8, url
