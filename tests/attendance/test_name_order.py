"""Names on the attendance list and on the sign-in sheet PDF in the order German readers
expect: Kohl, Köhler, Kohler, Kraemer, Krämer (umlauts as their base letter, titles ignored)."""

import re

from eventsys.attendance import services as attendance
from eventsys.attendance.sign_in_sheet import sign_in_sheet_pdf
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from tests.conftest import page_text
from tests.invitations.conftest import make_expert, make_organisation, make_session
from tests.pdf.pdf_contents import page_texts

# Title, first name, last name, in the order they must appear.
IN_ORDER = [
    ("", "Hans", "Kohl"),
    ("", "Anna", "Köhler"),
    ("Dr.", "Bernd", "Kohler"),
    ("", "Carla", "Kraemer"),
    ("Prof. Dr.", "Dora", "Krämer"),
    ("", "Gerda", "Strauß"),
    ("", "Fritz", "Strausz"),
]


def accepted_by_everyone():
    city = make_organisation("Stadt Köln")
    session = make_session()
    for title, first, last in reversed(IN_ORDER):
        expert = make_expert(first, last, city, title=title)
        db.session.add(Invitation(session=session, expert=expert, response=Response.ACCEPTED))
    db.session.commit()
    return session


def positions(text: str, names: list[str]) -> list[int]:
    found = [text.find(name) for name in names]
    assert -1 not in found, [name for name in names if name not in text]
    return found


def test_the_sign_in_sheet_read_back_from_the_pdf_is_in_german_order(app):
    session = accepted_by_everyone()

    text = re.sub(r"\s+", " ", " ".join(page_texts(sign_in_sheet_pdf(session, "de"))))

    names = [f"{last}, {' '.join(filter(None, (title, first)))}" for title, first, last in IN_ORDER]
    found = positions(text, names)
    assert found == sorted(found)


def test_the_attendance_list_is_in_german_order(organiser_client, staff, app):
    session = accepted_by_everyone()
    attendance.prefill(session)
    db.session.commit()

    text = page_text(organiser_client.get(f"/sessions/{session.id}/attendance"))

    found = positions(text, [last for _, _, last in IN_ORDER])
    assert found == sorted(found)
