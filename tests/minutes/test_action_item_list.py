"""The list of every session's action items: filters, order, closing and reopening on the
list, the downloads, and a bounded number of queries."""

import csv
import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from eventsys.audit.models import AuditEntry
from eventsys.extensions import db
from eventsys.minutes import action_item_list
from eventsys.minutes.action_item_list import ActionItemFilter, ActionItemOrder, ActionItemState
from eventsys.minutes.errors import MinutesError
from eventsys.minutes.models import ActionItem, Minutes, MinutesTopic
from tests.conftest import page_text, reading_english
from tests.minutes.conftest import build_record, make_plenary

# Anna's items of the plenary (due 30.04.2026) are due within two weeks; the earlier session's
# open item (due 28.02.2026) is overdue.
TODAY = "2026-04-25 08:00:00"


def numbers(response) -> list[str]:
    html = response.get_data(as_text=True)
    return [part.split("<")[0] for part in html.split('<th scope="row">')[1:]]


@pytest.fixture
def listed(app, staff):
    reading_english(staff)
    return build_record()


@freeze_time(TODAY)
def test_open_items_of_all_sessions_by_due_date(secretariat_client, listed):
    response = secretariat_client.get("/minutes/action-items")
    assert response.status_code == 200
    plenary = listed.session.id
    earlier = listed.earlier.id
    # Overdue first, then by due date; no due date last; closed items not shown.
    assert numbers(response) == [
        f"A-{earlier}.1.1",
        f"A-{plenary}.1.1", f"A-{plenary}.2.1", f"A-{plenary}.3.1",
        f"A-{plenary}.1.2", f"A-{plenary}.2.2", f"A-{plenary}.3.2",
    ]  # fmt: skip
    text = page_text(response)
    assert "7 action items" in text
    assert "overdue" in text and "due within two weeks" in text
    assert "Leitfaden Datenräume vorlegen" in text and "Umfrage auswerten" not in text


@freeze_time(TODAY)
@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("overdue", ["{earlier}.1.1"]),
        ("due_soon", ["{plenary}.1.1", "{plenary}.2.1", "{plenary}.3.1"]),
        ("closed", ["{earlier}.2", "{earlier}.3"]),
    ],
)
def test_the_state_filter(secretariat_client, listed, state, expected):
    response = secretariat_client.get(f"/minutes/action-items?state={state}")
    ids = {"earlier": listed.earlier.id, "plenary": listed.session.id}
    wanted = [number.format(**ids) for number in expected]
    found = numbers(response)
    assert len(found) == len(wanted)
    assert all(any(number.endswith(part) for part in wanted) for number in found)


@freeze_time(TODAY)
def test_by_owner_and_found_by_owner_name(secretariat_client, listed):
    by_owner = numbers(secretariat_client.get("/minutes/action-items?order=owner"))
    # BBSR (organisation, sorted as "bbsr") before Schmidt, Anna.
    assert by_owner[0] == f"A-{listed.earlier.id}.1.1"
    assert by_owner[-1] == f"A-{listed.session.id}.3.1"
    found = numbers(secretariat_client.get("/minutes/action-items?owner=SCHMIDT"))
    assert found == [f"A-{listed.session.id}.{topic}.1" for topic in (1, 2, 3)]
    only_earlier = secretariat_client.get(f"/minutes/action-items?session={listed.earlier.id}")
    assert numbers(only_earlier) == [f"A-{listed.earlier.id}.1.1"]
    assert "Only the action items of “4. Plenum”." in page_text(only_earlier)


def test_unknown_filter_values_mean_the_defaults(app):
    from werkzeug.datastructures import MultiDict

    filters = action_item_list.action_item_filter(
        MultiDict({"state": "<script>", "order": "x", "session": "99999999999", "owner": "a" * 500})
    )
    assert filters == ActionItemFilter(owner="a" * 100)


@freeze_time(TODAY)
def test_closing_on_the_list_records_who_and_where(secretariat_client, listed, staff):
    item = listed.still_open
    response = secretariat_client.post(
        f"/minutes/action-items/{item.id}/close",
        data={"note": "Leitfaden liegt vor.", "state": "overdue", "page": "1"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/minutes/action-items?page=1&state=overdue&order=due#action-item-{item.id}"
    )
    db.session.expire_all()
    closed = db.session.get(ActionItem, item.id)
    assert closed.closed_by_id == staff.secretariat.id and closed.closed_in is None
    assert closed.closed_note == "Leitfaden liegt vor."
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "action_item.closed", AuditEntry.entity_id == item.id
        )
    )
    assert entry.changes == {"closed_note": ["", "Leitfaden liegt vor."]}

    page = page_text(secretariat_client.get("/minutes/action-items?state=closed"))
    assert (
        f"Closed on 25 Apr 2026 on the list of action items, by {staff.secretariat.name}." in page
    )
    assert "in the minutes of 5. Plenum der Dialogplattform" in page

    again = secretariat_client.post(f"/minutes/action-items/{item.id}/close", data={})
    assert again.status_code == 302
    follow = secretariat_client.get(again.headers["Location"])
    assert "This action item has already been closed." in page_text(follow)

    reopened = secretariat_client.post(f"/minutes/action-items/{item.id}/reopen")
    assert reopened.status_code == 302
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).is_open


def test_an_item_closed_in_minutes_is_reopened_there_not_on_the_list(app, listed, staff):
    with pytest.raises(MinutesError, match="reopen it there"):
        action_item_list.reopen_on_list(listed.closed_here, staff.secretariat)


def test_a_note_too_long_is_refused_and_nothing_changes(secretariat_client, listed):
    item = listed.still_open
    response = secretariat_client.post(
        f"/minutes/action-items/{item.id}/close", data={"note": "x" * 2001}, follow_redirects=True
    )
    assert "2000 characters" in page_text(response)
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).is_open


def test_experts_and_strangers_cannot_see_or_close(client, listed):
    assert client.get("/minutes/action-items").status_code == 302
    assert client.post(f"/minutes/action-items/{listed.still_open.id}/close").status_code in (
        302,
        400,
    )
    db.session.expire_all()
    assert db.session.get(ActionItem, listed.still_open.id).is_open


@freeze_time(TODAY)
def test_the_downloads_hold_every_match_made_safe(secretariat_client, listed):
    hostile_item = listed.minutes.topics[0].action_items[1]
    hostile_item.text = '=HYPERLINK("http://evil.example")'
    db.session.commit()
    workbook = openpyxl.load_workbook(
        io.BytesIO(secretariat_client.get("/minutes/action-items.xlsx?state=all").data)
    )
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Number", "Action item", "Owner", "Due", "State")
    assert len(rows) == 1 + 9
    by_number = {row[0]: row for row in rows[1:]}
    hostile = by_number[f"A-{listed.session.id}.1.2"]
    assert hostile[1] == '=HYPERLINK("http://evil.example")'
    assert hostile[2] == "BBSR" and hostile[3] is None and hostile[4] == "open"
    cell = next(
        row[1] for row in workbook.active.iter_rows(min_row=2) if "HYPERLINK" in str(row[1].value)
    )
    assert cell.data_type == "s" and cell.quotePrefix
    overdue = by_number[f"A-{listed.earlier.id}.1.1"]
    assert overdue[4] == "overdue" and overdue[3].date() == date(2026, 2, 28)
    closed = by_number[f"A-{listed.earlier.id}.1.2"]
    assert closed[8] == "in the minutes of 5. Plenum der Dialogplattform"
    assert closed[9] == "Ergebnisse liegen vor."

    data = secretariat_client.get("/minutes/action-items.csv?owner=Schmidt").data
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert len(table) == 1 + 3
    assert table[1][3] == "2026-04-30"  # English reader: ISO dates
    every = secretariat_client.get("/minutes/action-items.csv?state=all").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in every and ";=HYPERLINK" not in every


@freeze_time(TODAY)
def test_german_readers_get_german_labels_and_dates(client, app, staff):
    from tests.conftest import sign_in

    build_record()
    sign_in(client, staff.secretariat)
    text = page_text(client.get("/minutes/action-items"))
    assert "Aufgaben" in text and "überfällig" in text
    data = client.get("/minutes/action-items.csv").data.decode("utf-8-sig")
    assert "30.04.2026" in data


def add_sessions_with_items(count: int, people) -> None:
    for number in range(count):
        session = make_plenary(["Punkt"], title=f"Sitzung {number}")
        topic = MinutesTopic(position=1, title="Punkt")
        topic.action_items = [
            ActionItem(position=1, text="Aufgabe", owner_expert=people.anna),
            ActionItem(position=2, text="Aufgabe", owner_organisation=people.bbsr),
        ]
        db.session.add(Minutes(session=session, topics=[topic]))
    db.session.commit()


def test_the_list_needs_as_many_queries_for_many_items(secretariat_client, listed, count_queries):
    path = "/minutes/action-items?state=all"
    add_sessions_with_items(30, listed.people)  # more than a page
    secretariat_client.get(path)
    with count_queries() as few:
        assert secretariat_client.get(path).status_code == 200
    add_sessions_with_items(270, listed.people)
    secretariat_client.get(path)
    with count_queries() as many:
        response = secretariat_client.get(path)
    assert many.count == few.count
    assert len(numbers(response)) == 50 and "page=2" in response.get_data(as_text=True)


def test_the_filter_keeps_its_arguments_for_links():
    filters = ActionItemFilter(ActionItemState.CLOSED, "Anna", 7, ActionItemOrder.OWNER)
    assert filters.query() == {"state": "closed", "order": "owner", "owner": "Anna", "session": "7"}
