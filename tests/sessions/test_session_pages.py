"""Creating, editing, copying, showing and listing sessions through the pages."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.auth.models import User
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.roles import Role
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionKind, SessionStatus
from tests.conftest import page_text
from tests.sessions.factories import make_session, session_form


def all_sessions() -> list[Session]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Session).order_by(Session.id)))


def only_session() -> Session:
    sessions = all_sessions()
    assert len(sessions) == 1
    return sessions[0]


@pytest.mark.parametrize(
    ("day", "expected_start", "expected_end"),
    [
        (
            "2027-07-01",
            datetime(2027, 7, 1, 8, 0, tzinfo=UTC),
            datetime(2027, 7, 1, 14, 0, tzinfo=UTC),
        ),
        (
            "2027-01-14",
            datetime(2027, 1, 14, 9, 0, tzinfo=UTC),
            datetime(2027, 1, 14, 15, 0, tzinfo=UTC),
        ),
    ],
    ids=["summer", "winter"],
)
def test_times_entered_in_berlin_are_stored_in_utc(
    organiser_client, staff, day, expected_start, expected_end
):
    response = organiser_client.post(
        "/sessions/new", data=session_form(staff.organiser, start_date=day)
    )

    session = only_session()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/sessions/{session.id}"
    assert session.starts_at == expected_start
    assert session.ends_at == expected_end
    assert session.status is SessionStatus.PLANNED
    assert session.kind is SessionKind.WORKSHOP
    assert [user.id for user in session.organisers] == [staff.organiser.id]


def test_show_page_uses_german_date_and_time_formats(organiser_client, staff):
    organiser_client.post(
        "/sessions/new",
        data=session_form(
            staff.organiser,
            start_date="2027-11-23",
            start_time="14:00",
            end_time="17:30",
            rsvp_date="2027-11-09",
            rsvp_time="12:00",
        ),
    )

    text = page_text(organiser_client.get(f"/sessions/{only_session().id}"))
    assert "23.11.2027, 14:00 Uhr – 17:30 Uhr" in text
    assert "09.11.2027, 12:00 Uhr" in text
    assert "3:30 h" in text


def test_end_date_may_differ_from_start_date(organiser_client, staff):
    organiser_client.post(
        "/sessions/new",
        data=session_form(
            staff.organiser,
            start_date="2027-03-10",
            start_time="13:00",
            end_date="2027-03-11",
            end_time="12:30",
        ),
    )

    session = only_session()
    assert session.starts_at == datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
    assert session.ends_at == datetime(2027, 3, 11, 11, 30, tzinfo=UTC)
    text = page_text(organiser_client.get(f"/sessions/{session.id}"))
    assert "10.03.2027, 13:00 Uhr – 11.03.2027, 12:30 Uhr" in text


def test_end_before_start_is_refused(english_organiser, staff):
    response = english_organiser.post(
        "/sessions/new",
        data=session_form(staff.organiser, start_time="16:00", end_time="10:00"),
    )

    assert response.status_code == 200
    assert "The session must end after it starts." in page_text(response)
    assert all_sessions() == []


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (
            "2026-03-29",
            "02:30 on 29 Mar 2026 does not exist in Berlin because the clocks go forward",
        ),
        ("2026-10-25", "02:30 on 25 Oct 2026 happens twice in Berlin because the clocks go back"),
    ],
    ids=["clocks-forward", "clocks-back"],
)
def test_start_times_around_daylight_saving_changes_are_refused(
    english_organiser, staff, day, expected
):
    response = english_organiser.post(
        "/sessions/new",
        data=session_form(staff.organiser, start_date=day, start_time="02:30", end_time="05:00"),
    )

    assert response.status_code == 200
    text = page_text(response)
    assert expected in text
    assert "Please choose another time." in text
    assert all_sessions() == []


def test_an_end_time_skipped_by_the_clocks_is_refused(english_organiser, staff):
    response = english_organiser.post(
        "/sessions/new",
        data=session_form(
            staff.organiser,
            start_date="2026-03-28",
            start_time="20:00",
            end_date="2026-03-29",
            end_time="02:15",
        ),
    )

    assert "02:15 on 29 Mar 2026 does not exist in Berlin" in page_text(response)
    assert all_sessions() == []


def test_times_next_to_a_daylight_saving_change_are_fine(organiser_client, staff):
    organiser_client.post(
        "/sessions/new",
        data=session_form(
            staff.organiser, start_date="2026-03-29", start_time="01:30", end_time="03:30"
        ),
    )

    session = only_session()
    # 01:30 is still winter time (UTC+1), 03:30 already summer time (UTC+2): one hour apart.
    assert session.starts_at == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert session.ends_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "title", ["Plenum\r\nBcc: everyone@example.org", "Plenum\nzweite Zeile", "Tab\tim Titel"]
)
def test_line_breaks_in_the_title_are_refused(english_organiser, staff, title):
    response = english_organiser.post(
        "/sessions/new", data=session_form(staff.organiser, title=title)
    )

    assert response.status_code == 200
    assert "must fit on one line" in page_text(response)
    assert all_sessions() == []


def test_title_length_matches_the_column(english_organiser, staff):
    too_long = english_organiser.post(
        "/sessions/new", data=session_form(staff.organiser, title="T" * 201)
    )
    assert too_long.status_code == 200
    assert "Field cannot be longer than 200 characters." in page_text(too_long)
    assert all_sessions() == []

    english_organiser.post("/sessions/new", data=session_form(staff.organiser, title="T" * 200))
    assert only_session().title == "T" * 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("venue_address", "A" * 301),
        ("venue_room", "R" * 201),
        ("online_url", "https://example.org/" + "x" * 481),
        ("venue_room", "Saal\r\n2"),
        ("venue_address", "Straße 1\n10117 Berlin"),
    ],
)
def test_single_line_fields_are_bounded(english_organiser, staff, field, value):
    response = english_organiser.post(
        "/sessions/new", data=session_form(staff.organiser, **{field: value})
    )

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert all_sessions() == []


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://example.org/x", "meet.example.org/abc", "https://"]
)
def test_online_link_must_be_a_web_address(english_organiser, staff, link):
    response = english_organiser.post(
        "/sessions/new", data=session_form(staff.organiser, online_url=link)
    )

    assert "Enter a web address starting with https://" in page_text(response)
    assert all_sessions() == []


def test_online_only_and_hybrid_sessions(organiser_client, staff):
    organiser_client.post(
        "/sessions/new",
        data=session_form(
            staff.organiser,
            title="Online",
            venue_address="",
            venue_room="",
            online_url="https://meet.example.org/dialog",
            status="confirmed",
        ),
    )
    organiser_client.post(
        "/sessions/new",
        data=session_form(
            staff.organiser,
            title="Hybrid",
            online_url="https://meet.example.org/hybrid",
            status="confirmed",
        ),
    )

    online, hybrid = all_sessions()
    assert online.is_online_only and not online.is_hybrid
    assert hybrid.is_hybrid
    page = organiser_client.get(f"/sessions/{online.id}").get_data(as_text=True)
    assert '<a href="https://meet.example.org/dialog"' in page


def test_a_confirmed_session_needs_a_place_but_a_planned_one_does_not(english_organiser, staff):
    no_place = {"venue_address": "", "venue_room": "", "online_url": ""}
    refused = english_organiser.post(
        "/sessions/new", data=session_form(staff.organiser, status="confirmed", **no_place)
    )
    assert "A confirmed or held session needs a venue address or an online link." in page_text(
        refused
    )
    assert all_sessions() == []

    english_organiser.post(
        "/sessions/new", data=session_form(staff.organiser, status="planned", **no_place)
    )
    assert only_session().venue_address == ""


def test_reply_deadline_is_stored_in_utc_and_must_precede_the_start(english_organiser, staff):
    late = english_organiser.post(
        "/sessions/new",
        data=session_form(staff.organiser, rsvp_date="2026-07-01", rsvp_time="10:00"),
    )
    assert "The reply deadline must be before the session starts." in page_text(late)
    half = english_organiser.post(
        "/sessions/new", data=session_form(staff.organiser, rsvp_date="2026-06-20")
    )
    assert "Enter both a date and a time for the reply deadline, or neither." in page_text(half)
    assert all_sessions() == []

    english_organiser.post(
        "/sessions/new",
        data=session_form(staff.organiser, rsvp_date="2026-06-20", rsvp_time="23:59"),
    )
    assert only_session().rsvp_deadline == datetime(2026, 6, 20, 21, 59, tzinfo=UTC)


@pytest.mark.parametrize("capacity", ["0", "-5", "zwanzig", "100001", "9" * 30])
def test_capacity_must_be_a_positive_whole_number(english_organiser, staff, capacity):
    response = english_organiser.post(
        "/sessions/new", data=session_form(staff.organiser, capacity=capacity)
    )

    assert response.status_code == 200
    assert all_sessions() == []


def test_capacity_is_stored(organiser_client, staff):
    organiser_client.post("/sessions/new", data=session_form(staff.organiser, capacity="40"))

    assert only_session().capacity == 40


@pytest.mark.parametrize(
    "field", ["start_date", "start_time", "end_time", "title", "kind", "organisers"]
)
def test_required_fields(english_organiser, staff, field):
    response = english_organiser.post(
        "/sessions/new", data=session_form(staff.organiser, **{field: None})
    )

    assert response.status_code == 200
    assert "Please correct the following" in page_text(response)
    assert all_sessions() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("start_date", "1.7.2027"),
        ("start_time", "25:00"),
        ("start_date", "1899-12-31"),
        ("end_date", "9999-12-31"),
        ("kind", "party"),
        ("status", "postponed"),
    ],
)
def test_malformed_input_is_refused(english_organiser, staff, field, value):
    response = english_organiser.post(
        "/sessions/new", data=session_form(staff.organiser, **{field: value})
    )

    assert response.status_code == 200
    assert all_sessions() == []


def test_only_active_organisers_and_admins_can_be_responsible(english_organiser, staff):
    retired = User(
        email="retired@eventsys.test", name="Ehemalig", role=Role.ORGANISER, active=False
    )
    retired.set_password("irrelevant-password")
    db.session.add(retired)
    db.session.commit()

    form_page = english_organiser.get("/sessions/new").get_data(as_text=True)
    assert staff.admin.name in form_page
    assert staff.secretariat.name not in form_page
    assert "Ehemalig" not in form_page
    for user in (staff.secretariat, retired):
        response = english_organiser.post(
            "/sessions/new", data=session_form(staff.organiser, organisers=[str(user.id)])
        )
        assert response.status_code == 200
    assert all_sessions() == []

    english_organiser.post(
        "/sessions/new",
        data=session_form(
            staff.organiser, organisers=[str(staff.organiser.id), str(staff.admin.id)]
        ),
    )
    assert {user.id for user in only_session().organisers} == {staff.organiser.id, staff.admin.id}


def test_creating_writes_the_audit_trail(organiser_client, staff):
    organiser_client.post("/sessions/new", data=session_form(staff.organiser))

    session = only_session()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "session.created"))
    assert entry.entity_type == "sessions"
    assert entry.entity_id == session.id
    assert entry.actor_id == staff.organiser.id
    assert entry.changes["title"] == [None, "Workshop Datenstrategien"]
    assert entry.changes["starts_at"] == [None, "2026-07-01T08:00:00+00:00"]
    assert entry.changes["organisers"] == [None, [staff.organiser.id]]


def test_edit_form_shows_berlin_times(organiser_client, staff):
    session = make_session(starts_at=datetime(2027, 1, 14, 9, 0, tzinfo=UTC), hours=2.5)
    db.session.commit()

    page = organiser_client.get(f"/sessions/{session.id}/edit").get_data(as_text=True)
    assert 'value="2027-01-14"' in page
    assert 'value="10:00"' in page
    assert 'value="12:30"' in page


def test_editing_records_old_and_new_values(organiser_client, staff):
    session = make_session(
        starts_at=datetime(2027, 1, 14, 9, 0, tzinfo=UTC),
        organisers=[staff.organiser],
        venue_address="Bonn",
    )
    db.session.commit()

    response = organiser_client.post(
        f"/sessions/{session.id}/edit",
        data=session_form(
            staff.organiser,
            title="Verschoben",
            kind="plenary",
            status="confirmed",
            start_date="2027-01-21",
            start_time="10:00",
            end_time="13:00",
            organisers=[str(staff.organiser.id), str(staff.admin.id)],
        ),
    )

    assert response.status_code == 302
    session = only_session()
    assert session.title == "Verschoben"
    assert session.status is SessionStatus.CONFIRMED
    assert session.starts_at == datetime(2027, 1, 21, 9, 0, tzinfo=UTC)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "session.updated"))
    assert entry.entity_id == session.id
    assert entry.changes["title"] == ["5. Plenum der Dialogplattform", "Verschoben"]
    assert entry.changes["status"] == ["planned", "confirmed"]
    assert entry.changes["starts_at"] == ["2027-01-14T09:00:00+00:00", "2027-01-21T09:00:00+00:00"]
    assert entry.changes["organisers"] == [
        [staff.organiser.id],
        sorted([staff.organiser.id, staff.admin.id]),
    ]
    assert "kind" not in entry.changes


def test_saving_without_changes_writes_no_audit_entry(organiser_client, staff):
    organiser_client.post("/sessions/new", data=session_form(staff.organiser))
    session = only_session()

    organiser_client.post(f"/sessions/{session.id}/edit", data=session_form(staff.organiser))

    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions == ["session.created"]


def test_a_refused_edit_changes_nothing(english_organiser, staff):
    session = make_session(organisers=[staff.organiser])
    db.session.commit()
    before = (session.title, session.starts_at, session.ends_at)

    response = english_organiser.post(
        f"/sessions/{session.id}/edit",
        data=session_form(staff.organiser, title="Neu", start_time="18:00", end_time="09:00"),
    )

    assert response.status_code == 200
    session = only_session()
    assert (session.title, session.starts_at, session.ends_at) == before
    assert db.session.scalars(sa.select(AuditEntry)).all() == []


def test_copy_form_is_prefilled_without_dates(organiser_client, staff):
    original = make_session(
        title="Werkstatt Smart City Charta",
        venue_address="Bonn",
        venue_room="A 1.23",
        capacity=30,
        organisers=[staff.organiser],
    )
    db.session.commit()

    page = organiser_client.get(f"/sessions/{original.id}/copy").get_data(as_text=True)
    assert 'value="Werkstatt Smart City Charta"' in page
    assert 'value="A 1.23"' in page
    start_date = re.search(r'<input[^>]*name="start_date"[^>]*>', page).group(0)
    assert 'value=""' in start_date
    assert 'name="status"' not in page


def test_copying_keeps_the_agenda_and_starts_as_planned(organiser_client, staff, presenters):
    original = make_session(
        status=SessionStatus.HELD,
        organisers=[staff.admin],
        agenda_minutes=[15, 45, 30],
        venue_address="Bonn",
    )
    original.agenda_items[1].presenter_expert = presenters.anna
    original.agenda_items[2].presenter_text = "Moderation: Team BBSR"
    db.session.commit()

    response = organiser_client.post(
        f"/sessions/{original.id}/copy",
        data=session_form(
            staff.organiser,
            title="6. Plenum",
            start_date="2027-05-04",
            start_time="09:30",
            end_time="12:00",
            status="held",
        ),
    )

    original, copy = all_sessions()
    assert response.headers["Location"] == f"/sessions/{copy.id}"
    assert copy.copied_from_id == original.id
    assert copy.status is SessionStatus.PLANNED
    assert copy.title == "6. Plenum"
    assert copy.starts_at == datetime(2027, 5, 4, 7, 30, tzinfo=UTC)
    assert [
        (item.position, item.title, item.duration_minutes, item.presenter)
        for item in copy.agenda_items
    ] == [
        (1, "Punkt 1", 15, ""),
        (2, "Punkt 2", 45, "Dr. Anna Schmidt"),
        (3, "Punkt 3", 30, "Moderation: Team BBSR"),
    ]
    assert {item.id for item in copy.agenda_items}.isdisjoint(
        item.id for item in original.agenda_items
    )
    assert len(original.agenda_items) == 3
    assert original.status is SessionStatus.HELD
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "session.copied"))
    assert entry.entity_id == copy.id
    assert entry.changes["copied_from_id"] == [None, original.id]
    text = page_text(organiser_client.get(f"/sessions/{copy.id}"))
    assert "5. Plenum der Dialogplattform" in text  # the link back to the original


def test_copy_needs_new_dates(english_organiser, staff):
    original = make_session(agenda_minutes=[30])
    db.session.commit()

    response = english_organiser.post(
        f"/sessions/{original.id}/copy",
        data=session_form(staff.organiser, start_date="", start_time="", end_time=""),
    )

    assert response.status_code == 200
    assert len(all_sessions()) == 1


def test_show_page_lists_details_and_organisers(organiser_client, staff):
    session = make_session(
        description="Zeile eins\nZeile zwei",
        venue_address="Krausenstraße 17, Berlin",
        venue_room="Saal 2",
        capacity=25,
        organisers=[staff.organiser, staff.admin],
    )
    db.session.commit()

    text = page_text(organiser_client.get(f"/sessions/{session.id}"))
    assert "5. Plenum der Dialogplattform" in text
    assert "Krausenstraße 17, Berlin" in text
    assert "Saal 2" in text
    assert "25" in text
    assert staff.organiser.name in text and staff.admin.name in text


def test_missing_sessions_are_not_found(organiser_client, staff):
    assert organiser_client.get("/sessions/4711").status_code == 404
    assert organiser_client.get("/sessions/4711/edit").status_code == 404
    assert organiser_client.get("/sessions/4711/copy").status_code == 404
    assert organiser_client.get("/sessions/99999999999999999999").status_code == 404
    assert organiser_client.get("/sessions/99999999999999999999/agenda/new").status_code == 404


def test_list_separates_upcoming_and_past(organiser_client, staff):
    now = utcnow().replace(microsecond=0)
    make_session(title="Bald", starts_at=now + timedelta(days=10))
    make_session(title="Später", starts_at=now + timedelta(days=40))
    make_session(title="Vorbei", starts_at=now - timedelta(days=10))
    make_session(title="Lange her", starts_at=now - timedelta(days=400))
    make_session(title="Läuft gerade", starts_at=now - timedelta(hours=1))
    db.session.commit()

    text = page_text(organiser_client.get("/sessions/"))
    upcoming, past = text.split("Vergangene Sitzungen" if "Vergangene" in text else "Past sessions")
    assert upcoming.index("Läuft gerade") < upcoming.index("Bald") < upcoming.index("Später")
    assert "Vorbei" not in upcoming
    assert past.index("Vorbei") < past.index("Lange her")
    assert "Bald" not in past


def test_list_filters_by_kind_status_and_year(organiser_client, staff):
    make_session(title="Plenum 2025", starts_at=datetime(2025, 6, 1, 8, 0, tzinfo=UTC))
    make_session(
        title="Workshop 2025",
        kind=SessionKind.WORKSHOP,
        status=SessionStatus.HELD,
        starts_at=datetime(2025, 9, 1, 8, 0, tzinfo=UTC),
    )
    # 00:30 on New Year's Day in Berlin is still the old year in UTC: it counts as 2026.
    make_session(title="Neujahr", starts_at=datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    db.session.commit()

    def titles(query: str) -> set[str]:
        text = page_text(organiser_client.get(f"/sessions/?{query}"))
        return {title for title in ("Plenum 2025", "Workshop 2025", "Neujahr") if title in text}

    assert titles("") == {"Plenum 2025", "Workshop 2025", "Neujahr"}
    assert titles("kind=workshop") == {"Workshop 2025"}
    assert titles("status=held") == {"Workshop 2025"}
    assert titles("year=2025") == {"Plenum 2025", "Workshop 2025"}
    assert titles("year=2026") == {"Neujahr"}
    assert titles("kind=plenary&year=2025") == {"Plenum 2025"}
    # Unknown values filter nothing rather than fail.
    assert titles("kind=party&year=1871&status=") == {"Plenum 2025", "Workshop 2025", "Neujahr"}


def test_past_sessions_are_paginated(organiser_client, staff):
    first = datetime(2020, 1, 6, 9, 0, tzinfo=UTC)
    for week in range(25):
        make_session(title=f"Sitzung KW {week + 1:02d}", starts_at=first + timedelta(weeks=week))
    db.session.commit()

    first_page = page_text(organiser_client.get("/sessions/"))
    second_page = page_text(organiser_client.get("/sessions/?page=2"))
    beyond = organiser_client.get("/sessions/?page=99999999999999999999")

    assert "Sitzung KW 25" in first_page and "Sitzung KW 06" in first_page
    assert "Sitzung KW 05" not in first_page
    assert "Sitzung KW 05" in second_page and "Sitzung KW 01" in second_page
    assert "Sitzung KW 25" not in second_page
    assert beyond.status_code == 200


def test_dashboard_shows_upcoming_and_past_sessions(organiser_client, staff):
    now = utcnow()
    make_session(title="Nächstes Plenum", starts_at=now + timedelta(days=7), agenda_minutes=[30])
    make_session(title="Letzter Workshop", starts_at=now - timedelta(days=7))
    db.session.commit()

    response = organiser_client.get("/")

    assert response.status_code == 200
    text = page_text(response)
    assert "Nächstes Plenum" in text and "Letzter Workshop" in text
