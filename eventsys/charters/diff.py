"""What changed between two texts of a charter (two frozen versions, or a version and the
working text), as the diff page and the PDF redline show it.

Clauses are matched by their id, chapters by theirs, so a reworded recommendation is "changed"
rather than removed and added. A clause is "moved" when it sits in another chapter than before,
or when its order relative to the other clauses that stayed in its chapter changed; of those,
the longest run that kept its order counts as staying in place, so moving one clause up marks
that one clause and not all it passed. Texts are compared word by word (`word_diff`).
"""

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from flask_babel import ngettext

from eventsys.charters.models import Clause
from eventsys.charters.states import ClauseStatus
from eventsys.charters.word_diff import Segment, SegmentKind, has_changes, whole, word_diff
from eventsys.extensions import db


class ClauseKind(StrEnum):
    UNCHANGED = "unchanged"
    CHANGED = "changed"
    ADDED = "added"
    MOVED = "moved"
    MOVED_CHANGED = "moved_changed"
    REMOVED = "removed"


class Removal(StrEnum):
    """Why a clause is no longer in the text, as far as the pool knows."""

    REMOVED = "removed"  # taken out of its chapter (back to the pool)
    MERGED = "merged"  # merged into another recommendation
    SET_ASIDE = "set_aside"  # not taken into the charter, for a reason


class ChapterKind(StrEnum):
    KEPT = "kept"
    ADDED = "added"
    REMOVED = "removed"


@dataclass
class ClauseChange:
    """One clause of either text and what happened to it."""

    kind: ClauseKind
    clause_id: int
    old_number: str | None
    new_number: str | None
    text_de: list[Segment]
    text_en: list[Segment]
    origins: list[str]  # the recommendation numbers it came from
    removal: Removal | None = None
    merged_into_number: str | None = None  # where a merged clause's content now is
    set_aside_reason: str = ""

    @property
    def moved(self) -> bool:
        return self.kind in (ClauseKind.MOVED, ClauseKind.MOVED_CHANGED)

    @property
    def changed(self) -> bool:
        return self.kind in (ClauseKind.CHANGED, ClauseKind.MOVED_CHANGED)

    @property
    def renumbered(self) -> bool:
        return (
            self.old_number is not None
            and self.new_number is not None
            and self.old_number != self.new_number
        )

    def text(self, language: str) -> list[Segment]:
        """The English segments where either text has English wording, else the German."""
        return self.text_en if self.shown_language(language) == "en" else self.text_de

    def shown_language(self, language: str) -> str:
        """The language `text(language)` is in: German stands in for missing English."""
        if language == "en" and any(text for _kind, text in self.text_en):
            return "en"
        return "de"


@dataclass
class ChapterChange:
    """A chapter of either text: its title and introduction compared, and its clauses (those
    of the newer text in its order, then those removed from it)."""

    kind: ChapterKind
    chapter_id: int
    old_number: int | None
    new_number: int | None
    title_de: list[Segment]
    title_en: list[Segment]
    introduction_de: list[Segment]
    introduction_en: list[Segment]
    clauses: list[ClauseChange] = field(default_factory=list)

    def title(self, language: str) -> list[Segment]:
        if language == "en" and any(text for _kind, text in self.title_en):
            return self.title_en
        return self.title_de

    def introduction(self, language: str) -> list[Segment]:
        if language == "en" and any(text for _kind, text in self.introduction_en):
            return self.introduction_en
        return self.introduction_de

    def introduction_changed(self, language: str) -> bool:
        return has_changes(self.introduction(language))

    @property
    def wording_changed(self) -> bool:
        return any(
            has_changes(segments)
            for segments in (
                self.title_de,
                self.title_en,
                self.introduction_de,
                self.introduction_en,
            )
        )


@dataclass
class Summary:
    """How many clauses changed in which way; a moved and changed clause counts in both."""

    added: int
    removed: int
    merged: int
    changed: int
    moved: int
    renumbered: int
    unchanged: int
    chapters_added: int
    chapters_removed: int

    @property
    def nothing_changed(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.changed
            or self.moved
            or self.renumbered
            or self.chapters_added
            or self.chapters_removed
        )

    def sentences(self) -> list[str]:
        """The summary as the diff page, its PDF and its Word document list it, in the
        reader's language; empty when nothing changed."""
        if self.nothing_changed:
            return []
        # Each ngettext with its literal texts, so that the catalogue extraction finds them.
        sentences = []
        if self.added:
            sentences.append(
                ngettext(
                    "%(num)d recommendation added", "%(num)d recommendations added", self.added
                )
            )
        if self.removed:
            removed = ngettext(
                "%(num)d recommendation removed", "%(num)d recommendations removed", self.removed
            )
            if self.merged:
                merged = ngettext("%(num)d of them merged", "%(num)d of them merged", self.merged)
                removed += f" ({merged})"
            sentences.append(removed)
        if self.changed:
            sentences.append(
                ngettext(
                    "%(num)d recommendation reworded",
                    "%(num)d recommendations reworded",
                    self.changed,
                )
            )
        if self.moved:
            sentences.append(
                ngettext(
                    "%(num)d recommendation moved", "%(num)d recommendations moved", self.moved
                )
            )
        if self.renumbered:
            sentences.append(
                ngettext(
                    "%(num)d recommendation has a new number",
                    "%(num)d recommendations have a new number",
                    self.renumbered,
                )
            )
        if self.chapters_added:
            sentences.append(
                ngettext("%(num)d chapter added", "%(num)d chapters added", self.chapters_added)
            )
        if self.chapters_removed:
            sentences.append(
                ngettext(
                    "%(num)d chapter removed", "%(num)d chapters removed", self.chapters_removed
                )
            )
        sentences.append(
            ngettext(
                "%(num)d recommendation unchanged",
                "%(num)d recommendations unchanged",
                self.unchanged,
            )
        )
        return sentences


@dataclass
class CharterDiff:
    """Everything that differs between an older and a newer text; a label None names the
    working text."""

    old_label: str | None
    new_label: str | None
    title_de: list[Segment]
    title_en: list[Segment]
    preamble_de: list[Segment]
    preamble_en: list[Segment]
    chapters: list[ChapterChange]

    def title(self, language: str) -> list[Segment]:
        if language == "en" and any(text for _kind, text in self.title_en):
            return self.title_en
        return self.title_de

    def preamble(self, language: str) -> list[Segment]:
        if language == "en" and any(text for _kind, text in self.preamble_en):
            return self.preamble_en
        return self.preamble_de

    def front_matter_changed(self, language: str) -> bool:
        """Whether the charter's title or preamble differs (in `language`)."""
        return has_changes(self.title(language)) or has_changes(self.preamble(language))

    @property
    def clauses(self) -> list[ClauseChange]:
        return [clause for chapter in self.chapters for clause in chapter.clauses]

    def clause(self, clause_id: int) -> ClauseChange | None:
        return next((change for change in self.clauses if change.clause_id == clause_id), None)

    @property
    def summary(self) -> Summary:
        kinds = Counter(change.kind for change in self.clauses)
        chapters = Counter(chapter.kind for chapter in self.chapters)
        return Summary(
            added=kinds[ClauseKind.ADDED],
            removed=kinds[ClauseKind.REMOVED],
            merged=sum(change.removal is Removal.MERGED for change in self.clauses),
            changed=kinds[ClauseKind.CHANGED] + kinds[ClauseKind.MOVED_CHANGED],
            moved=kinds[ClauseKind.MOVED] + kinds[ClauseKind.MOVED_CHANGED],
            renumbered=sum(change.renumbered for change in self.clauses),
            unchanged=kinds[ClauseKind.UNCHANGED],
            chapters_added=chapters[ChapterKind.ADDED],
            chapters_removed=chapters[ChapterKind.REMOVED],
        )


def compare(old: dict[str, Any], new: dict[str, Any]) -> CharterDiff:
    """What changed from the text `old` to the text `new` (both as `content.working_text` or a
    frozen version's content give them). Reads the pool once to tell why removed clauses went."""
    old_clauses = _clauses_by_id(old)
    new_clauses = _clauses_by_id(new)
    old_chapters = {chapter["id"]: chapter for chapter in old["chapters"]}
    new_chapter_ids = {chapter["id"] for chapter in new["chapters"]}
    moved = _moved_clause_ids(old, new, old_clauses)
    removed_ids = [clause_id for clause_id in old_clauses if clause_id not in new_clauses]
    removals = _removals(removed_ids, new_clauses)

    chapters = []
    for chapter in new["chapters"]:
        before = old_chapters.get(chapter["id"])
        change = _chapter_change(before, chapter)
        change.clauses = [
            _kept_or_added(clause, old_clauses.get(clause["id"]), clause["id"] in moved)
            for clause in chapter["clauses"]
        ]
        if before is not None:
            change.clauses += _removed_from(before, new_clauses, removals)
        chapters.append(change)
    for chapter in old["chapters"]:
        if chapter["id"] not in new_chapter_ids:
            change = _chapter_change(chapter, None)
            change.clauses = _removed_from(chapter, new_clauses, removals)
            chapters.append(change)

    old_charter, new_charter = old["charter"], new["charter"]
    return CharterDiff(
        old_label=_label(old),
        new_label=_label(new),
        title_de=word_diff(old_charter["title_de"], new_charter["title_de"]),
        title_en=word_diff(old_charter["title_en"], new_charter["title_en"]),
        preamble_de=word_diff(old_charter["preamble_de"], new_charter["preamble_de"]),
        preamble_en=word_diff(old_charter["preamble_en"], new_charter["preamble_en"]),
        chapters=chapters,
    )


# --- clauses ----------------------------------------------------------------------------------


def _label(text: dict[str, Any]) -> str | None:
    return text["version"]["label"] if text.get("version") else None


def _clauses_by_id(text: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {
        clause["id"]: {**clause, "chapter_id": chapter["id"]}
        for chapter in text["chapters"]
        for clause in chapter["clauses"]
    }


def _moved_clause_ids(
    old: dict[str, Any], new: dict[str, Any], old_clauses: dict[int, dict[str, Any]]
) -> set[int]:
    """Clauses now in another chapter, and those that left the order of their chapter."""
    old_positions = {
        clause["id"]: position
        for chapter in old["chapters"]
        for position, clause in enumerate(chapter["clauses"])
    }
    moved = set()
    for chapter in new["chapters"]:
        stayed = []
        for clause in chapter["clauses"]:
            before = old_clauses.get(clause["id"])
            if before is None:
                continue
            if before["chapter_id"] != chapter["id"]:
                moved.add(clause["id"])
            else:
                stayed.append(clause["id"])
        in_order = longest_increasing_subsequence([old_positions[id_] for id_ in stayed])
        moved.update(id_ for index, id_ in enumerate(stayed) if index not in in_order)
    return moved


def longest_increasing_subsequence(values: list[int]) -> set[int]:
    """The indices of one longest strictly increasing subsequence of `values`."""
    tails: list[int] = []  # index of the smallest tail of an increasing run of each length
    previous = [-1] * len(values)
    for index, value in enumerate(values):
        low, high = 0, len(tails)
        while low < high:
            middle = (low + high) // 2
            if values[tails[middle]] < value:
                low = middle + 1
            else:
                high = middle
        if low > 0:
            previous[index] = tails[low - 1]
        if low == len(tails):
            tails.append(index)
        else:
            tails[low] = index
    chosen = set()
    index = tails[-1] if tails else -1
    while index != -1:
        chosen.add(index)
        index = previous[index]
    return chosen


def _kept_or_added(
    clause: dict[str, Any], before: dict[str, Any] | None, moved: bool
) -> ClauseChange:
    origins = [origin["recommendation_number"] for origin in clause["origins"]]
    if before is None:
        return ClauseChange(
            kind=ClauseKind.ADDED,
            clause_id=clause["id"],
            old_number=None,
            new_number=clause["number"],
            text_de=whole(SegmentKind.INSERT, clause["text_de"]),
            text_en=whole(SegmentKind.INSERT, clause["text_en"]),
            origins=origins,
        )
    text_de = word_diff(before["text_de"], clause["text_de"])
    text_en = word_diff(before["text_en"], clause["text_en"])
    changed = has_changes(text_de) or has_changes(text_en)
    if moved:
        kind = ClauseKind.MOVED_CHANGED if changed else ClauseKind.MOVED
    else:
        kind = ClauseKind.CHANGED if changed else ClauseKind.UNCHANGED
    return ClauseChange(
        kind=kind,
        clause_id=clause["id"],
        old_number=before["number"],
        new_number=clause["number"],
        text_de=text_de,
        text_en=text_en,
        origins=origins,
    )


@dataclass(frozen=True)
class _RemovalFacts:
    removal: Removal
    merged_into_number: str | None = None
    set_aside_reason: str = ""


def _removals(
    removed_ids: list[int], new_clauses: dict[int, dict[str, Any]]
) -> dict[int, _RemovalFacts]:
    """Why each removed clause went, from the pool as it is now (one query)."""
    if not removed_ids:
        return {}
    rows = db.session.execute(
        sa.select(Clause.id, Clause.status, Clause.merged_into_id, Clause.set_aside_reason).where(
            Clause.id.in_(removed_ids)
        )
    )
    facts = {}
    for clause_id, status, merged_into_id, reason in rows:
        if status is ClauseStatus.MERGED:
            into = new_clauses.get(merged_into_id)
            facts[clause_id] = _RemovalFacts(Removal.MERGED, into["number"] if into else None)
        elif status is ClauseStatus.SET_ASIDE:
            facts[clause_id] = _RemovalFacts(Removal.SET_ASIDE, set_aside_reason=reason or "")
    return facts


def _removed_from(
    chapter: dict[str, Any],
    new_clauses: dict[int, dict[str, Any]],
    removals: dict[int, _RemovalFacts],
) -> list[ClauseChange]:
    changes = []
    for clause in chapter["clauses"]:
        if clause["id"] in new_clauses:
            continue  # still there, perhaps moved to another chapter
        facts = removals.get(clause["id"], _RemovalFacts(Removal.REMOVED))
        changes.append(
            ClauseChange(
                kind=ClauseKind.REMOVED,
                clause_id=clause["id"],
                old_number=clause["number"],
                new_number=None,
                text_de=whole(SegmentKind.DELETE, clause["text_de"]),
                text_en=whole(SegmentKind.DELETE, clause["text_en"]),
                origins=[origin["recommendation_number"] for origin in clause["origins"]],
                removal=facts.removal,
                merged_into_number=facts.merged_into_number,
                set_aside_reason=facts.set_aside_reason,
            )
        )
    return changes


_CHAPTER_TEXTS = ("title_de", "title_en", "introduction_de", "introduction_en")


def _chapter_change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> ChapterChange:
    """A chapter in the older text (`before`), the newer (`after`) or both."""
    if before is not None and after is not None:
        kind = ChapterKind.KEPT
        segments = {name: word_diff(before[name], after[name]) for name in _CHAPTER_TEXTS}
    elif after is not None:
        kind = ChapterKind.ADDED
        segments = {name: whole(SegmentKind.INSERT, after[name]) for name in _CHAPTER_TEXTS}
    elif before is not None:
        kind = ChapterKind.REMOVED
        segments = {name: whole(SegmentKind.DELETE, before[name]) for name in _CHAPTER_TEXTS}
    else:
        raise ValueError("a chapter must be in at least one of the texts")
    return ChapterChange(
        kind=kind,
        chapter_id=(after or before)["id"],
        old_number=before["number"] if before else None,
        new_number=after["number"] if after else None,
        **segments,
    )
