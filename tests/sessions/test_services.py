"""The session services called directly, as the CLI and the demo loader call them."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.audit.services import acting_as
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.sessions import agenda, queries, services
from eventsys.sessions.agenda import AgendaItemDetails
from eventsys.sessions.models import AgendaItem, Session
from eventsys.sessions.queries import SessionFilter
from eventsys.sessions.services import SessionDetails
from eventsys.sessions.states import SessionKind, SessionStatus
from tests.sessions.factories import make_session

START = datetime(2027, 2, 2, 9, 0, tzinfo=UTC)


def details(**changes) -> SessionDetails:
    values = {
        "title": "Arbeitsgruppe Daten",
        "kind": SessionKind.WORKING_GROUP,
        "starts_at": START,
        "ends_at": START + timedelta(hours=2),
    }
    return SessionDetails(**(values | changes))


def positions(session: Session) -> list[tuple[int, str]]:
    db.session.expire_all()
    return [(item.position, item.title) for item in session.agenda_items]


def test_every_broken_rule_is_named_at_once(app, staff):
    with pytest.raises(services.InvalidSessionDetails) as refusal:
        services.create_session(
            details(
                ends_at=START - timedelta(minutes=1),
                rsvp_deadline=START,
                capacity=0,
                status=SessionStatus.CONFIRMED,
                organisers=[staff.secretariat],
            )
        )

    assert set(refusal.value.problems) == {
        "ends_at",
        "rsvp_deadline",
        "capacity",
        "venue_address",
        "organisers",
    }
    assert db.session.scalars(sa.select(Session)).all() == []


def test_created_sessions_are_attributed_to_the_cli(app, staff):
    with acting_as("cli"):
        session = services.create_session(details(organisers=[staff.admin]))
        db.session.commit()

    entry = db.session.scalar(sa.select(AuditEntry))
    assert (entry.action, entry.entity_id, entry.actor_label) == (
        "session.created",
        session.id,
        "cli",
    )


def test_a_copy_is_always_planned(app, staff):
    original = make_session(status=SessionStatus.CONFIRMED, agenda_minutes=[20, 40])
    db.session.commit()

    copy = services.copy_session(
        original, details(status=SessionStatus.HELD, venue_address="Berlin")
    )
    db.session.commit()

    assert copy.status is SessionStatus.PLANNED
    assert copy.copied_from_id == original.id
    assert positions(copy) == [(1, "Punkt 1"), (2, "Punkt 2")]


def test_adding_respects_an_item_someone_else_added_meanwhile(app, staff):
    session = make_session(agenda_minutes=[30])
    db.session.commit()
    assert len(session.agenda_items) == 1  # this request has read the agenda

    with db.engine.begin() as other_request:
        other_request.execute(
            sa.insert(AgendaItem).values(
                session_id=session.id, position=2, title="Von nebenan", duration_minutes=10
            )
        )
    item = agenda.add_agenda_item(session, AgendaItemDetails("Neu", 15))
    db.session.commit()

    assert item.position == 3
    assert positions(session) == [(1, "Punkt 1"), (2, "Von nebenan"), (3, "Neu")]


def test_removing_an_item_someone_else_removed_meanwhile_is_refused(app, staff):
    session = make_session(agenda_minutes=[30, 20])
    db.session.commit()
    first = session.agenda_items[0]

    with db.engine.begin() as other_request:
        other_request.execute(sa.delete(AgendaItem).where(AgendaItem.id == first.id))
    with pytest.raises(services.SessionError):
        agenda.remove_agenda_item(first)
    db.session.rollback()

    assert positions(session) == [(2, "Punkt 2")]


def test_a_long_agenda_keeps_unique_positions_through_many_changes(app, staff):
    session = make_session(agenda_minutes=[5] * 8)
    db.session.commit()
    items = list(session.agenda_items)

    agenda.move_agenda_item(items[7], "up")
    agenda.move_agenda_item(items[0], "down")
    agenda.remove_agenda_item(items[3])
    agenda.move_agenda_item(items[7], "up")
    db.session.commit()

    assert [title for _, title in positions(session)] == [
        "Punkt 2",
        "Punkt 1",
        "Punkt 3",
        "Punkt 5",
        "Punkt 8",
        "Punkt 6",
        "Punkt 7",
    ]
    assert [position for position, _ in positions(session)] == list(range(1, 8))


def test_services_refuse_what_the_database_would_refuse(app, staff):
    session = make_session(agenda_minutes=[30])
    db.session.commit()

    with pytest.raises(services.SessionError):
        agenda.add_agenda_item(session, AgendaItemDetails("Zu lang", 1441))
    with pytest.raises(ValueError, match="unknown direction"):
        agenda.move_agenda_item(session.agenda_items[0], "sideways")
    db.session.rollback()

    assert positions(session) == [(1, "Punkt 1")]


def test_an_unchanged_item_writes_no_audit_entry(app, staff):
    session = make_session(agenda_minutes=[30])
    db.session.commit()
    item = session.agenda_items[0]

    agenda.update_agenda_item(item, AgendaItemDetails("Punkt 1", 30))
    db.session.commit()

    assert db.session.scalars(sa.select(AuditEntry)).all() == []


def test_session_years_count_in_berlin(app):
    assert queries.session_years() == []
    make_session(starts_at=datetime(2024, 12, 31, 23, 30, tzinfo=UTC))  # 2025 in Berlin
    make_session(starts_at=datetime(2027, 6, 1, 8, 0, tzinfo=UTC))
    db.session.commit()

    assert queries.session_years() == [2027, 2026, 2025]


def test_a_running_session_counts_as_upcoming(app):
    running = make_session(title="Läuft", starts_at=utcnow() - timedelta(hours=1))
    ended = make_session(title="Vorbei", starts_at=utcnow() - timedelta(hours=4))
    db.session.commit()

    listing = queries.list_sessions(SessionFilter(), page=1)

    assert listing.upcoming == [running]
    assert listing.past.items == [ended]
