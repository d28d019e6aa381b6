"""The attendance list and the check-in page with hundreds on the list: a page at a time, the
same number of queries for 10 and 100, search and filters kept across pages, totals of all."""

import html
import re

import pytest
import sqlalchemy as sa

from eventsys.attendance import services
from eventsys.attendance.models import Attendee
from eventsys.attendance.states import AttendanceStatus
from eventsys.experts.models import Expert
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Response
from tests.conftest import page_text, reading_english
from tests.invitations.conftest import make_expert, make_organisation, make_session


@pytest.fixture
def staff(staff):
    return reading_english(staff)


def listed(count: int, tag: str, group=StakeholderGroup.MUNICIPALITIES, session=None):
    """A session with `count` experts who accepted, on the list."""
    session = session or make_session(title=f"Plenum {tag}")
    organisation = make_organisation(f"Organisation {tag}", group)
    for number in range(count):
        expert = make_expert(f"Vorname{tag}{number}", f"Name{tag}{number:04}", organisation)
        db.session.add(Invitation(session=session, expert=expert, response=Response.ACCEPTED))
    db.session.flush()
    services.prefill(session)
    db.session.commit()
    return session


def rows_on(response) -> list[str]:
    return re.findall(r'id="attendee-(\d+)"', response.text)


@pytest.mark.parametrize("page", ["", "/check-in", "/check-in?q=Name", "?status=expected&q=Vor"])
def test_the_same_queries_for_10_and_100_on_the_list(organiser_client, staff, count_queries, page):
    few, many = listed(10, "f"), listed(100, "m")

    def statements(session) -> int:
        db.session.expire_all()
        with count_queries() as counter:
            response = organiser_client.get(f"/sessions/{session.id}/attendance{page}")
        assert response.status_code == 200
        return counter.count

    assert statements(few) == statements(many)


def test_a_long_list_shows_one_small_page_and_counts_everyone(organiser_client, staff):
    session = listed(210, "a")
    listed(20, "s", StakeholderGroup.SCIENCE, session=session)

    first = organiser_client.get(f"/sessions/{session.id}/attendance")
    check_in = organiser_client.get(f"/sessions/{session.id}/attendance/check-in")

    assert len(rows_on(first)) == services.PAGE_SIZE
    assert len(first.data) < 120_000
    text = page_text(first)
    assert "230 people on the list" in text
    assert "Cities, districts and municipalities 0 0 0 210 210" in text
    assert "Science organisations 0 0 0 20 20" in text
    assert "Page 1 of 5" in text
    assert len(rows_on(check_in)) == services.PAGE_SIZE
    assert len(check_in.data) < 150_000
    # One form of marks for the page on the day; one of actions on the list.
    assert check_in.text.count("data-mark-form") == 1
    assert first.text.count('id="attendee-actions"') == 1


def test_search_and_filters_combine_and_survive_the_page_links(organiser_client, staff):
    session = listed(130, "a")
    listed(70, "s", StakeholderGroup.SCIENCE, session=session)
    municipal = db.session.scalars(
        sa.select(Attendee)
        .join(Attendee.expert)
        .where(Attendee.session_id == session.id, Expert.first_name.startswith("Vornamea"))
        .order_by(Attendee.id)
    ).all()
    for attendee in municipal[:60]:
        services.mark(attendee, AttendanceStatus.PRESENT, None)
    db.session.commit()

    url = f"/sessions/{session.id}/attendance?q=Vornamea&status=expected&group=municipalities"
    first = organiser_client.get(url)
    expected = 130 - 60

    assert f"{expected} people found" in page_text(first)
    link = html.unescape(re.search(r'<a href="([^"]*page=2[^"]*)"', first.text).group(1))
    assert "q=Vornamea" in link and "status=expected" in link and "group=municipalities" in link
    second = organiser_client.get(link)
    shown = db.session.scalars(
        sa.select(Attendee).where(Attendee.id.in_([int(i) for i in rows_on(second)]))
    ).all()
    assert len(shown) == expected - services.PAGE_SIZE
    assert all(a.status == AttendanceStatus.EXPECTED for a in shown)
    assert all(a.expert.first_name.startswith("Vornamea") for a in shown)


def test_the_check_in_search_finds_by_name_in_the_whole_list(organiser_client, staff):
    session = listed(220, "a")
    wanted = make_expert("Zoë", "Zander", make_organisation("Stadt Zwickau"))
    db.session.add(Invitation(session=session, expert=wanted, response=Response.ACCEPTED))
    db.session.flush()
    services.prefill(session)
    db.session.commit()

    found = organiser_client.get(f"/sessions/{session.id}/attendance/check-in?q=zander")

    assert len(rows_on(found)) == 1
    assert "Zoë Zander" in page_text(found)
    attendee = db.session.scalar(sa.select(Attendee).where(Attendee.expert == wanted))
    marked = organiser_client.post(
        f"/sessions/{session.id}/attendance/{attendee.id}/mark?q=zander",
        data={"status": "present"},
    )
    assert marked.status_code == 302
    assert "q=zander" in marked.location and marked.location.endswith(f"#attendee-{attendee.id}")


def test_experts_to_add_are_found_by_a_search(organiser_client, staff):
    session = listed(5, "a")
    newcomer = make_expert("Paula", "Neuhaus", make_organisation("Kreis Neu"))
    for number in range(120):
        make_expert(f"Andere{number}", f"Person{number:03}", make_organisation(f"O{number}"))
    db.session.commit()

    page = organiser_client.get(f"/sessions/{session.id}/attendance")
    found = organiser_client.get(f"/sessions/{session.id}/attendance?expert_q=neuhaus")
    many = organiser_client.get(f"/sessions/{session.id}/attendance?expert_q=person")

    assert "Neuhaus" not in page.text  # not invited: only found by a search
    assert "Neuhaus, Paula (Kreis Neu)" in page_text(found)
    options = re.findall(r'<option value="\d+"', many.text.split('id="add-expert"')[1])
    assert len(options) == services.ADDABLE_SHOWN
    added = organiser_client.post(
        f"/sessions/{session.id}/attendance/experts", data={"expert_id": str(newcomer.id)}
    )
    assert added.status_code == 302
    assert db.session.scalar(sa.select(Attendee).where(Attendee.expert == newcomer)) is not None
