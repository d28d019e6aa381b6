"""The attendance list and check-in pages, as the organisers and the secretariat use them.

The staff accounts read English here, so that the assertions on wording hold once the German
catalogue translates the strings.
"""

import re

import pytest
import sqlalchemy as sa

from eventsys.attendance import services
from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.audit.models import AuditEntry
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations import services as invitations
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Channel, Response
from tests.conftest import page_text, reading_english
from tests.invitations.conftest import (
    invitation_of,
    make_expert,
    make_organisation,
    make_session,
)


@pytest.fixture
def staff(staff):
    return reading_english(staff)


def list_url(session) -> str:
    return f"/sessions/{session.id}/attendance"


def mark_url(attendee: Attendee) -> str:
    return f"/sessions/{attendee.session_id}/attendance/{attendee.id}/mark"


def attendee_of(session, expert) -> Attendee:
    return db.session.scalar(
        sa.select(Attendee).where(Attendee.session_id == session.id, Attendee.expert == expert)
    )


def row_text(response, attendee: Attendee) -> str:
    match = re.search(rf'<tr id="attendee-{attendee.id}">(.*?)</tr>', response.text, re.S)
    assert match, f"no row for {attendee}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def audit_actions(entity_type: str = "attendees") -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.entity_type == entity_type)
            .order_by(AuditEntry.id)
        )
    )


JSON = {"Accept": "application/json"}


def test_first_visit_lists_who_answered_once(organiser_client, answered):
    session = answered.session
    response = organiser_client.get(list_url(session))
    assert response.status_code == 200
    db.session.expire_all()

    listed = {a.display_name: a.status for a in services.attendees_of(session)}
    assert listed == {
        answered.erik.full_name: AttendanceStatus.EXPECTED,
        answered.anna.full_name: AttendanceStatus.EXPECTED,
        answered.claire.full_name: AttendanceStatus.EXCUSED,
        answered.bernd.full_name: AttendanceStatus.EXCUSED,
    }
    assert answered.dora.full_name not in listed  # no answer, not on the list
    text = page_text(response)
    assert "4 people on the list: present 0 · excused 2 · absent 0 · expected 2" in text
    assert audit_actions("sessions") == ["attendance.prefilled"]

    organiser_client.get(list_url(session))
    organiser_client.get(f"{list_url(session)}/check-in")
    assert len(services.attendees_of(session)) == 4
    assert audit_actions("sessions") == ["attendance.prefilled"]


def test_deputies_are_shown_standing_in_for_the_expert(secretariat_client, answered):
    session = answered.session
    response = secretariat_client.get(list_url(session))
    erik = attendee_of(session, answered.erik)
    claire = attendee_of(session, answered.claire)

    assert "standing in for Claire Tremblay" in row_text(response, erik)
    assert "standing in for" not in row_text(response, claire)
    check_in = page_text(secretariat_client.get(f"{list_url(session)}/check-in"))
    assert "Erik Berg Housing Canada standing in for Claire Tremblay" in check_in


def test_the_take_over_button_adds_newcomers_and_keeps_the_marks(organiser_client, answered):
    session = answered.session
    organiser_client.get(list_url(session))
    anna = attendee_of(session, answered.anna)
    organiser_client.post(mark_url(anna), data={"status": "present"})
    invitations.record_answer(
        invitation_of(session, answered.dora), Response.TENTATIVE, Channel.MANUAL
    )
    db.session.commit()

    response = organiser_client.post(f"{list_url(session)}/prefill", follow_redirects=True)

    assert "1 person has been added from the answers." in page_text(response)
    db.session.expire_all()
    assert attendee_of(session, answered.anna).status == AttendanceStatus.PRESENT
    assert attendee_of(session, answered.dora).status == AttendanceStatus.EXPECTED
    again = organiser_client.post(f"{list_url(session)}/prefill", follow_redirects=True)
    assert "Everyone who has answered is already on the list." in page_text(again)


def test_an_empty_session_shows_an_empty_list(organiser_client, platform):
    response = organiser_client.get(list_url(platform.session))
    assert response.status_code == 200
    assert "Nobody is on the list yet." in page_text(response)
    check_in = organiser_client.get(f"{list_url(platform.session)}/check-in")
    assert "Nobody is on the list yet" in page_text(check_in)


def test_marking_without_script_saves_and_returns_to_the_row(secretariat_client, staff, answered):
    session = answered.session
    secretariat_client.get(list_url(session))
    anna = attendee_of(session, answered.anna)

    response = secretariat_client.post(mark_url(anna), data={"status": "present"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/check-in#attendee-{anna.id}")
    page = page_text(secretariat_client.get(response.headers["Location"]))
    assert "Dr. Anna Schmidt: present." in page
    db.session.expire_all()
    anna = attendee_of(session, answered.anna)
    assert anna.status == AttendanceStatus.PRESENT
    assert anna.marked_by == staff.secretariat and anna.marked_at is not None
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "attendance.marked")
    ).one()
    assert (entry.entity_id, entry.actor_label) == (anna.id, staff.secretariat.email)
    assert entry.changes == {"status": ["expected", "present"]}


def test_marking_by_script_answers_with_the_new_state_and_counts(organiser_client, answered):
    session = answered.session
    organiser_client.get(list_url(session))
    anna = attendee_of(session, answered.anna)

    response = organiser_client.post(mark_url(anna), data={"status": "absent"}, headers=JSON)

    assert response.status_code == 200
    assert response.json == {
        "id": anna.id,
        "status": "absent",
        "label": "absent",
        "message": "Dr. Anna Schmidt: absent.",
        "counts": {"expected": 1, "present": 0, "excused": 2, "absent": 1},
    }
    db.session.expire_all()
    assert attendee_of(session, answered.anna).status == AttendanceStatus.ABSENT


@pytest.mark.parametrize("status", ["", "expected", "late", "PRESENT"])
def test_an_unknown_state_is_refused_with_a_clear_message(organiser_client, answered, status):
    session = answered.session
    organiser_client.get(list_url(session))
    anna = attendee_of(session, answered.anna)

    by_script = organiser_client.post(mark_url(anna), data={"status": status}, headers=JSON)
    by_form = organiser_client.post(mark_url(anna), data={"status": status}, follow_redirects=True)

    assert by_script.status_code == 400
    assert by_script.json == {"error": "Please choose present, excused or absent."}
    assert by_form.status_code == 200
    assert "Please choose present, excused or absent." in page_text(by_form)
    db.session.expire_all()
    assert attendee_of(session, answered.anna).status == AttendanceStatus.EXPECTED


def test_an_attendee_of_another_session_is_not_found_here(organiser_client, answered):
    other = make_session("Plenum", status=answered.session.status)
    db.session.flush()
    guest = services.add_guest(other, "Gisela Gast", "", None, None)
    db.session.commit()
    here = list_url(answered.session)

    by_form = organiser_client.post(f"{here}/{guest.id}/mark", data={"status": "absent"})
    by_script = organiser_client.post(
        f"{here}/{guest.id}/mark", data={"status": "absent"}, headers=JSON
    )
    removed = organiser_client.post(f"{here}/{guest.id}/remove")
    unknown = organiser_client.post(f"{here}/999999/mark", data={"status": "absent"})

    assert by_form.status_code == by_script.status_code == removed.status_code == 404
    assert by_script.json == {"error": "This person is not on the list of this session."}
    assert unknown.status_code == 404
    db.session.expire_all()
    assert db.session.get(Attendee, guest.id).status == AttendanceStatus.PRESENT
    assert organiser_client.get("/sessions/999999/attendance").status_code == 404


def test_a_guest_is_added_and_counted_in_their_group(organiser_client, answered):
    session = answered.session
    organiser_client.get(list_url(session))

    response = organiser_client.post(
        f"{list_url(session)}/guests",
        data={
            "name": "  Maria   Gast ",
            "organisation": "Stadt Jena",
            "stakeholder_group": "municipalities",
        },
        follow_redirects=True,
    )

    text = page_text(response)
    assert "Maria Gast has been added as a guest." in text
    guest = db.session.scalar(sa.select(Attendee).where(Attendee.guest_name == "Maria Gast"))
    assert guest.guest_stakeholder_group == StakeholderGroup.MUNICIPALITIES
    assert guest.status == AttendanceStatus.PRESENT
    row = row_text(response, guest)
    assert "Guest" in row and "Stadt Jena" in row and "Cities, districts and municipalities" in row
    assert "attendance.guest_added" in audit_actions()
    # Köln's Anna (expected) and the guest (present) are both cities.
    assert "Cities, districts and municipalities 1 0 0 1 2" in text


def test_a_guest_without_group_is_counted_apart(organiser_client, answered):
    session = answered.session
    response = organiser_client.post(
        f"{list_url(session)}/guests",
        data={"name": "Ohne Gruppe", "organisation": "", "stakeholder_group": ""},
        follow_redirects=True,
    )
    assert "no stakeholder group stated 1 0 0 0 1" in page_text(response)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "organisation": "Stadt Jena"}, "Please enter the guest's name."),
        ({"name": "   ", "organisation": ""}, "Please enter the guest's name."),
        ({"name": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"name": "Eva\r\nBcc: x@example.org"}, "This field must fit on one line"),
        ({"name": "Eva", "stakeholder_group": "aliens"}, "Not a valid choice."),
    ],
    ids=["empty", "blank", "too-long", "line-break", "unknown-group"],
)
def test_a_bad_guest_is_refused_with_a_clear_message(organiser_client, answered, data, message):
    session = answered.session
    organiser_client.get(list_url(session))

    response = organiser_client.post(f"{list_url(session)}/guests", data=data)

    assert response.status_code == 200
    assert message in page_text(response)
    assert 'aria-invalid="true"' in response.text
    assert db.session.scalar(sa.select(sa.func.count()).where(Attendee.expert_id.is_(None))) == 0


def test_an_invited_expert_who_is_not_listed_is_offered_first_and_added(organiser_client, answered):
    session = answered.session
    page = organiser_client.get(list_url(session)).text
    invited = re.search(r'<optgroup label="Invited, not on the list">(.*?)</optgroup>', page, re.S)
    assert invited and "Alt, Dora (Stadt Köln)" in invited.group(1)
    assert "Schmidt, Anna" not in page.split('id="add-expert"')[1]  # already listed

    response = organiser_client.post(
        f"{list_url(session)}/experts", data={"expert_id": str(answered.dora.id)}
    )
    assert response.status_code == 302
    dora = attendee_of(session, answered.dora)
    assert dora.status == AttendanceStatus.PRESENT
    assert "added on the day" in row_text(organiser_client.get(list_url(session)), dora)
    assert "attendance.added" in audit_actions()


@pytest.mark.parametrize("choice", ["", "abc", "999999", "anna"])
def test_a_bad_expert_choice_is_refused_with_a_clear_message(organiser_client, answered, choice):
    session = answered.session
    organiser_client.get(list_url(session))
    value = str(answered.anna.id) if choice == "anna" else choice  # anna is listed already

    response = organiser_client.post(f"{list_url(session)}/experts", data={"expert_id": value})

    assert response.status_code == 200
    assert "Please choose an expert from the list who is not listed yet." in page_text(response)
    assert len(services.attendees_of(session)) == 4


def test_guests_added_by_mistake_can_be_removed_but_not_those_who_answered(
    organiser_client, answered
):
    session = answered.session
    organiser_client.get(list_url(session))
    guest = services.add_guest(session, "Falsch Eingetragen", "", None, None)
    db.session.commit()
    anna = attendee_of(session, answered.anna)
    guest_id = guest.id

    removed = organiser_client.post(f"{list_url(session)}/{guest_id}/remove", follow_redirects=True)
    refused = organiser_client.post(f"{list_url(session)}/{anna.id}/remove", follow_redirects=True)

    assert "Falsch Eingetragen has been removed from the list." in page_text(removed)
    assert "was listed from the answers and cannot be removed" in page_text(refused)
    db.session.expire_all()
    assert db.session.get(Attendee, guest_id) is None
    assert attendee_of(session, answered.anna) is not None
    assert "attendance.removed" in audit_actions()


def test_at_the_end_of_the_day_everyone_still_expected_is_marked_absent(organiser_client, answered):
    session = answered.session
    organiser_client.get(list_url(session))
    organiser_client.post(mark_url(attendee_of(session, answered.anna)), data={"status": "present"})

    response = organiser_client.post(f"{list_url(session)}/close", follow_redirects=True)

    assert "1 person still expected has been marked absent." in page_text(response)
    db.session.expire_all()
    statuses = {a.display_name: a.status for a in services.attendees_of(session)}
    assert statuses[answered.anna.full_name] == AttendanceStatus.PRESENT
    assert statuses[answered.erik.full_name] == AttendanceStatus.ABSENT
    assert statuses[answered.bernd.full_name] == AttendanceStatus.EXCUSED
    assert "Mark everyone still expected as absent" not in response.text


def test_totals_by_stakeholder_group(organiser_client, answered):
    session = answered.session
    organiser_client.get(list_url(session))
    organiser_client.post(mark_url(attendee_of(session, answered.anna)), data={"status": "present"})
    organiser_client.post(mark_url(attendee_of(session, answered.erik)), data={"status": "absent"})

    text = page_text(organiser_client.get(list_url(session)))

    # Columns: present, excused, absent, expected, total.
    assert "Cities, districts and municipalities 1 0 0 0 1" in text
    assert "Science organisations 0 1 0 0 1" in text
    assert "International partners 0 1 1 0 2" in text
    assert "Total 1 2 1 0 4" in text


def test_the_pages_link_each_other_and_the_sign_in_sheet(organiser_client, answered):
    session = answered.session
    show = organiser_client.get(f"/sessions/{session.id}").text
    assert f'href="/sessions/{session.id}/attendance"' in show
    listing = organiser_client.get(list_url(session)).text
    assert f'href="/sessions/{session.id}/attendance/check-in"' in listing
    assert f'href="/sessions/{session.id}/attendance/sign-in-sheet.pdf"' in listing
    check_in = organiser_client.get(f"{list_url(session)}/check-in").text
    assert f'href="/sessions/{session.id}/attendance#add-guest"' in check_in
    assert "/static/js/check-in.js" in check_in


def crowd(session, count: int) -> None:
    """`count` experts from several groups who accepted, every third sending a deputy."""
    groups = list(StakeholderGroup)
    for number in range(count):
        group = groups[number % len(groups)]
        organisation = make_organisation(
            f"Organisation {session.id}-{number}",
            group,
            country="FR" if group == StakeholderGroup.INTERNATIONAL_PARTNERS else None,
        )
        expert = make_expert(f"Vorname{number}", f"Name{session.id}x{number}", organisation)
        invitation = Invitation(session=session, expert=expert, response=Response.ACCEPTED)
        if number % 3 == 2:
            deputy = make_expert(f"Vertreter{number}", f"Name{session.id}y{number}", organisation)
            invitation.response = Response.DELEGATED
            invitation.delegated_to = Invitation(session=session, expert=deputy)
        db.session.add(invitation)
    db.session.flush()
    services.prefill(session)
    services.add_guest(session, f"Gast {session.id}", "Presse", None, None)
    db.session.commit()


def statements_for(client, count_queries, url: str) -> int:
    db.session.expire_all()
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


# The check-in page counts the people its search finds, for its page links.
@pytest.mark.parametrize(("page", "bound"), [("", 10), ("/check-in", 8)])
def test_page_queries_do_not_grow_with_the_list(
    organiser_client, platform, count_queries, page, bound
):
    small = make_session("Kleine Runde")
    large = make_session("Großes Plenum")
    db.session.flush()
    crowd(small, 3)
    crowd(large, 30)
    assert len(services.attendees_of(large)) == 30 + 10 + 1

    few = statements_for(organiser_client, count_queries, list_url(small) + page)
    many = statements_for(organiser_client, count_queries, list_url(large) + page)

    assert many == few
    assert few <= bound
