"""The overview lists upcoming and past sessions with a bounded number of queries."""

from datetime import UTC, datetime, timedelta

from eventsys.extensions import db
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.states import SessionKind, SessionStatus
from tests.conftest import page_text


def add_sessions(count: int, start: datetime) -> None:
    for number in range(count):
        begins = start + timedelta(days=7 * number)
        session = Session(
            title=f"Sitzung {number}",
            kind=SessionKind.WORKSHOP,
            starts_at=begins,
            ends_at=begins + timedelta(hours=2),
            status=SessionStatus.CONFIRMED,
        )
        session.agenda_items.extend(
            AgendaItem(position=p, title=f"TOP {p}", duration_minutes=20) for p in (1, 2, 3)
        )
        db.session.add(session)
    db.session.commit()


def test_overview_shows_upcoming_and_past_in_berlin_time(admin_client):
    add_sessions(1, datetime(2099, 7, 1, 8, 0, tzinfo=UTC))
    add_sessions(1, datetime(2016, 7, 12, 8, 0, tzinfo=UTC))
    text = page_text(admin_client.get("/"))
    upcoming, past = text.split("Vergangene Sitzungen")
    assert "Mittwoch, 1. Juli 2099, 10:00 Uhr – 12:00 Uhr" in upcoming
    assert "Dienstag, 12. Juli 2016" in past
    assert "3 Tagesordnungspunkte" in upcoming


def test_overview_queries_do_not_grow_with_the_number_of_sessions(admin_client, count_queries):
    add_sessions(3, datetime(2099, 1, 1, 9, 0, tzinfo=UTC))
    add_sessions(3, datetime(2015, 1, 1, 9, 0, tzinfo=UTC))
    with count_queries() as few:
        assert admin_client.get("/").status_code == 200
    add_sessions(20, datetime(2098, 1, 1, 9, 0, tzinfo=UTC))
    add_sessions(20, datetime(2014, 1, 1, 9, 0, tzinfo=UTC))
    with count_queries() as many:
        assert admin_client.get("/").status_code == 200
    assert many.count == few.count
