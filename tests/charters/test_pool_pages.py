"""The pool at national size: one page of recommendations, found by word and session across
pages, acted on in the page's one form, with the same queries however large the pool is."""

import re

import pytest
import sqlalchemy as sa

from eventsys.charters import pool
from eventsys.charters.models import Clause, ClauseOrigin
from eventsys.charters.pool_queries import POOL_PAGE_SIZE
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db
from tests.charters.test_pool_views import has_error_flash, shown_clause_ids, url
from tests.conftest import page_text, sign_in

# A pool page of 25 recommendations with their origins stays well under this; the whole pool
# of a national charter (4,000) was 13 MiB.
PAGE_BYTES_BOUND = 200_000


@pytest.fixture
def secretariat(client, staff):
    return sign_in(client, staff.secretariat)


def add_recommendations(charter, session, version, count: int, wording: str, start: int = 0):
    """`count` unassigned recommendations from `session`'s minutes, worded `wording` + number."""
    for index in range(start, start + count):
        clause = Clause(charter_id=charter.id, text_de=f"{wording} {index}.")
        db.session.add(clause)
        db.session.add(
            ClauseOrigin(
                charter_id=charter.id,
                clause=clause,
                session_id=session.id,
                minutes_version_id=version.id,
                recommendation_number=f"E-{session.id}.9.{index + 1}",
                topic_position=9,
                topic_title="Weiteres",
                original_text=f"{wording} {index}.",
                guideline_number=index % 4 + 1,
            )
        )
    db.session.commit()


def pages_of(response) -> tuple[int, int] | None:
    found = re.search(r"Seite (\d+) von (\d+)", page_text(response))
    return (int(found[1]), int(found[2])) if found else None


def test_a_large_pool_shows_one_page_within_a_byte_bound(secretariat, charter, workshops):
    add_recommendations(charter, workshops.second, workshops.second_version, 230, "Empfehlung")

    first = secretariat.get(url(charter), query_string={"state": "all"})
    last = secretariat.get(url(charter), query_string={"state": "all", "page": 10})

    assert first.status_code == 200
    assert len(shown_clause_ids(first)) == POOL_PAGE_SIZE
    assert len(first.data) < PAGE_BYTES_BOUND
    assert "236 Handlungsempfehlungen" in page_text(first)
    assert pages_of(first) == (1, 10)
    assert len(shown_clause_ids(last)) == 236 - 9 * POOL_PAGE_SIZE
    assert not set(shown_clause_ids(first)) & set(shown_clause_ids(last))


def test_word_search_state_and_session_combine_across_pages(secretariat, charter, workshops):
    second, version = workshops.second, workshops.second_version
    add_recommendations(charter, second, version, 60, "Wärmenetze ausbauen")
    add_recommendations(charter, second, version, 40, "Radwege planen", start=60)
    set_aside = db.session.scalars(
        sa.select(Clause).where(Clause.text_de.like("Wärmenetze ausbauen 1_.")).order_by(Clause.id)
    ).all()
    for clause in set_aside:
        pool.set_aside(clause, "Doppelt", None)
    db.session.commit()
    wanted = {"q": "WäRMENETZE", "state": "unassigned", "session": str(second.id)}

    first = secretariat.get(url(charter), query_string=wanted)
    third = secretariat.get(url(charter), query_string=wanted | {"page": 2})
    first_session = secretariat.get(
        url(charter), query_string=wanted | {"session": str(workshops.first.id)}
    )
    in_minutes = secretariat.get(url(charter), query_string={"q": "Datenräume", "state": "all"})

    assert "50 Handlungsempfehlungen" in page_text(first)  # 60 less the ten set aside
    assert pages_of(first) == (1, 2)
    # The page links keep the search and the filters.
    link = re.search(r'href="([^"]*page=2[^"]*)"', first.text)[1].replace("&amp;", "&")
    assert "q=W%C3%A4RMENETZE" in link and f"session={second.id}" in link
    assert "state=unassigned" in link
    shown = shown_clause_ids(first) + shown_clause_ids(third)
    assert len(set(shown)) == 50
    texts = db.session.scalars(sa.select(Clause.text_de).where(Clause.id.in_(shown))).all()
    assert all(text.startswith("Wärmenetze ausbauen") for text in texts)
    assert not any(text in {f"Wärmenetze ausbauen {n}." for n in range(10, 20)} for text in texts)
    assert "Keine Handlungsempfehlung entspricht diesen Filtern." in page_text(first_session)
    # The word is found in the wording of the minutes' recommendations too.
    assert len(shown_clause_ids(in_minutes)) == 2


def test_a_typed_percent_sign_is_no_wildcard(secretariat, charter, workshops):
    response = secretariat.get(url(charter), query_string={"q": "%", "state": "all"})
    assert response.status_code == 200
    assert shown_clause_ids(response) == []


@pytest.mark.parametrize("state", ["unassigned", "assigned", "all", "set_aside"])
def test_the_pool_page_needs_as_many_queries_for_100_as_for_10(
    secretariat, charter, workshops, count_queries, state
):
    second, version = workshops.second, workshops.second_version
    add_recommendations(charter, second, version, 4, "Empfehlung")
    pool.assign_suggested(charter, None)
    pool.set_aside(db.session.scalars(sa.select(Clause).order_by(Clause.id)).first(), "X", None)
    db.session.commit()
    secretariat.get(url(charter), query_string={"state": state})
    db.session.expire_all()
    with count_queries() as small:
        secretariat.get(url(charter), query_string={"state": state, "q": "e"})

    add_recommendations(charter, second, version, 90, "Empfehlung", start=4)
    pool.assign_suggested(charter, None)
    for clause in db.session.scalars(
        sa.select(Clause).where(Clause.status == ClauseStatus.ACTIVE).limit(30)
    ).all():
        pool.set_aside(clause, "Y", None)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as large:
        secretariat.get(url(charter), query_string={"state": state, "q": "e"})

    assert large.count == small.count


def test_the_ticked_recommendations_are_assigned_set_aside_and_restored_together(
    secretariat, charter, workshops
):
    listed = secretariat.get(url(charter))
    first, second, third = shown_clause_ids(listed)[:3]
    chapter = charter.chapters[1]
    back = {"state": "unassigned", "q": "", "page": "1"}

    assigned = secretariat.post(
        url(charter, "/act"),
        data=back | {"clause_ids": [first, second], "action": "assign", "chapter": chapter.id},
    )
    no_reason = secretariat.post(
        url(charter, "/act"),
        data=back | {"clause_ids": [third], "action": "set_aside", "reason": ""},
        follow_redirects=True,
    )
    aside = secretariat.post(
        url(charter, "/act"),
        data=back | {"clause_ids": [third], "action": "set_aside", "reason": "Zu allgemein."},
    )

    assert assigned.status_code == 302
    assert "state=unassigned" in assigned.headers["Location"]
    db.session.expire_all()
    assert {db.session.get(Clause, cid).chapter_id for cid in (first, second)} == {chapter.id}
    assert has_error_flash(no_reason)
    assert db.session.get(Clause, third).status is ClauseStatus.SET_ASIDE
    assert aside.status_code == 302

    restored = secretariat.post(
        url(charter, "/act"),
        data={"state": "set_aside", "clause_ids": [third], "action": "restore"},
        follow_redirects=True,
    )
    assert restored.status_code == 200 and not has_error_flash(restored)
    db.session.expire_all()
    assert db.session.get(Clause, third).status is ClauseStatus.ACTIVE


def test_ticked_recommendations_go_to_their_guidelines_chapter(secretariat, charter, workshops):
    ids = shown_clause_ids(secretariat.get(url(charter)))
    secretariat.post(
        url(charter, "/act"),
        data={"clause_ids": ids, "action": "assign", "chapter": "suggested"},
    )
    db.session.expire_all()
    placed = db.session.scalars(sa.select(Clause).where(Clause.id.in_(ids))).all()
    assert all(clause.chapter_id is not None for clause in placed)


def test_move_from_the_pool_form(secretariat, charter, workshops):
    ids = shown_clause_ids(secretariat.get(url(charter)))
    for clause_id in ids[:2]:
        pool.assign(db.session.get(Clause, clause_id), charter.chapters[0], None)
    db.session.commit()

    moved = secretariat.post(
        url(charter, "/act"), data={"state": "assigned", "move": f"{ids[1]}:-1"}
    )

    assert moved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Clause, ids[1]).position < db.session.get(Clause, ids[0]).position


@pytest.mark.parametrize(
    "data",
    [
        {"clause_ids": ["abc"], "action": "assign", "chapter": "1"},
        {"clause_ids": ["99999999999999999"], "action": "assign", "chapter": "1"},
        {"clause_ids": ["1"], "action": "explode"},
        {"clause_ids": ["1"], "action": "assign", "chapter": "99999999999"},
        {"clause_ids": ["1"], "action": "assign", "chapter": "nonsense"},
        {"move": "1:5"},
        {"move": "x:y"},
        {"action": "assign"},
        {"clause_ids": ["1"], "action": "restore"},
    ],
)
def test_hostile_pool_actions_are_refused_in_words(secretariat, charter, workshops, data):
    response = secretariat.post(url(charter, "/act"), data=data, follow_redirects=True)
    assert response.status_code == 200
    assert has_error_flash(response)


def test_ticked_recommendations_of_another_charter_are_left_alone(
    secretariat, charter, workshops, staff
):
    from eventsys.charters import charters

    other = charters.create_charter("Andere Charta", "Other", staff.admin)
    db.session.commit()
    ids = shown_clause_ids(secretariat.get(url(charter)))
    response = secretariat.post(
        url(other, "/act"),
        data={"clause_ids": ids, "action": "set_aside", "reason": "Nein"},
        follow_redirects=True,
    )
    db.session.expire_all()
    assert has_error_flash(response)
    assert all(db.session.get(Clause, i).status is ClauseStatus.ACTIVE for i in ids)
