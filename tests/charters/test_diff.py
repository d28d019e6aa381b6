"""Comparing two texts of a charter: words inserted and deleted, recommendations added,
removed, merged, moved between chapters or within one, and renumbered."""

import pytest

from eventsys.charters import content, diff, versions
from eventsys.charters.diff import ChapterKind, ClauseKind, Removal
from eventsys.charters.models import Chapter, Charter, CharterVersion
from eventsys.charters.states import ClauseStatus
from eventsys.charters.word_diff import SegmentKind, word_diff
from eventsys.extensions import db
from tests.charters.conftest import clause_from
from tests.charters.test_versions import arrange

EQUAL, INSERT, DELETE = SegmentKind.EQUAL, SegmentKind.INSERT, SegmentKind.DELETE


def joined(segments, *kinds) -> str:
    return "".join(text for kind, text in segments if kind in kinds)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("Kommunen planen", "Kommunen planen", [(EQUAL, "Kommunen planen")]),
        (
            "Kommunen planen offen",
            "Kommunen bauen offen",
            [(EQUAL, "Kommunen "), (DELETE, "planen"), (INSERT, "bauen"), (EQUAL, " offen")],
        ),
        ("Daten", "Offene Daten", [(INSERT, "Offene "), (EQUAL, "Daten")]),
        ("Offene Daten sind gut", "Offene Daten", [(EQUAL, "Offene Daten"), (DELETE, " sind gut")]),
        # Two neighbouring words replaced: one change, not two split by a space.
        ("a b c d", "a x y d", [(EQUAL, "a "), (DELETE, "b c"), (INSERT, "x y"), (EQUAL, " d")]),
        ("", "neu", [(INSERT, "neu")]),
        ("alt", "", [(DELETE, "alt")]),
        ("", "", []),
    ],
)
def test_word_diff(old, new, expected):
    segments = word_diff(old, new)

    assert segments == expected
    assert joined(segments, EQUAL, DELETE) == old
    assert joined(segments, EQUAL, INSERT) == new


@pytest.mark.parametrize(
    ("values", "length"),
    [([], 0), ([1], 1), ([0, 1, 2, 3], 4), ([1, 2, 0, 3], 3), ([3, 2, 1], 1), ([2, 0, 1, 3], 3)],
)
def test_longest_increasing_subsequence(values, length):
    chosen = sorted(diff.longest_increasing_subsequence(values))

    assert len(chosen) == length
    picked = [values[index] for index in chosen]
    assert picked == sorted(set(picked))


@pytest.fixture
def first(charter, staff) -> CharterVersion:
    """Version 0.1: 1.1, 2.1, 3.1, 3.2 (the duplicate), 4.1, 4.2."""
    arrange(charter)
    version = versions.freeze(charter, staff.secretariat)
    db.session.commit()
    return version


def compare_with_working_text(charter: Charter, version: CharterVersion) -> diff.CharterDiff:
    db.session.commit()
    return diff.compare(version.content, content.working_text(charter))


def test_the_same_text_has_nothing_changed(charter, first):
    changes = compare_with_working_text(charter, first)

    assert changes.old_label == "0.1"
    assert changes.new_label is None
    assert changes.summary.nothing_changed
    assert changes.summary.unchanged == 6
    assert {clause.kind for clause in changes.clauses} == {ClauseKind.UNCHANGED}
    assert [chapter.kind for chapter in changes.chapters] == [ChapterKind.KEPT] * 4


def test_a_reworded_recommendation_shows_the_words_that_changed(charter, workshops, first):
    clause = clause_from(charter, f"E-{workshops.first.id}.1.1")
    clause.text_de = "Kommunen entwickeln eine gemeinsame Digitalstrategie mit messbaren Zielen."
    clause.text_en = "Municipalities develop a digital strategy."

    changes = compare_with_working_text(charter, first)

    change = changes.clause(clause.id)
    assert change.kind is ClauseKind.CHANGED
    assert (DELETE, "eigene") in change.text_de
    assert (INSERT, "gemeinsame") in change.text_de
    assert change.text_de[0] == (EQUAL, "Kommunen entwickeln eine ")
    assert change.text("en") == [(INSERT, "Municipalities develop a digital strategy.")]
    assert change.text("de") == change.text_de
    assert (change.old_number, change.new_number) == ("1.1", "1.1")
    assert changes.summary.changed == 1
    assert changes.summary.unchanged == 5


def test_an_added_recommendation_and_the_numbers_it_pushes_down(charter, workshops, staff):
    arrange(charter)
    extra = clause_from(charter, f"E-{workshops.second.id}.1.1")
    extra.chapter = None  # not yet in version 0.1
    db.session.commit()
    version = versions.freeze(charter, staff.secretariat)
    db.session.commit()
    pushed_down = clause_from(charter, f"E-{workshops.first.id}.2.1")
    extra.chapter, extra.position = pushed_down.chapter, 0

    changes = compare_with_working_text(charter, version)

    change = changes.clause(extra.id)
    assert change.kind is ClauseKind.ADDED
    assert (change.old_number, change.new_number) == (None, "3.1")
    assert change.text_de == [(INSERT, extra.text_de)]
    renumbered = changes.clause(pushed_down.id)
    assert renumbered.kind is ClauseKind.UNCHANGED
    assert (renumbered.old_number, renumbered.new_number) == ("3.1", "3.2")
    assert renumbered.renumbered
    assert changes.summary.added == 1
    assert changes.summary.renumbered == 2  # 3.1 → 3.2 and 3.2 → 3.3
    assert changes.summary.moved == 0


def test_a_recommendation_taken_out_of_the_text_is_removed(charter, workshops, first):
    clause = clause_from(charter, f"E-{workshops.second.id}.2.1")
    clause.chapter = None

    changes = compare_with_working_text(charter, first)

    change = changes.clause(clause.id)
    assert change.kind is ClauseKind.REMOVED
    assert change.removal is Removal.REMOVED
    assert change.old_number == "4.2"
    assert change.new_number is None
    assert change.text_de == [(DELETE, clause.text_de)]
    # Shown in the chapter it left, after the clauses that are still there.
    chapter_four = changes.chapters[3]
    assert [item.clause_id for item in chapter_four.clauses][-1] == clause.id
    assert changes.summary.removed == 1
    assert changes.summary.merged == 0


def test_a_merged_duplicate_shows_where_it_was_merged_into(charter, workshops, first):
    duplicate = clause_from(charter, f"E-{workshops.second.id}.1.2")
    kept = clause_from(charter, f"E-{workshops.first.id}.2.1")
    duplicate.status = ClauseStatus.MERGED
    duplicate.merged_into = kept

    changes = compare_with_working_text(charter, first)

    change = changes.clause(duplicate.id)
    assert change.kind is ClauseKind.REMOVED
    assert change.removal is Removal.MERGED
    assert change.merged_into_number == "3.1"
    assert change.old_number == "3.2"
    assert changes.summary.merged == 1


def test_a_set_aside_recommendation_gives_its_reason(charter, workshops, first):
    clause = clause_from(charter, f"E-{workshops.first.id}.1.2")
    clause.status = ClauseStatus.SET_ASIDE
    clause.set_aside_reason = "Zu allgemein."

    changes = compare_with_working_text(charter, first)

    change = changes.clause(clause.id)
    assert change.removal is Removal.SET_ASIDE
    assert change.set_aside_reason == "Zu allgemein."


def test_a_recommendation_moved_to_another_chapter(charter, workshops, first):
    clause = clause_from(charter, f"E-{workshops.first.id}.1.1")
    clause.chapter = charter.chapters[1]
    clause.position = 5
    clause.text_de = clause.text_de.replace("eigene", "gemeinsame")

    changes = compare_with_working_text(charter, first)

    change = changes.clause(clause.id)
    assert change.kind is ClauseKind.MOVED_CHANGED
    assert (change.old_number, change.new_number) == ("1.1", "2.2")
    assert change.moved and change.changed
    assert [item.clause_id for item in changes.chapters[1].clauses][-1] == clause.id
    assert changes.chapters[0].clauses == []
    assert changes.summary.moved == 1
    assert changes.summary.changed == 1


def test_within_a_chapter_only_the_recommendation_that_left_its_place_is_moved(
    charter, workshops, staff
):
    chapter = charter.chapters[3]
    for position, number in enumerate(
        [
            f"E-{workshops.first.id}.1.1",
            f"E-{workshops.first.id}.1.2",
            f"E-{workshops.first.id}.2.1",
            f"E-{workshops.second.id}.1.1",
        ],
        start=1,
    ):
        clause = clause_from(charter, number)
        clause.chapter, clause.position = chapter, position
    db.session.commit()
    version = versions.freeze(charter, staff.secretariat)
    db.session.commit()
    last = clause_from(charter, f"E-{workshops.second.id}.1.1")
    last.position = 0  # the fourth moves to the top; the other three keep their order

    changes = compare_with_working_text(charter, version)

    kinds = {change.new_number: change.kind for change in changes.chapters[3].clauses}
    assert kinds == {
        "4.1": ClauseKind.MOVED,
        "4.2": ClauseKind.UNCHANGED,
        "4.3": ClauseKind.UNCHANGED,
        "4.4": ClauseKind.UNCHANGED,
    }
    assert changes.clause(last.id).old_number == "4.4"
    assert changes.summary.moved == 1
    assert changes.summary.renumbered == 4


def test_chapters_added_removed_and_reworded(charter, first):
    charter.chapters[0].title_de = "Ziele und Strategien"
    charter.chapters[0].introduction_de = "Neue Einleitung."
    removed = charter.chapters[1]
    db.session.delete(removed)
    db.session.flush()
    db.session.add(Chapter(charter=charter, position=9, title_de="Ausblick"))

    changes = compare_with_working_text(charter, first)

    kinds = [(chapter.kind, chapter.old_number, chapter.new_number) for chapter in changes.chapters]
    assert kinds == [
        (ChapterKind.KEPT, 1, 1),
        (ChapterKind.KEPT, 3, 2),
        (ChapterKind.KEPT, 4, 3),
        (ChapterKind.ADDED, None, 4),
        (ChapterKind.REMOVED, 2, None),
    ]
    kept = changes.chapters[0]
    assert kept.wording_changed
    assert joined(kept.title_de, EQUAL, INSERT) == "Ziele und Strategien"
    assert joined(kept.title_de, EQUAL, DELETE) == first.content["chapters"][0]["title_de"]
    assert kept.introduction("de") == [(INSERT, "Neue Einleitung.")]
    assert changes.chapters[3].title_de == [(INSERT, "Ausblick")]
    assert changes.chapters[4].title_de[0][0] is DELETE
    # The chapter's recommendation went back to the pool with its chapter: removed.
    assert [clause.kind for clause in changes.chapters[4].clauses] == [ClauseKind.REMOVED]
    assert changes.summary.chapters_added == 1
    assert changes.summary.chapters_removed == 1


def test_comparing_two_frozen_versions(charter, workshops, first, staff):
    clause = clause_from(charter, f"E-{workshops.second.id}.1.1")
    clause.text_de = "Verwaltungen bauen digitale Kompetenzen auf."
    charter.preamble_de = "Präambel."
    db.session.commit()
    second = versions.freeze(charter, staff.secretariat)
    db.session.commit()

    changes = diff.compare(first.content, second.content)

    assert (changes.old_label, changes.new_label) == ("0.1", "0.2")
    assert changes.clause(clause.id).kind is ClauseKind.CHANGED
    assert (DELETE, "in allen Ämtern ") in changes.clause(clause.id).text_de
    assert changes.front_matter_changed("de")
    assert changes.preamble("de") == [(INSERT, "Präambel.")]
