"""The agenda through the pages: adding, editing, removing and reordering items."""

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.extensions import db
from eventsys.sessions.models import AgendaItem, Session
from tests.conftest import page_text
from tests.sessions.factories import agenda_form, make_session


def agenda_of(session_id: int) -> list[tuple[int, str]]:
    """(position, title) of every item, as stored."""
    db.session.expire_all()
    return [
        (item.position, item.title)
        for item in db.session.scalars(
            sa.select(AgendaItem)
            .where(AgendaItem.session_id == session_id)
            .order_by(AgendaItem.position)
        )
    ]


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture
def plenum(app, staff) -> Session:
    """23.11.2026, 14:00–17:00 Berlin, with TOP 1–3 of 15, 45 and 30 minutes."""
    session = make_session(agenda_minutes=[15, 45, 30], organisers=[staff.organiser])
    db.session.commit()
    return session


def item_id(session: Session, position: int) -> int:
    return next(item.id for item in session.agenda_items if item.position == position)


def test_items_are_numbered_in_the_order_they_are_added(organiser_client, staff):
    session = make_session()
    db.session.commit()

    for title in ("Begrüßung", "Bericht der Geschäftsstelle", "Verschiedenes"):
        response = organiser_client.post(
            f"/sessions/{session.id}/agenda/new", data=agenda_form(title=title)
        )
        assert response.status_code == 302

    assert agenda_of(session.id) == [
        (1, "Begrüßung"),
        (2, "Bericht der Geschäftsstelle"),
        (3, "Verschiedenes"),
    ]
    text = page_text(organiser_client.get(f"/sessions/{session.id}"))
    assert re.search(r"TOP 1 .*Begrüßung.* TOP 2 .*Bericht.* TOP 3 .*Verschiedenes", text)


def test_item_with_a_presenter_from_the_directory(organiser_client, plenum, presenters):
    organiser_client.post(
        f"/sessions/{plenum.id}/agenda/new",
        data=agenda_form(title="Impuls", presenter_expert_id=str(presenters.anna.id)),
    )

    item = db.session.scalar(sa.select(AgendaItem).where(AgendaItem.title == "Impuls"))
    assert item.position == 4
    assert item.presenter_expert_id == presenters.anna.id
    text = page_text(organiser_client.get(f"/sessions/{plenum.id}"))
    assert "Dr. Anna Schmidt (Stadt Ulm)" in text


def test_presenter_choices_are_active_experts(organiser_client, plenum, presenters):
    page = organiser_client.get(f"/sessions/{plenum.id}/agenda/new").get_data(as_text=True)

    assert "Schmidt, Anna (Stadt Ulm)" in page
    assert "Vogel, Bernd (BBSR)" in page
    assert "Alt, Carla" not in page
    response = organiser_client.post(
        f"/sessions/{plenum.id}/agenda/new",
        data=agenda_form(presenter_expert_id=str(presenters.retired.id)),
    )
    assert response.status_code == 200
    assert len(agenda_of(plenum.id)) == 3


def test_an_item_keeps_its_presenter_after_they_leave_the_directory(
    organiser_client, plenum, presenters
):
    plenum.agenda_items[0].presenter_expert = presenters.retired
    db.session.commit()
    url = f"/sessions/{plenum.id}/agenda/{item_id(plenum, 1)}/edit"

    page = organiser_client.get(url).get_data(as_text=True)
    assert "Alt, Carla (BBSR)" in page
    organiser_client.post(
        url, data=agenda_form(title="Neu", presenter_expert_id=str(presenters.retired.id))
    )
    db.session.expire_all()
    assert plenum.agenda_items[0].presenter_expert_id == presenters.retired.id


def test_either_an_expert_or_a_typed_presenter(english_organiser, plenum, presenters):
    response = english_organiser.post(
        f"/sessions/{plenum.id}/agenda/new",
        data=agenda_form(presenter_expert_id=str(presenters.anna.id), presenter_text="Jemand"),
    )

    assert response.status_code == 200
    assert "Choose an expert or type a presenter's name, not both." in page_text(response)
    assert len(agenda_of(plenum.id)) == 3


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration_minutes": "1441"}, "Number must be between 0 and 1440."),
        ({"duration_minutes": "-1"}, "Number must be between 0 and 1440."),
        ({"duration_minutes": ""}, "This field is required."),
        ({"title": ""}, "This field is required."),
        ({"title": "TOP\r\nBcc: x@example.org"}, "must fit on one line"),
        ({"title": "T" * 201}, "Field cannot be longer than 200 characters."),
        ({"presenter_text": "P" * 201}, "Field cannot be longer than 200 characters."),
        ({"presenter_text": "Dr.\nX"}, "must fit on one line"),
        ({"presenter_expert_id": "abc"}, "Invalid Choice"),
    ],
)
def test_invalid_items_are_refused(english_organiser, plenum, changes, message):
    response = english_organiser.post(
        f"/sessions/{plenum.id}/agenda/new", data=agenda_form(**changes)
    )

    assert response.status_code == 200
    assert message in page_text(response)
    assert len(agenda_of(plenum.id)) == 3


def test_zero_minute_items_are_allowed(organiser_client, plenum):
    organiser_client.post(
        f"/sessions/{plenum.id}/agenda/new", data=agenda_form(title="Ende", duration_minutes="0")
    )

    assert agenda_of(plenum.id)[-1] == (4, "Ende")


def test_editing_an_item_records_what_changed(organiser_client, plenum, presenters):
    url = f"/sessions/{plenum.id}/agenda/{item_id(plenum, 2)}/edit"
    page = organiser_client.get(url).get_data(as_text=True)
    assert 'value="Punkt 2"' in page and 'value="45"' in page

    response = organiser_client.post(
        url,
        data=agenda_form(
            title="Bericht", duration_minutes="50", presenter_expert_id=str(presenters.bernd.id)
        ),
    )

    assert response.status_code == 302
    assert agenda_of(plenum.id) == [(1, "Punkt 1"), (2, "Bericht"), (3, "Punkt 3")]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "agenda_item.updated")
    )
    assert entry.entity_type == "agenda_items"
    assert entry.changes == {
        "title": ["Punkt 2", "Bericht"],
        "duration_minutes": [45, 50],
        "presenter_expert_id": [None, presenters.bernd.id],
    }


def test_removing_an_item_renumbers_the_rest(organiser_client, plenum):
    response = organiser_client.post(f"/sessions/{plenum.id}/agenda/{item_id(plenum, 1)}/delete")

    assert response.status_code == 302
    assert agenda_of(plenum.id) == [(1, "Punkt 2"), (2, "Punkt 3")]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "agenda_item.removed")
    )
    assert entry.changes["title"] == ["Punkt 1", None]
    assert entry.changes["position"] == [1, None]


def test_removing_the_middle_item_after_reordering(organiser_client, plenum):
    # Ids and positions no longer run in step, which is where renumbering can trip over the
    # unique (session, position) constraint.
    organiser_client.post(
        f"/sessions/{plenum.id}/agenda/{item_id(plenum, 3)}/move", data={"direction": "up"}
    )
    organiser_client.post(
        f"/sessions/{plenum.id}/agenda/{item_id(plenum, 1)}/move", data={"direction": "down"}
    )
    assert agenda_of(plenum.id) == [(1, "Punkt 3"), (2, "Punkt 1"), (3, "Punkt 2")]
    db.session.expire_all()

    organiser_client.post(f"/sessions/{plenum.id}/agenda/{item_id(plenum, 1)}/delete")

    assert agenda_of(plenum.id) == [(1, "Punkt 1"), (2, "Punkt 2")]


def test_moving_items_up_and_down(organiser_client, plenum):
    third = item_id(plenum, 3)

    organiser_client.post(f"/sessions/{plenum.id}/agenda/{third}/move", data={"direction": "up"})
    assert agenda_of(plenum.id) == [(1, "Punkt 1"), (2, "Punkt 3"), (3, "Punkt 2")]
    organiser_client.post(f"/sessions/{plenum.id}/agenda/{third}/move", data={"direction": "up"})
    assert agenda_of(plenum.id) == [(1, "Punkt 3"), (2, "Punkt 1"), (3, "Punkt 2")]
    organiser_client.post(f"/sessions/{plenum.id}/agenda/{third}/move", data={"direction": "down"})
    assert agenda_of(plenum.id) == [(1, "Punkt 1"), (2, "Punkt 3"), (3, "Punkt 2")]

    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.action == "agenda_item.moved")
        .order_by(AuditEntry.id)
    ).all()
    assert [entry.changes["position"] for entry in entries] == [[3, 2], [2, 1], [1, 2]]


@pytest.mark.parametrize(
    ("position", "direction", "message"),
    [
        (1, "up", "This item is already the first on the agenda."),
        (3, "down", "This item is already the last on the agenda."),
    ],
)
def test_moving_beyond_the_ends_is_refused(english_organiser, plenum, position, direction, message):
    response = english_organiser.post(
        f"/sessions/{plenum.id}/agenda/{item_id(plenum, position)}/move",
        data={"direction": direction},
        follow_redirects=True,
    )

    assert message in page_text(response)
    assert agenda_of(plenum.id) == [(1, "Punkt 1"), (2, "Punkt 2"), (3, "Punkt 3")]
    assert "agenda_item.moved" not in audit_actions()


@pytest.mark.parametrize("direction", ["", "sideways", None])
def test_move_needs_a_direction(organiser_client, plenum, direction):
    data = {} if direction is None else {"direction": direction}

    response = organiser_client.post(
        f"/sessions/{plenum.id}/agenda/{item_id(plenum, 2)}/move", data=data
    )

    assert response.status_code == 302
    assert agenda_of(plenum.id) == [(1, "Punkt 1"), (2, "Punkt 2"), (3, "Punkt 3")]


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("GET", "edit", None),
        ("POST", "edit", agenda_form(title="Übernommen")),
        ("POST", "delete", {}),
        ("POST", "move", {"direction": "down"}),
    ],
)
def test_an_item_posted_against_another_session_is_not_found(
    organiser_client, staff, method, path, data
):
    session_two = make_session(title="Zwei", agenda_minutes=[10, 20])
    session_three = make_session(title="Drei", agenda_minutes=[30])
    db.session.commit()
    foreign_item = session_two.agenda_items[0].id

    response = organiser_client.open(
        f"/sessions/{session_three.id}/agenda/{foreign_item}/{path}", method=method, data=data
    )

    assert response.status_code == 404
    assert agenda_of(session_two.id) == [(1, "Punkt 1"), (2, "Punkt 2")]
    assert agenda_of(session_three.id) == [(1, "Punkt 1")]
    assert audit_actions() == []


def test_running_start_times_and_total_against_the_length(organiser_client, plenum):
    text = page_text(organiser_client.get(f"/sessions/{plenum.id}"))

    # 14:00 + 15 min + 45 min: the items start at 14:00, 14:15 and 15:00 Berlin time.
    assert re.search(r"TOP 1 14:00 Uhr Punkt 1 .* 15 min", text)
    assert re.search(r"TOP 2 14:15 Uhr Punkt 2 .* 45 min", text)
    assert re.search(r"TOP 3 15:00 Uhr Punkt 3 .* 30 min", text)
    assert "1:30 h" in text and "3:00 h" in text
    assert "warning" not in organiser_client.get(f"/sessions/{plenum.id}").get_data(as_text=True)


def test_an_agenda_longer_than_the_session_is_pointed_out(english_organiser, staff):
    session = make_session(hours=2, agenda_minutes=[60, 60, 45])
    db.session.commit()

    text = page_text(english_organiser.get(f"/sessions/{session.id}"))

    assert "Agenda: 2:45 h of 2:00 h session time." in text
    assert "The agenda is longer than the session: it needs 0:45 h more" in text


def test_an_agenda_that_exactly_fills_the_session_is_fine(english_organiser, staff):
    session = make_session(hours=2, agenda_minutes=[60, 60])
    db.session.commit()

    text = page_text(english_organiser.get(f"/sessions/{session.id}"))

    assert "Agenda: 2:00 h of 2:00 h session time." in text
    assert "longer than the session" not in text


def test_running_times_cross_a_daylight_saving_change_in_real_time(organiser_client, staff):
    # Saturday 23:00 to Sunday 05:00 across the October change: seven real hours.
    session = make_session(
        starts_at=datetime(2026, 10, 24, 21, 0, tzinfo=UTC), hours=7, agenda_minutes=[300, 60]
    )
    db.session.commit()

    text = page_text(organiser_client.get(f"/sessions/{session.id}"))

    # Five hours after 23:00 summer time it is 03:00 winter time, not 04:00.
    assert re.search(r"TOP 2 03:00 Uhr", text)
    assert "7:00 h" in text
