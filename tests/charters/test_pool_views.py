"""The pool page, its actions and the page to reword a recommendation, through the client."""

import re

import pytest
import sqlalchemy as sa

from eventsys.charters import charters, pool, pool_queries
from eventsys.charters.models import Clause, ClauseOrigin
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db
from tests.charters.conftest import clause_from
from tests.conftest import page_text, sign_in


@pytest.fixture
def secretariat(client, staff):
    return sign_in(client, staff.secretariat)


@pytest.fixture
def english_secretariat(client, staff):
    staff.secretariat.language = "en"
    db.session.commit()
    return sign_in(client, staff.secretariat)


def number(workshops, key: str) -> str:
    session = {"1": workshops.first, "2": workshops.second}[key[0]]
    return f"E-{session.id}{key[1:]}"


def clause(charter, workshops, key: str) -> Clause:
    return clause_from(charter, number(workshops, key))


def shown_clause_ids(response) -> list[int]:
    return [int(found) for found in re.findall(r'data-clause="(\d+)"', response.text)]


def url(charter, action: str = "", clause_id: int | None = None) -> str:
    if clause_id is None:
        return f"/charters/{charter.id}/pool{action}"
    return f"/charters/{charter.id}/clauses/{clause_id}{action}"


def has_error_flash(response) -> bool:
    return "flash flash--error" in response.text


def test_the_pool_shows_the_unassigned_recommendations_by_default(secretariat, charter, workshops):
    placed = clause(charter, workshops, "1.1.1")
    pool.assign(placed, charter.chapters[0], None)
    db.session.commit()

    response = secretariat.get(url(charter))

    assert response.status_code == 200
    shown = shown_clause_ids(response)
    assert len(shown) == 5
    assert placed.id not in shown
    # Each recommendation has a labelled tick box for the page's one form, whose action bar
    # holds the chapter and the reason once; no recommendation carries a form of its own.
    assert f'for="tick-{shown[0]}"' in response.text
    assert f'href="/charters/{charter.id}/clauses/{shown[0]}#merge"' in response.text
    assert response.text.count('for="batch-chapter"') == 1
    assert response.text.count('for="batch-reason"') == 1
    assert response.text.count('id="pool-form"') == 1
    assert f'action="/charters/{charter.id}/clauses/' not in response.text
    assert 'id="assign-suggested"' in response.text


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("assigned", ["1.1.1"]),
        ("set_aside", ["1.1.2"]),
        ("merged", ["2.1.2"]),
        ("all", ["1.1.1", "1.1.2", "1.2.1", "2.1.1", "2.1.2", "2.2.1"]),
        ("nonsense", ["1.2.1", "2.1.1", "2.2.1"]),
    ],
)
def test_the_pool_filters_by_state(secretariat, charter, workshops, state, expected):
    pool.assign(clause(charter, workshops, "1.1.1"), charter.chapters[0], None)
    pool.set_aside(clause(charter, workshops, "1.1.2"), "Zu allgemein", None)
    pool.merge(clause(charter, workshops, "2.1.2"), clause(charter, workshops, "1.2.1"), None)
    db.session.commit()

    response = secretariat.get(url(charter), query_string={"state": state})

    assert response.status_code == 200
    assert sorted(shown_clause_ids(response)) == sorted(
        clause_from(charter, number(workshops, key)).id if key != "2.1.2" else _merged_id(charter)
        for key in expected
    )


def _merged_id(charter) -> int:
    return db.session.scalar(
        sa.select(Clause.id).where(
            Clause.charter_id == charter.id, Clause.status == ClauseStatus.MERGED
        )
    )


def test_a_merged_recommendation_links_to_the_one_it_was_merged_into(
    secretariat, charter, workshops
):
    kept = clause(charter, workshops, "1.2.1")
    duplicate = clause(charter, workshops, "2.1.2")
    pool.assign(kept, charter.chapters[2], None)
    pool.merge(duplicate, kept, None)
    db.session.commit()

    listed = secretariat.get(url(charter), query_string={"state": "merged"})
    page = secretariat.get(url(charter, clause_id=duplicate.id))

    target = f'href="/charters/{charter.id}/clauses/{kept.id}"'
    assert target in listed.text
    assert ">3.1</a>" in listed.text
    assert page.status_code == 200
    assert target in page.text
    assert "3.1" in page_text(page)


def test_new_only_hides_what_arrived_before_the_last_version(secretariat, charter, workshops):
    from datetime import timedelta

    from eventsys.charters.content import working_text
    from eventsys.charters.models import CharterVersion

    old = clause(charter, workshops, "1.1.1")
    db.session.add(
        CharterVersion(
            charter=charter,
            major=0,
            minor=1,
            content=working_text(charter),
            frozen_at=old.arrived_at + timedelta(minutes=1),
        )
    )
    late = clause(charter, workshops, "2.2.1")
    late.arrived_at = old.arrived_at + timedelta(days=2)
    db.session.commit()

    response = secretariat.get(url(charter), query_string={"new": "y"})

    assert shown_clause_ids(response) == [late.id]


def test_assign_through_the_pool(secretariat, charter, workshops):
    chosen = clause(charter, workshops, "1.1.1")
    chapter = charter.chapters[1]

    response = secretariat.post(
        url(charter, "/assign", chosen.id), data={"chapter": chapter.id, "state": "unassigned"}
    )

    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/charters/{charter.id}/pool?state=unassigned#clause-{chosen.id}"
    )
    db.session.expire_all()
    assert chosen.chapter_id == chapter.id

    back = secretariat.post(url(charter, "/assign", chosen.id), data={"chapter": "pool"})

    assert back.status_code == 302
    db.session.expire_all()
    assert chosen.chapter_id is None


@pytest.mark.parametrize("chapter", ["", "abc", "999999", "other"])
def test_assign_refuses_bad_chapters(secretariat, charter, workshops, staff, chapter):
    chosen = clause(charter, workshops, "1.1.1")
    if chapter == "other":
        chapter = charters.create_charter("Datenstrategie", "", staff.admin).chapters[0].id
        db.session.commit()

    response = secretariat.post(
        url(charter, "/assign", chosen.id), data={"chapter": chapter}, follow_redirects=True
    )

    assert response.status_code == 200
    assert has_error_flash(response)
    db.session.expire_all()
    assert chosen.chapter_id is None


def test_assign_all_to_their_guidelines_chapter(secretariat, charter, workshops):
    response = secretariat.post(url(charter, "/assign-suggested"), data={"state": "assigned"})

    assert response.status_code == 302
    assert "state=assigned" in response.headers["Location"]
    unassigned = db.session.scalar(
        sa.select(sa.func.count(Clause.id)).where(
            Clause.charter_id == charter.id, Clause.chapter_id.is_(None)
        )
    )
    assert unassigned == 0


def test_set_aside_needs_a_reason_and_can_be_restored(secretariat, charter, workshops):
    chosen = clause(charter, workshops, "1.1.1")

    refused = secretariat.post(
        url(charter, "/set-aside", chosen.id), data={"reason": "  "}, follow_redirects=True
    )
    assert has_error_flash(refused)
    db.session.expire_all()
    assert chosen.status is ClauseStatus.ACTIVE

    secretariat.post(url(charter, "/set-aside", chosen.id), data={"reason": "Zu allgemein."})
    db.session.expire_all()
    assert chosen.status is ClauseStatus.SET_ASIDE
    assert chosen.set_aside_reason == "Zu allgemein."

    listed = secretariat.get(url(charter), query_string={"state": "set_aside"})
    assert "Zu allgemein." in page_text(listed)

    secretariat.post(url(charter, "/restore", chosen.id), data={})
    db.session.expire_all()
    assert chosen.status is ClauseStatus.ACTIVE


def test_a_reason_over_2000_characters_is_refused(secretariat, charter, workshops):
    chosen = clause(charter, workshops, "1.1.1")

    response = secretariat.post(
        url(charter, "/set-aside", chosen.id), data={"reason": "x" * 2001}, follow_redirects=True
    )

    assert has_error_flash(response)
    db.session.expire_all()
    assert chosen.status is ClauseStatus.ACTIVE


def test_merge_through_the_pool_and_its_refusals(secretariat, charter, workshops, staff):
    kept = clause(charter, workshops, "1.2.1")
    duplicate = clause(charter, workshops, "2.1.2")
    other = charters.create_charter("Datenstrategie", "", staff.admin)
    db.session.commit()
    foreign = clause_from(other, number(workshops, "1.1.1"))

    for into in (duplicate.id, foreign.id, "", "x", 999999):
        refused = secretariat.post(
            url(charter, "/merge", duplicate.id), data={"into": into}, follow_redirects=True
        )
        assert refused.status_code == 200
        assert has_error_flash(refused), into
    db.session.expire_all()
    assert duplicate.status is ClauseStatus.ACTIVE

    response = secretariat.post(url(charter, "/merge", duplicate.id), data={"into": kept.id})

    assert response.status_code == 302
    db.session.expire_all()
    assert duplicate.status is ClauseStatus.MERGED
    assert len(kept.origins) == 2


def test_the_clause_page_offers_the_other_active_recommendations_to_merge_into(
    secretariat, charter, workshops, staff
):
    kept = clause(charter, workshops, "1.2.1")
    duplicate = clause(charter, workshops, "2.1.2")
    aside = clause(charter, workshops, "2.2.1")
    pool.set_aside(aside, "Zu speziell.", staff.secretariat)
    db.session.commit()

    page = secretariat.get(url(charter, "", duplicate.id)).text
    offered = [
        int(value) for value in re.findall(r'<option value="(\d+)"', page.split('id="merge"')[1])
    ]

    assert kept.id in offered
    assert duplicate.id not in offered and aside.id not in offered
    assert len(offered) == 4  # the six recommendations less itself and the one set aside
    assert 'id="merge"' not in secretariat.get(url(charter, "", aside.id)).text


def test_a_large_pool_lists_a_hundred_to_merge_into_and_the_search_finds_the_others(
    secretariat, charter, workshops
):
    kept = clause(charter, workshops, "1.2.1")
    duplicate = clause(charter, workshops, "2.1.2")
    for number in range(150):
        db.session.add(
            Clause(charter_id=charter.id, text_de=f"Empfehlung Nummer {number} zu Datenräumen")
        )
    db.session.commit()

    def offered(**query) -> list[int]:
        page = secretariat.get(url(charter, "", duplicate.id), query_string=query).text
        merge = page.split('id="merge"')[1]
        return [int(value) for value in re.findall(r'<option value="(\d+)"', merge)]

    listed = offered()
    page = secretariat.get(url(charter, "", duplicate.id)).text
    assert len(listed) == pool_queries.MERGE_TARGETS_SHOWN
    assert 'name="merge_q"' in page
    assert len(offered(merge_q="Nummer 149 datenräumen")) == 1
    assert offered(merge_q=kept.origins[0].recommendation_number.lower()) == [kept.id]
    assert offered(merge_q="Luftschloss") == []


def test_merge_refusal_is_worded_for_the_user(english_secretariat, charter, workshops):
    chosen = clause(charter, workshops, "1.1.1")

    response = english_secretariat.post(
        url(charter, "/merge", chosen.id), data={"into": chosen.id}, follow_redirects=True
    )

    assert "A recommendation cannot be merged into itself." in page_text(response)


def test_move_through_the_pool(secretariat, charter, workshops):
    first, second = clause(charter, workshops, "1.1.1"), clause(charter, workshops, "1.1.2")
    pool.assign(first, charter.chapters[0], None)
    pool.assign(second, charter.chapters[0], None)
    db.session.commit()

    listed = secretariat.get(url(charter), query_string={"state": "assigned"})
    response = secretariat.post(url(charter, "/move", second.id), data={"offset": "-1"})
    refused = secretariat.post(
        url(charter, "/move", second.id), data={"offset": "-1"}, follow_redirects=True
    )
    nonsense = secretariat.post(
        url(charter, "/move", second.id), data={"offset": "7"}, follow_redirects=True
    )

    # The move buttons belong to the page's one form and name the recommendation they move.
    assert listed.text.count('name="move" value="') == 2
    assert f'name="move" value="{second.id}:-1"' in listed.text
    assert f'name="move" value="{first.id}:1"' in listed.text
    assert response.status_code == 302
    assert has_error_flash(refused)
    assert has_error_flash(nonsense)
    assert pool_queries.clause_numbers(charter) == {second.id: "1.1", first.id: "1.2"}


def test_the_clause_page_shows_the_original_beside_the_wording(secretariat, charter, workshops):
    chosen = clause(charter, workshops, "1.1.1")
    chosen.text_de = "Die Charta sagt es anders."
    chosen.origins[0].source_changed = True
    db.session.commit()

    response = secretariat.get(url(charter, clause_id=chosen.id))

    assert response.status_code == 200
    assert 'id="source-changed-note"' in response.text
    text = page_text(response)
    assert "Kommunen entwickeln eine eigene Digitalstrategie mit messbaren Zielen." in text
    assert "Die Charta sagt es anders." in text
    assert "Workshop Strategien" in text


def test_rewording_through_the_clause_page(secretariat, charter, workshops):
    chosen = clause(charter, workshops, "1.1.1")
    chosen.origins[0].source_changed = True
    db.session.commit()

    response = secretariat.post(
        url(charter, clause_id=chosen.id),
        data={"text_de": "Neue Fassung.", "text_en": "New wording."},
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert (chosen.text_de, chosen.text_en) == ("Neue Fassung.", "New wording.")
    assert chosen.origins[0].source_changed is False
    assert chosen.origins[0].original_text.startswith("Kommunen entwickeln")


@pytest.mark.parametrize(
    "data",
    [{"text_de": ""}, {"text_de": "x" * 5001}, {"text_de": "gut", "text_en": "y" * 5001}],
    ids=["empty", "long German", "long English"],
)
def test_bad_wording_is_refused_with_422(secretariat, charter, workshops, data):
    chosen = clause(charter, workshops, "1.1.1")
    wording = chosen.text_de

    response = secretariat.post(url(charter, clause_id=chosen.id), data=data)

    assert response.status_code == 422
    assert "error-summary" in response.text
    db.session.expire_all()
    assert chosen.text_de == wording


def test_a_merged_recommendation_cannot_be_reworded(secretariat, charter, workshops):
    duplicate = clause(charter, workshops, "2.1.2")
    pool.merge(duplicate, clause(charter, workshops, "1.2.1"), None)
    db.session.commit()

    response = secretariat.post(url(charter, clause_id=duplicate.id), data={"text_de": "Neu"})

    assert response.status_code == 422
    db.session.expire_all()
    assert duplicate.text_de != "Neu"


@pytest.mark.parametrize("action", ["", "/assign", "/set-aside", "/restore", "/merge", "/move"])
def test_a_clause_of_another_charter_is_not_found(secretariat, charter, workshops, staff, action):
    other = charters.create_charter("Datenstrategie", "", staff.admin)
    db.session.commit()
    foreign = clause_from(other, number(workshops, "1.1.1"))

    method = secretariat.get if action == "" else secretariat.post
    response = method(url(charter, action, foreign.id))

    assert response.status_code == 404


def _add_clauses(charter, workshops, count: int) -> None:
    """`count` more recommendations in the pool, some placed, merged or set aside."""
    for index in range(count):
        new = Clause(charter_id=charter.id, text_de=f"Weitere Empfehlung {index}.")
        db.session.add(new)
        db.session.add(
            ClauseOrigin(
                charter_id=charter.id,
                clause=new,
                session_id=workshops.second.id,
                minutes_version_id=workshops.second_version.id,
                recommendation_number=f"E-{workshops.second.id}.9.{index + 1}",
                topic_position=9,
                topic_title="Weiteres",
                original_text=f"Weitere Empfehlung {index}.",
                guideline_number=index % 4 + 1,
            )
        )
    db.session.flush()
    extra = db.session.scalars(
        sa.select(Clause).where(Clause.text_de.like("Weitere Empfehlung %")).order_by(Clause.id)
    ).all()
    pool.assign(extra[0], charter.chapters[1], None)
    pool.set_aside(extra[1], "Doppelt", None)
    pool.merge(extra[2], extra[3], None)
    pool.assign_suggested(charter, None)
    for placed in extra[4:8]:
        pool.assign(placed, None, None)
    db.session.commit()


@pytest.mark.parametrize("state", ["unassigned", "assigned", "all"])
def test_the_pool_needs_as_many_queries_for_30_recommendations_as_for_6(
    secretariat, charter, workshops, count_queries, state
):
    pool.assign(clause(charter, workshops, "1.1.1"), charter.chapters[0], None)
    pool.set_aside(clause(charter, workshops, "1.1.2"), "Doppelt", None)
    pool.merge(clause(charter, workshops, "2.1.2"), clause(charter, workshops, "1.2.1"), None)
    db.session.commit()
    secretariat.get(url(charter), query_string={"state": state})
    db.session.expire_all()
    with count_queries() as six:
        small = secretariat.get(url(charter), query_string={"state": state})

    _add_clauses(charter, workshops, 24)
    db.session.expire_all()
    with count_queries() as thirty:
        large = secretariat.get(url(charter), query_string={"state": state})

    assert len(shown_clause_ids(large)) > len(shown_clause_ids(small))
    assert thirty.count == six.count
