"""The sign-in sheet for the door: who is expected, sorted by surname, room to sign, blank rows."""

import re
from datetime import UTC, datetime

import pytest

from eventsys.attendance.models import Attendee
from eventsys.attendance.sign_in_sheet import BLANK_ROWS, sign_in_sheet_pdf
from eventsys.attendance.states import AttendanceStatus
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import AttendanceMode, Response
from tests.invitations.conftest import make_expert
from tests.minutes.conftest import make_people, make_plenary
from tests.pdf.pdf_contents import page_texts, reader

A4_POINTS = (595.28, 841.89)


def whole_text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", " ".join(page_texts(pdf)))


def numbered_rows(text: str) -> list[int]:
    """The row numbers in the table, in order (each row starts with its number)."""
    table = re.sub(r"Page \d+ of \d+", " ", text[text.index("Signature") :])
    return [int(number) for number in re.findall(r"(?:^| )(\d{1,3})(?= |$)", table)]


def test_from_the_attendance_list_everyone_expected_sorted_by_surname(record):
    text = whole_text(sign_in_sheet_pdf(record.session, "en"))

    rows = [
        "Brandt, Dieter deputy for Erika Zeller Deutscher Städtetag Municipal umbrella",
        "Gisela Gast Presse",
        "Schmidt, Dr. Anna Stadt Köln Cities, districts and municipalities",
        "Tremblay, Claire Housing Canada International partners",
    ]
    positions = [text.find(row) for row in rows]
    assert -1 not in positions, [row for row in rows if row not in text]
    assert positions == sorted(positions)
    # Excused or absent: not expected at the door.
    for name in ("Vogel", "Zeller, Erika", "Ohnesorg"):
        assert name not in text


def test_has_letterhead_session_columns_and_blank_rows_for_guests(record):
    pdf = sign_in_sheet_pdf(record.session, "en")
    first_page = re.sub(r"\s+", " ", page_texts(pdf)[0])

    assert "Dialogplattform Smart Cities" in first_page
    assert "Sign-in sheet 5. Plenum der Dialogplattform" in first_page
    assert "12 Mar 2026" in first_page
    assert "10:00 – 16:00" in first_page
    assert "Krausenstraße 17–18, 10117 Berlin, Saal 2" in first_page
    assert "No. Name Organisation Stakeholder group Signature" in first_page
    assert "Page 1 of 1" in first_page
    assert numbered_rows(first_page) == list(range(1, 4 + BLANK_ROWS + 1))
    metadata = reader(pdf).metadata
    assert metadata.title == "Sign-in sheet: 5. Plenum der Dialogplattform"


def test_german_sheet_has_german_date_and_time(record):
    pdf = sign_in_sheet_pdf(record.session, "de")
    first_page = page_texts(pdf)[0]

    assert "12.03.2026" in first_page
    assert "10:00 – 16:00 Uhr" in first_page
    assert "Städte, Kreise und Gemeinden" in first_page
    assert reader(pdf).trailer["/Root"]["/Lang"] == "de"


def test_a_long_list_runs_over_pages_with_the_header_on_each(record):
    for number in range(40):
        expert = make_expert(f"Vorname{number}", f"Nachname{number:02d}", record.people.bbsr)
        db.session.add(Attendee(session=record.session, expert=expert))
    db.session.commit()

    pdf = sign_in_sheet_pdf(record.session, "en")
    texts = page_texts(pdf)

    assert len(texts) >= 3
    for number, text in enumerate(texts, start=1):
        assert "Signature" in text
        assert f"Page {number} of {len(texts)}" in text
    for page in reader(pdf).pages:
        size = (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))
        assert size == A4_POINTS
    assert numbered_rows(whole_text(pdf))[-1] == 44 + BLANK_ROWS


@pytest.fixture
def invited(app):
    """A session without an attendance list yet, and every kind of answer to its invitations."""
    people = make_people()
    session = make_plenary(["Begrüßung"])
    invitations = {
        "accepted": Invitation(session=session, expert=people.anna, response=Response.ACCEPTED),
        "tentative": Invitation(session=session, expert=people.bernd, response=Response.TENTATIVE),
        "online": Invitation(
            session=session,
            expert=people.claire,
            response=Response.ACCEPTED,
            attendance_mode=AttendanceMode.ONLINE,
        ),
        "declined": Invitation(session=session, expert=people.frank, response=Response.DECLINED),
        "waitlisted": Invitation(
            session=session,
            expert=make_expert("Wilma", "Warteliste", people.koeln),
            response=Response.ACCEPTED,
            waitlisted_at=datetime(2026, 3, 1, tzinfo=UTC),
        ),
        "unanswered": Invitation(
            session=session, expert=make_expert("Ulla", "Unentschieden", people.koeln)
        ),
        "deputy": Invitation(session=session, expert=people.dieter),
    }
    invitations["delegating"] = Invitation(
        session=session,
        expert=people.erika,
        response=Response.DELEGATED,
        delegated_to=invitations["deputy"],
    )
    db.session.add_all(invitations.values())
    db.session.commit()
    return session


def test_before_the_list_exists_those_who_accepted_and_named_deputies(invited):
    text = whole_text(sign_in_sheet_pdf(invited, "en"))

    assert "Schmidt, Dr. Anna" in text  # accepted
    assert "Vogel, Bernd" in text  # tentative: may come, so has a line
    assert "Brandt, Dieter deputy for Erika Zeller" in text  # the deputy Erika named
    assert text.index("Brandt") < text.index("Schmidt") < text.index("Vogel")
    for name in ("Tremblay", "Ohnesorg", "Warteliste", "Unentschieden", "Zeller, Erika"):
        assert name not in text
    assert numbered_rows(text) == list(range(1, 3 + BLANK_ROWS + 1))


def test_online_attendees_on_the_list_do_not_sign(record):
    invitation = Invitation(
        session=record.session,
        expert=record.people.claire,
        response=Response.ACCEPTED,
        attendance_mode=AttendanceMode.ONLINE,
    )
    attendee = db.session.scalar(
        db.select(Attendee).where(Attendee.expert_id == record.people.claire.id)
    )
    attendee.invitation = invitation
    attendee.status = AttendanceStatus.EXPECTED
    db.session.commit()

    text = whole_text(sign_in_sheet_pdf(record.session, "en"))

    assert "Tremblay" not in text
    assert "Schmidt, Dr. Anna" in text


def test_a_session_nobody_accepted_still_has_blank_rows(app):
    session = make_plenary(["Begrüßung"])
    db.session.commit()

    text = whole_text(sign_in_sheet_pdf(session, "en"))

    assert numbered_rows(text) == list(range(1, BLANK_ROWS + 1))
