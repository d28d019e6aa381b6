"""The attendance list as Excel and as CSV for German Excel: what the list's filters find,
all pages, with state, deputy and the Berlin time of the mark; a guest's hostile name stays
text."""

import csv
import io

import openpyxl
import pytest

from eventsys.attendance import services
from eventsys.attendance.states import AttendanceStatus
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from tests.attendance.test_views import attendee_of, list_url
from tests.conftest import reading_english


@pytest.fixture
def staff(staff):
    return reading_english(staff)


@pytest.fixture
def marked(answered, staff):
    """The list filled: Anna present, Erik (for Claire) excused, a guest whose name a hostile
    form filled with a formula."""
    session = answered.session
    services.prefill(session)
    services.mark(attendee_of(session, answered.anna), AttendanceStatus.PRESENT, staff.organiser)
    services.mark(attendee_of(session, answered.erik), AttendanceStatus.EXCUSED, staff.organiser)
    services.add_guest(
        session, '=HYPERLINK("http://x","y")', "Presse", StakeholderGroup.CIVIL_SOCIETY, None
    )
    db.session.commit()
    return answered


def rows_of(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return [["" if cell is None else cell for cell in row] for row in sheet.values]


def test_the_excel_list_holds_each_attendee_with_state_and_mark(organiser_client, marked):
    session = marked.session

    response = organiser_client.get(f"{list_url(session)}/attendance.xlsx")

    assert response.status_code == 200
    assert 'filename="attendance-session-' in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == [
        "Name", "Organisation", "Stakeholder group", "Deputy for", "Status", "Marked at",
        "Listed as",
    ]  # fmt: skip
    by_name = {row[0]: row for row in rows[1:]}
    anna = by_name[marked.anna.full_name]
    assert anna[4] == "present" and anna[6] == "Expert"
    mark = attendee_of(session, marked.anna).marked_at
    shift = (anna[5] - mark.replace(tzinfo=None)).total_seconds()
    assert anna[5].tzinfo is None and round(shift) in (3600, 7200)  # Berlin time, not UTC
    erik = by_name[marked.erik.full_name]
    assert erik[3] == marked.claire.full_name and erik[4] == "excused"
    guest = next(row for row in rows[1:] if row[6] == "Guest")
    assert guest[0] == '=HYPERLINK("http://x","y")' and guest[1] == "Presse"
    cell = openpyxl.load_workbook(io.BytesIO(response.data)).active.cell(len(rows), 1)
    assert cell.data_type == "s"


def test_the_filters_choose_the_rows_and_the_csv_is_for_german_excel(organiser_client, marked):
    session = marked.session

    page = organiser_client.get(list_url(session), query_string={"status": "present"})
    response = organiser_client.get(
        f"{list_url(session)}/attendance.csv", query_string={"status": "present"}
    )

    assert f"{list_url(session)}/attendance.csv?status=present" in page.text
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    # Experts first, then guests (who are present when added).
    assert [row[0] for row in rows[1:]] == [marked.anna.full_name, '\'=HYPERLINK("http://x","y")']


def test_the_guests_formula_stays_text_in_the_csv(organiser_client, marked):
    response = organiser_client.get(f"{list_url(marked.session)}/attendance.csv")

    text = response.data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ';"=HYPERLINK' not in text


def test_signed_out_visitors_get_no_list(client, marked):
    response = client.get(f"{list_url(marked.session)}/attendance.xlsx")

    assert response.status_code == 302 and "/login" in response.headers["Location"]
