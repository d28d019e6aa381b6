"""The minutes as plain data: complete, language-neutral, JSON as it is, loaded in a fixed number
of queries."""

import json
from datetime import date

from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.extensions import db
from eventsys.minutes import snapshot
from eventsys.minutes.models import ActionItem, Minutes, MinutesTopic
from tests.invitations.conftest import make_expert
from tests.minutes.conftest import EARLIER_STARTS_AT, build_record, fill_topic, make_plenary


def test_has_the_session_agenda_and_general_part(record):
    content = snapshot.take(record.minutes)

    assert content["schema"] == "eventsys.minutes/1"
    assert content["platform"] == "Dialogplattform Smart Cities"
    assert content["minutes_id"] == record.minutes.id
    assert content["version_number"] == 1
    assert content["correction_reason"] == ""
    assert content["session"] == {
        "id": record.session.id,
        "title": "5. Plenum der Dialogplattform",
        "kind": "plenary",
        "starts_at": "2026-03-12T09:00:00+00:00",
        "ends_at": "2026-03-12T15:00:00+00:00",
        "place": {
            "address": "Krausenstraße 17–18, 10117 Berlin",
            "room": "Saal 2",
            "online": False,
        },
    }
    assert [(item["position"], item["title"]) for item in content["agenda"]] == [
        (1, "Begrüßung"),
        (2, "Datenstrategien der Kommunen"),
        (3, "Bericht aus dem Forschungscluster"),
    ]
    assert content["general"] == {
        "opening": "Frau Dr. Schmidt begrüßt die Teilnehmenden.",
        "closing": "Die Leitung dankt allen für die Mitarbeit.",
        "next_session_date": "2026-06-18",
    }


def test_attendance_names_groups_and_states_sorted_by_surname(record):
    attendance = snapshot.take(record.minutes)["attendance"]

    assert attendance == [
        {
            "name": "Dieter Brandt",
            "organisation": "Deutscher Städtetag",
            "stakeholder_group": "umbrella_associations",
            "status": "present",
            "deputy_for": "Erika Zeller",
            "guest": False,
        },
        {
            "name": "Frank Ohnesorg",
            "organisation": "Stadt Köln",
            "stakeholder_group": "municipalities",
            "status": "absent",
            "deputy_for": None,
            "guest": False,
        },
        {
            "name": "Dr. Anna Schmidt",
            "organisation": "Stadt Köln",
            "stakeholder_group": "municipalities",
            "status": "present",
            "deputy_for": None,
            "guest": False,
        },
        {
            "name": "Claire Tremblay",
            "organisation": "Housing Canada",
            "stakeholder_group": "international_partners",
            "status": "present",
            "deputy_for": None,
            "guest": False,
        },
        {
            "name": "Bernd Vogel",
            "organisation": "BBSR",
            "stakeholder_group": "science",
            "status": "excused",
            "deputy_for": None,
            "guest": False,
        },
        {
            "name": "Erika Zeller",
            "organisation": "Deutscher Städtetag",
            "stakeholder_group": "umbrella_associations",
            "status": "excused",
            "deputy_for": None,
            "guest": False,
        },
        {
            "name": "Gisela Gast",
            "organisation": "Presse",
            "stakeholder_group": None,
            "status": "present",
            "deputy_for": None,
            "guest": True,
        },
    ]


def test_umlauts_sort_as_their_base_letter(record):
    # DIN 5007-1, as German lists are sorted: Özdemir between Ohnesorg and Schmidt, not last.
    oezdemir = make_expert("Ömer", "Özdemir", record.people.koeln)
    db.session.add(Attendee(session=record.session, expert=oezdemir))
    db.session.commit()

    names = [entry["name"] for entry in snapshot.take(record.minutes)["attendance"]]

    assert names.index("Frank Ohnesorg") < names.index("Ömer Özdemir")
    assert names.index("Ömer Özdemir") < names.index("Dr. Anna Schmidt")


def test_topics_with_numbered_decisions_action_items_and_recommendations(record):
    session_id = record.session.id
    topics = snapshot.take(record.minutes)["topics"]

    assert [topic["position"] for topic in topics] == [1, 2, 3]
    second = topics[1]
    assert second["title"] == "Datenstrategien der Kommunen"
    assert second["discussion"].startswith("Die Runde erörtert **Thema 2**.")
    assert second["decisions"] == [
        {"number": f"B-{session_id}.2.1", "text": "Die Plattform beschließt Vorschlag 2a."},
        {"number": f"B-{session_id}.2.2", "text": "Die Plattform vertagt Vorschlag 2b."},
    ]
    assert second["action_items"] == [
        {
            "number": f"A-{session_id}.2.1",
            "text": "Entwurf 2 an alle versenden",
            "owner": "Dr. Anna Schmidt",
            "due_date": "2026-04-30",
            "closed": None,
        },
        {
            "number": f"A-{session_id}.2.2",
            "text": "Studie 2 beauftragen",
            "owner": "BBSR",
            "due_date": None,
            "closed": None,
        },
    ]
    assert second["recommendations"][0] == {
        "number": f"E-{session_id}.2.1",
        "text": "Kommunen veröffentlichen Daten offen (Empfehlung 2).",
        "guideline": {
            "number": 2,
            "title_de": "Digitale Transformation braucht Transparenz, Teilhabe und Mitgestaltung",
            "title_en": "Digital transformation needs transparency, participation and co-creation",
        },
        "actors": "Kommunen, Länder",
    }
    assert second["recommendations"][1]["number"] == f"E-{session_id}.2.2"
    assert second["recommendations"][1]["guideline"]["number"] == 3


def test_open_action_items_from_earlier_sessions(record):
    carried_over = snapshot.take(record.minutes)["open_action_items"]

    earlier_id = record.earlier.id
    assert carried_over == [
        {
            "number": f"A-{earlier_id}.1.1",
            "session_id": earlier_id,
            "session_title": "4. Plenum",
            "session_date": "2025-11-20",
            "text": "Leitfaden Datenräume vorlegen",
            "owner": "BBSR",
            "due_date": "2026-02-28",
            "closed_here": False,
            "closed_note": "",
        },
        {
            "number": f"A-{earlier_id}.1.2",
            "session_id": earlier_id,
            "session_title": "4. Plenum",
            "session_date": "2025-11-20",
            "text": "Umfrage auswerten",
            "owner": "Bernd Vogel",
            "due_date": None,
            "closed_here": True,
            "closed_note": "Ergebnisse liegen vor.",
        },
    ]


def test_an_own_action_item_closed_says_when_and_where(record):
    item = record.minutes.topics[0].action_items[0]
    item.closed_at = record.session.ends_at
    item.closed_in = record.minutes
    item.closed_note = "Gleich erledigt."
    db.session.commit()

    closed = snapshot.take(record.minutes)["topics"][0]["action_items"][0]["closed"]

    assert closed == {
        "at": "2026-03-12T15:00:00+00:00",
        "session_id": record.session.id,
        "note": "Gleich erledigt.",
    }


def test_a_correction_carries_its_version_and_reason(record):
    record.minutes.version_number = 2
    record.minutes.correction_reason = "Name in TOP 2 berichtigt"
    db.session.commit()

    content = snapshot.take(record.minutes)

    assert (content["version_number"], content["correction_reason"]) == (
        2,
        "Name in TOP 2 berichtigt",
    )


def test_an_online_session_says_so_without_its_link(app):
    session = make_plenary(
        ["Begrüßung"], venue_address="", venue_room="", online_url="https://meet.example/x?pwd=1"
    )
    minutes = Minutes(session=session, topics=[MinutesTopic(position=1, title="Begrüßung")])
    db.session.add(minutes)
    db.session.commit()

    content = snapshot.take(minutes)

    assert content["session"]["place"] == {"address": "", "room": "", "online": True}
    assert "meet.example" not in json.dumps(content)


def test_is_plain_json_without_contact_details(record):
    content = snapshot.take(record.minutes)

    assert json.loads(json.dumps(content)) == content
    assert "@" not in json.dumps(content)  # names and organisations, no e-mail addresses


def grow(record, topics: int, attendees: int, earlier_items: int) -> None:
    """More TOPs, attendees and carried-over action items than the record starts with."""
    minutes = record.minutes
    first_new = len(minutes.topics) + 1
    for position in range(first_new, first_new + topics):
        topic = MinutesTopic(position=position, title=f"Thema {position}")
        minutes.topics.append(topic)
        fill_topic(topic, record.people)
    for number in range(attendees):
        expert = make_expert(f"Person{number}", f"Nachname{number}", record.people.bbsr)
        db.session.add(
            Attendee(session=record.session, expert=expert, status=AttendanceStatus.PRESENT)
        )
    another_earlier = make_plenary(["Auftakt"], title="3. Plenum", starts_at=EARLIER_STARTS_AT)
    earlier_topic = MinutesTopic(position=1, title="Auftakt")
    earlier_topic.action_items = [
        ActionItem(
            position=number,
            text=f"Aufgabe {number}",
            owner_expert=record.people.claire,
            due_date=date(2026, 1, number),
        )
        for number in range(1, earlier_items + 1)
    ]
    db.session.add(Minutes(session=another_earlier, topics=[earlier_topic]))
    db.session.commit()


def queries_to_take(minutes_id: int, count_queries) -> tuple[int, dict]:
    db.session.expire_all()  # nothing loaded counts: every row is read again
    minutes = db.session.get(Minutes, minutes_id)
    with count_queries() as counter:
        content = snapshot.take(minutes)
    return counter.count, content


def test_loads_in_the_same_number_of_queries_for_2_and_20_topics(app, count_queries):
    record = build_record(2)
    minutes_id = record.minutes.id
    small, small_content = queries_to_take(minutes_id, count_queries)

    grow(record, topics=18, attendees=30, earlier_items=10)
    large, large_content = queries_to_take(minutes_id, count_queries)

    assert len(small_content["topics"]) == 2
    assert len(large_content["topics"]) == 20
    assert len(large_content["attendance"]) == len(small_content["attendance"]) + 30
    assert len(large_content["open_action_items"]) == len(small_content["open_action_items"]) + 10
    assert large == small
    assert small <= 20  # one query per table read, give or take
