"""The provenance pages: a clause's origins with links to its session and minutes PDF, a
session's recommendations per charter, the links to them, 404s and bounded queries."""

import re

import flask_babel
import pytest
import sqlalchemy as sa

from eventsys.charters.models import Clause
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db
from eventsys.minutes.models import Minutes
from tests.charters.conftest import FIRST_HELD_ON, SECOND_HELD_ON, clause_from, hold_workshop
from tests.charters.test_provenance import assign_by_guideline, freeze_as, merge_directly
from tests.conftest import TEST_PASSWORD, page_text, sign_in
from tests.invitations.conftest import make_session


def clause_url(charter, clause) -> str:
    return f"/charters/{charter.id}/clauses/{clause.id}/provenance"


def session_url(session) -> str:
    return f"/charters/sessions/{session.id}"


def origin_items(response) -> dict[str, str]:
    """The rendered origins of a page, by recommendation number."""
    html = response.get_data(as_text=True)
    return dict(
        re.findall(r'<li class="origin" data-recommendation="([^"]+)">(.*?)</li>', html, re.S)
    )


def session_rows(response, charter) -> dict[str, str]:
    """The rows of the table of one charter on the session page, by recommendation number."""
    html = response.get_data(as_text=True)
    section = re.search(rf'<section [^>]*id="charter-{charter.id}">(.*?)</section>', html, re.S)
    assert section, f"no table for charter {charter.id}"
    return dict(re.findall(r'<tr data-recommendation="([^"]+)">(.*?)</tr>', section.group(1), re.S))


def sign_in_in_english(client, user) -> None:
    """Sign in as `user` reading in English, whose texts are the msgids themselves.

    The test shares its app context, and so Flask-Babel's cached locale, with the requests;
    setting up the records may have cached German already."""
    user.language = "en"
    db.session.commit()
    flask_babel.refresh()
    sign_in(client, user)


def test_the_clause_page_links_the_session_the_minutes_pdf_and_the_versions(
    admin_client, charter, workshops
):
    assign_by_guideline(charter)
    freeze_as(charter, 0, 1)
    freeze_as(charter, 0, 2)
    clause = clause_from(charter, f"E-{workshops.first.id}.2.1")

    response = admin_client.get(clause_url(charter, clause))

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    origin = origin_items(response)[f"E-{workshops.first.id}.2.1"]
    assert f'href="/sessions/{workshops.first.id}"' in origin
    assert f'href="/minutes/session/{workshops.first.id}/versions/1.pdf"' in origin
    assert "12.03.2026" in origin
    assert "Workshop Strategien" in origin and "Datenräume" in origin
    assert f'href="/charters/{charter.id}/versions/0.1"' in html
    assert f'href="/charters/{charter.id}/versions/0.2"' in html
    assert re.search(r"<h1>[^<]*3\.1[^<]*Smart City Charta", html)
    versions = re.search(r'<table class="table" id="clause-versions">.*?</table>', html, re.S)
    assert versions.group(0).count("<td>3.1</td>") == 2


def test_the_wording_in_the_minutes_appears_once_the_charter_words_it_differently(
    admin_client, charter, workshops
):
    number = f"E-{workshops.first.id}.1.1"
    clause = clause_from(charter, number)
    original = clause.text_de

    assert original not in origin_items(admin_client.get(clause_url(charter, clause)))[number]

    clause.text_de = "Jede Kommune gibt sich eine Digitalstrategie mit messbaren Zielen."
    db.session.commit()
    assert original in origin_items(admin_client.get(clause_url(charter, clause)))[number]


def test_the_clause_page_shows_merges_both_ways(admin_client, charter, workshops):
    assign_by_guideline(charter)
    target = clause_from(charter, f"E-{workshops.first.id}.2.1")
    duplicate = clause_from(charter, f"E-{workshops.second.id}.1.2")
    merge_directly(duplicate, target)

    target_page = admin_client.get(clause_url(charter, target))
    duplicate_page = admin_client.get(clause_url(charter, duplicate))

    assert set(origin_items(target_page)) == {
        f"E-{workshops.first.id}.2.1",
        f"E-{workshops.second.id}.1.2",
    }
    merged_from = re.search(
        r'<ul id="merged-from">(.*?)</ul>', target_page.get_data(as_text=True), re.S
    )
    assert f'href="{clause_url(charter, duplicate)}"' in merged_from.group(1)
    merged_into = re.search(
        r'<p id="merged-into">(.*?)</p>', duplicate_page.get_data(as_text=True), re.S
    )
    assert f'href="{clause_url(charter, target)}"' in merged_into.group(1)
    assert "3.1" in merged_into.group(1)
    assert origin_items(duplicate_page) == {}


def test_a_set_aside_clause_shows_the_reason(client, staff, charter, workshops):
    clause = clause_from(charter, f"E-{workshops.second.id}.2.1")
    clause.status = ClauseStatus.SET_ASIDE
    clause.set_aside_reason = "Gehört in die Datenstrategie."
    db.session.commit()
    sign_in_in_english(client, staff.secretariat)

    response = client.get(clause_url(charter, clause))

    status = re.search(r'<dd id="clause-status">(.*?)</dd>', response.get_data(as_text=True), re.S)
    assert "set aside" in status.group(1)
    assert "Gehört in die Datenstrategie." in status.group(1)


def test_unknown_or_foreign_clauses_are_not_found(admin_client, charter, workshops, staff):
    from eventsys.charters import charters

    other = charters.create_charter("Datenstrategie", "", staff.admin)
    db.session.commit()
    foreign = db.session.scalars(sa.select(Clause).where(Clause.charter_id == other.id)).first()
    clause = clause_from(charter, f"E-{workshops.first.id}.1.1")

    assert admin_client.get(clause_url(charter, foreign)).status_code == 404
    assert admin_client.get(f"/charters/{charter.id}/clauses/99999/provenance").status_code == 404
    assert admin_client.get(f"/charters/99999/clauses/{clause.id}/provenance").status_code == 404
    assert admin_client.get("/charters/sessions/99999").status_code == 404


def test_the_session_page_shows_each_recommendation_per_charter(admin_client, charter, workshops):
    assign_by_guideline(charter)
    freeze_as(charter, 0, 1)
    aside = clause_from(charter, f"E-{workshops.first.id}.1.2")
    aside.status = ClauseStatus.SET_ASIDE
    aside.chapter = None
    aside.set_aside_reason = "Doppelt mit Leitlinie 3."
    db.session.commit()
    first = workshops.first

    response = admin_client.get(session_url(first))

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'href="/minutes/session/{first.id}"' in html
    assert f'href="/minutes/session/{first.id}/versions/1.pdf"' in html
    assert f'href="/sessions/{first.id}"' in html
    rows = session_rows(response, charter)
    assert list(rows) == [f"E-{first.id}.1.1", f"E-{first.id}.1.2", f"E-{first.id}.2.1"]
    assigned = rows[f"E-{first.id}.1.1"]
    assert "1.1" in assigned
    assert f'href="/charters/{charter.id}/versions/0.1"' in assigned
    assigned_clause = clause_from(charter, f"E-{first.id}.1.1")
    assert f'href="{clause_url(charter, assigned_clause)}"' in assigned
    assert "Doppelt mit Leitlinie 3." in rows[f"E-{first.id}.1.2"]
    assert (
        "Kommunale Datenräume werden als offene Infrastruktur gefördert."
        in rows[f"E-{first.id}.2.1"]
    )


def test_a_session_without_approved_minutes_gets_a_friendly_page(admin_client, staff):
    session = make_session("Plenum", starts_at=FIRST_HELD_ON)
    db.session.commit()

    response = admin_client.get(session_url(session))

    assert response.status_code == 200
    assert 'id="no-approved-minutes"' in response.get_data(as_text=True)
    assert "<table" not in response.get_data(as_text=True)


def test_the_session_page_links_to_the_provenance_once_minutes_are_approved(
    admin_client, workshops, staff
):
    draft = make_session("Plenum", starts_at=FIRST_HELD_ON)
    db.session.add(Minutes(session=draft))
    db.session.commit()

    approved_page = admin_client.get(f"/sessions/{workshops.first.id}").get_data(as_text=True)
    draft_page = admin_client.get(f"/sessions/{draft.id}").get_data(as_text=True)

    assert f'href="{session_url(workshops.first)}"' in approved_page
    assert session_url(draft) not in draft_page


def test_the_minutes_panel_links_to_the_provenance_once_approved(admin_client, workshops, staff):
    draft = make_session("Plenum", starts_at=FIRST_HELD_ON)
    db.session.commit()

    approved_page = admin_client.get(f"/minutes/session/{workshops.first.id}")
    draft_page = admin_client.get(f"/minutes/session/{draft.id}")

    assert approved_page.status_code == 200 and draft_page.status_code == 200
    assert f'href="{session_url(workshops.first)}"' in approved_page.get_data(as_text=True)
    assert session_url(draft) not in draft_page.get_data(as_text=True)


def test_english_pages_read_in_english(client, staff, charter, workshops):
    assign_by_guideline(charter)
    freeze_as(charter, 0, 1)
    clause = clause_from(charter, f"E-{workshops.first.id}.2.1")
    clause.text_de = "Datenräume werden gefördert."
    db.session.commit()
    sign_in_in_english(client, staff.secretariat)

    clause_page = page_text(client.get(clause_url(charter, clause)))
    session_page = page_text(client.get(session_url(workshops.first)))

    assert "Origin of recommendation 3.1 in “Smart City Charter”" in clause_page
    assert "Wording in the minutes: Kommunale Datenräume" in clause_page
    assert "Minutes version 1 (PDF)" in clause_page
    assert "Charter provenance: Workshop Strategien" in session_page
    assert "chapter 3, number 3.1" in session_page


def test_the_clause_page_needs_as_many_queries_for_5_origins_and_4_versions_as_for_1(
    admin_client, charter, workshops, count_queries
):
    assign_by_guideline(charter)
    freeze_as(charter, 0, 1)
    target = clause_from(charter, f"E-{workshops.first.id}.1.1")
    url = clause_url(charter, target)
    admin_client.get(url)
    db.session.expire_all()
    with count_queries() as small:
        assert admin_client.get(url).status_code == 200

    for number in (
        f"E-{workshops.first.id}.1.2",
        f"E-{workshops.second.id}.1.1",
        f"E-{workshops.second.id}.1.2",
        f"E-{workshops.second.id}.2.1",
    ):
        merge_directly(clause_from(charter, number), target)
    for minor in (2, 3, 4):
        freeze_as(charter, 0, minor)
    db.session.expire_all()
    with count_queries() as large:
        response = admin_client.get(url)

    assert len(origin_items(response)) == 5
    assert response.get_data(as_text=True).count(f"/charters/{charter.id}/versions/0.") == 4
    assert large.count == small.count


def test_the_session_page_needs_as_many_queries_for_12_recommendations_as_for_2(
    admin_client, staff, count_queries
):
    from eventsys.charters import charters

    small_session, _ = hold_workshop(
        "Workshop klein",
        FIRST_HELD_ON,
        [("Daten", [(3, "Offene Daten."), (1, "Eine Strategie.")])],
        [],
        staff.organiser,
    )
    large_session, _ = hold_workshop(
        "Workshop groß",
        SECOND_HELD_ON,
        [
            (f"Thema {topic}", [((n % 4) + 1, f"Empfehlung {topic}.{n}.") for n in range(1, 5)])
            for topic in range(1, 4)
        ],
        [],
        staff.organiser,
    )
    charter = charters.create_charter("Smart City Charta", "", staff.admin)
    charters.create_charter("Datenstrategie", "", staff.admin)
    db.session.commit()
    assign_by_guideline(charter)
    freeze_as(charter, 0, 1)
    freeze_as(charter, 0, 2)
    for session in (small_session, large_session):
        admin_client.get(session_url(session))

    db.session.expire_all()
    with count_queries() as small:
        small_page = admin_client.get(session_url(small_session))
    db.session.expire_all()
    with count_queries() as large:
        large_page = admin_client.get(session_url(large_session))

    assert len(session_rows(small_page, charter)) == 2
    assert len(session_rows(large_page, charter)) == 12
    assert large.count == small.count


@pytest.mark.browser
def test_the_provenance_pages_pass_axe(page, staff, charter, workshops, axe):
    assign_by_guideline(charter)
    freeze_as(charter, 0, 1)
    target = clause_from(charter, f"E-{workshops.first.id}.2.1")
    target.text_de = "Datenräume der Kommunen werden gefördert."
    aside = clause_from(charter, f"E-{workshops.first.id}.1.2")
    aside.status = ClauseStatus.SET_ASIDE
    aside.set_aside_reason = "Doppelt."
    db.session.commit()
    merge_directly(clause_from(charter, f"E-{workshops.second.id}.1.2"), target)
    page.goto("/login")
    page.locator("#email").fill(staff.secretariat.email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url("**/")

    page.goto(session_url(workshops.first))
    axe.check(page)
    page.get_by_role("link", name=re.compile(f"E-{workshops.first.id}.2.1")).click()
    page.wait_for_url(f"**{clause_url(charter, target)}")
    axe.check(page)
    page.goto(f"/sessions/{workshops.first.id}")
    axe.check(page)
    page.locator("#charter-provenance-link a").click()
    page.wait_for_url(f"**{session_url(workshops.first)}")
    assert len(axe.checked) == 3
