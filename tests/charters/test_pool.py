"""The pool services: assigning, rewording, merging, setting aside, ordering, "new"."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.charters import charters, pool, pool_queries
from eventsys.charters.content import working_text
from eventsys.charters.errors import CharterError
from eventsys.charters.models import CharterVersion, Clause, ClauseOrigin
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db
from tests.charters.conftest import clause_from


def numbers(workshops, *keys: str) -> list[str]:
    """Recommendation numbers from short keys: "1.1.1" is E-<first session>.1.1."""
    sessions = {"1": workshops.first.id, "2": workshops.second.id}
    return [f"E-{sessions[key[0]]}{key[1:]}" for key in keys]


def clause(charter, workshops, key: str) -> Clause:
    return clause_from(charter, numbers(workshops, key)[0])


def revision(charter) -> int:
    db.session.refresh(charter)
    return charter.revision


def audit_actions(entity) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry.action)
            .where(
                AuditEntry.entity_type == entity.__tablename__, AuditEntry.entity_id == entity.id
            )
            .order_by(AuditEntry.id)
        )
    )


def text_numbers(charter) -> dict[str, str]:
    """Clause number → first recommendation number, as the working text has them."""
    return {
        clause["number"]: clause["origins"][0]["recommendation_number"]
        for chapter in working_text(charter)["chapters"]
        for clause in chapter["clauses"]
    }


def test_assign_places_the_clause_at_the_end_of_the_chapter(charter, workshops, staff):
    first, second = clause(charter, workshops, "1.1.1"), clause(charter, workshops, "1.1.2")
    before = revision(charter)

    pool.assign(first, charter.chapters[1], staff.secretariat)
    pool.assign(second, charter.chapters[1], staff.secretariat)
    db.session.commit()

    assert text_numbers(charter) == {
        "2.1": numbers(workshops, "1.1.1")[0],
        "2.2": numbers(workshops, "1.1.2")[0],
    }
    assert revision(charter) == before + 2
    assert first.updated_by == staff.secretariat
    assert audit_actions(first) == ["charter.clause_assigned"]


def test_assigning_to_none_takes_the_clause_out_of_the_text(charter, workshops, staff):
    chosen = clause(charter, workshops, "1.1.1")
    pool.assign(chosen, charter.chapters[0], staff.secretariat)
    before = revision(charter)

    pool.assign(chosen, None, staff.secretariat)
    db.session.commit()

    assert chosen.chapter_id is None
    assert text_numbers(charter) == {}
    assert revision(charter) == before + 1


def test_a_chapter_of_another_charter_is_refused(charter, workshops, staff):
    other = charters.create_charter("Datenstrategie", "", staff.admin)
    chosen = clause(charter, workshops, "1.1.1")

    with pytest.raises(CharterError):
        pool.assign(chosen, other.chapters[0], staff.secretariat)
    assert chosen.chapter_id is None


def test_suggested_assignment_follows_the_guideline_of_the_first_origin(charter, workshops, staff):
    count = pool.assign_suggested(charter, staff.secretariat)
    db.session.commit()

    assert count == 6
    guideline_of_chapter = {chapter.id: chapter.guideline.number for chapter in charter.chapters}
    origins = db.session.scalars(
        sa.select(ClauseOrigin).where(ClauseOrigin.charter_id == charter.id)
    ).all()
    for origin in origins:
        assert guideline_of_chapter[origin.clause.chapter_id] == origin.guideline_number
    # Within a chapter the recommendations keep the order in which they arrived.
    assert text_numbers(charter)["3.1"] == numbers(workshops, "1.2.1")[0]
    assert text_numbers(charter)["3.2"] == numbers(workshops, "2.1.2")[0]
    assert pool.assign_suggested(charter, staff.secretariat) == 0


def test_suggested_assignment_appends_after_clauses_already_placed(charter, workshops, staff):
    placed = clause(charter, workshops, "2.1.1")  # guideline 4
    pool.assign(placed, charter.chapters[3], staff.secretariat)
    charter.chapters[0].guideline = None  # no chapter for guideline 1 any more

    count = pool.assign_suggested(charter, staff.secretariat)
    db.session.commit()

    assert count == 4
    assert clause(charter, workshops, "1.1.1").chapter_id is None
    assert text_numbers(charter)["4.1"] == numbers(workshops, "2.1.1")[0]
    assert text_numbers(charter)["4.2"] == numbers(workshops, "2.2.1")[0]


def test_reword_keeps_the_original_wording_of_the_origin(charter, workshops, staff):
    chosen = clause(charter, workshops, "1.1.1")
    original = chosen.origins[0].original_text
    before = revision(charter)

    pool.reword(chosen, "  Städte und Gemeinden entwickeln Digitalstrategien.  ", "", staff.admin)
    db.session.commit()

    assert chosen.text_de == "Städte und Gemeinden entwickeln Digitalstrategien."
    assert chosen.origins[0].original_text == original
    # Not in the text yet: the working text is unchanged.
    assert revision(charter) == before
    assert audit_actions(chosen) == ["charter.clause_reworded"]


def test_rewording_an_assigned_clause_changes_the_text(charter, workshops, staff):
    chosen = clause(charter, workshops, "1.1.1")
    pool.assign(chosen, charter.chapters[0], staff.admin)
    before = revision(charter)

    pool.reword(chosen, chosen.text_de, "Municipalities develop digital strategies.", staff.admin)

    assert revision(charter) == before + 1
    assert working_text(charter)["chapters"][0]["clauses"][0]["text_en"] == (
        "Municipalities develop digital strategies."
    )


def test_saving_the_wording_clears_the_source_changed_flag(charter, workshops, staff):
    chosen = clause(charter, workshops, "1.1.1")
    chosen.origins[0].source_changed = True
    db.session.commit()

    pool.reword(chosen, chosen.text_de, "", staff.admin)
    db.session.commit()

    assert chosen.origins[0].source_changed is False
    assert audit_actions(chosen) == ["charter.clause_reworded"]


@pytest.mark.parametrize(
    ("text_de", "text_en"),
    [("", ""), ("   ", "fine"), ("x" * 5001, ""), ("gut", "x" * 5001)],
    ids=["empty", "blank", "long German", "long English"],
)
def test_reword_refuses_empty_and_overlong_texts(charter, workshops, staff, text_de, text_en):
    chosen = clause(charter, workshops, "1.1.1")
    wording = chosen.text_de

    with pytest.raises(CharterError):
        pool.reword(chosen, text_de, text_en, staff.admin)
    assert chosen.text_de == wording


def test_merge_keeps_every_origin(charter, workshops, staff):
    kept = clause(charter, workshops, "1.2.1")
    duplicate = clause(charter, workshops, "2.1.2")
    pool.assign(kept, charter.chapters[2], staff.admin)
    before = revision(charter)

    pool.merge(duplicate, kept, staff.admin)
    db.session.commit()

    assert sorted(origin.recommendation_number for origin in kept.origins) == sorted(
        numbers(workshops, "1.2.1", "2.1.2")
    )
    assert duplicate.origins == []
    assert duplicate.status is ClauseStatus.MERGED
    assert duplicate.merged_into == kept
    assert revision(charter) == before + 1
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "charter.clause_merged")
    )
    assert entry.entity_id == duplicate.id
    assert entry.changes["origins"] == [1, 2]
    # The text cites both sessions for the merged recommendation.
    cited = working_text(charter)["chapters"][2]["clauses"][0]["origins"]
    assert {origin["session_id"] for origin in cited} == {workshops.first.id, workshops.second.id}


def test_merging_a_clause_that_holds_duplicates_passes_them_on(charter, workshops, staff):
    first = clause(charter, workshops, "1.1.1")
    second = clause(charter, workshops, "1.1.2")
    third = clause(charter, workshops, "1.2.1")
    pool.merge(first, second, staff.admin)

    pool.merge(second, third, staff.admin)
    db.session.commit()

    assert len(third.origins) == 3
    assert first.merged_into == third
    assert second.merged_into == third


def test_merge_refusals_change_nothing(charter, workshops, staff):
    other_charter = charters.create_charter("Datenstrategie", "", staff.admin)
    chosen = clause(charter, workshops, "1.1.1")
    set_aside = clause(charter, workshops, "1.1.2")
    pool.set_aside(set_aside, "Doppelt", staff.admin)
    merged = clause(charter, workshops, "2.1.1")
    pool.merge(merged, clause(charter, workshops, "2.2.1"), staff.admin)
    foreign = clause_from(other_charter, numbers(workshops, "1.2.1")[0])
    db.session.commit()

    for target in (chosen, foreign, set_aside, merged):
        with pytest.raises(CharterError):
            pool.merge(chosen, target, staff.admin)
    with pytest.raises(CharterError):
        pool.merge(set_aside, chosen, staff.admin)
    db.session.rollback()

    assert chosen.status is ClauseStatus.ACTIVE
    assert len(chosen.origins) == 1


def test_set_aside_and_restore(charter, workshops, staff):
    chosen = clause(charter, workshops, "1.1.1")
    pool.assign(chosen, charter.chapters[0], staff.admin)
    before = revision(charter)

    pool.set_aside(chosen, "  Zu allgemein.  ", staff.admin)
    db.session.commit()

    assert chosen.status is ClauseStatus.SET_ASIDE
    assert chosen.set_aside_reason == "Zu allgemein."
    assert chosen.chapter_id is None
    assert text_numbers(charter) == {}
    assert revision(charter) == before + 1

    pool.restore(chosen, staff.admin)
    db.session.commit()

    assert chosen.status is ClauseStatus.ACTIVE
    assert chosen.set_aside_reason == ""
    assert chosen.chapter_id is None
    assert audit_actions(chosen) == [
        "charter.clause_assigned",
        "charter.clause_set_aside",
        "charter.clause_restored",
    ]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001], ids=["empty", "blank", "long"])
def test_set_aside_needs_a_reason(charter, workshops, staff, reason):
    chosen = clause(charter, workshops, "1.1.1")

    with pytest.raises(CharterError):
        pool.set_aside(chosen, reason, staff.admin)
    assert chosen.status is ClauseStatus.ACTIVE


def test_only_a_clause_set_aside_can_be_restored(charter, workshops, staff):
    with pytest.raises(CharterError):
        pool.restore(clause(charter, workshops, "1.1.1"), staff.admin)


def test_move_within_the_chapter(charter, workshops, staff):
    keys = ["1.1.1", "1.1.2", "1.2.1"]
    for key in keys:
        pool.assign(clause(charter, workshops, key), charter.chapters[0], staff.admin)
    before = revision(charter)

    pool.move(clause(charter, workshops, "1.2.1"), -1, staff.admin)
    pool.move(clause(charter, workshops, "1.1.1"), 1, staff.admin)
    db.session.commit()

    assert list(text_numbers(charter).values()) == numbers(workshops, "1.2.1", "1.1.1", "1.1.2")
    assert revision(charter) == before + 2


def test_move_refuses_past_the_ends_and_outside_the_text(charter, workshops, staff):
    first, second = clause(charter, workshops, "1.1.1"), clause(charter, workshops, "1.1.2")
    pool.assign(first, charter.chapters[0], staff.admin)
    pool.assign(second, charter.chapters[0], staff.admin)

    with pytest.raises(CharterError):
        pool.move(first, -1, staff.admin)
    with pytest.raises(CharterError):
        pool.move(second, 1, staff.admin)
    with pytest.raises(CharterError):
        pool.move(clause(charter, workshops, "1.2.1"), 1, staff.admin)


def test_clauses_are_new_until_a_version_is_frozen(charter, workshops, staff):
    chosen = clause(charter, workshops, "1.1.1")
    assert pool_queries.last_frozen_at(charter) is None
    assert pool_queries.is_new(chosen, charter)

    version = CharterVersion(
        charter=charter,
        major=0,
        minor=1,
        content=working_text(charter),
        frozen_at=chosen.arrived_at + timedelta(minutes=5),
    )
    db.session.add(version)
    db.session.commit()

    assert pool_queries.last_frozen_at(charter) == version.frozen_at
    assert not pool_queries.is_new(chosen, charter)
    assert pool_queries.new_clause_ids(charter) == set()

    later = clause(charter, workshops, "2.1.1")
    later.arrived_at = version.frozen_at + timedelta(days=1)
    db.session.commit()

    assert pool_queries.is_new(later, charter)
    assert pool_queries.new_clause_ids(charter) == {later.id}
