"""A charter's pool of recommendations: assigning them to chapters, rewording them for the
charter, merging duplicates, setting them aside, ordering them within a chapter.

A clause is part of the working text while it is active and has a chapter. Every change to
that text (including the origins it cites) raises `charter.revision`; changes that only touch
the pool, such as rewording a recommendation nobody has placed yet, leave it alone.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventsys.audit import services as audit
from eventsys.auth.models import User
from eventsys.charters.charters import mark_text_changed
from eventsys.charters.content import origin_data
from eventsys.charters.errors import CharterError
from eventsys.charters.models import Chapter, Charter, CharterVersion, Clause, ClauseOrigin
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db
from eventsys.minutes.models import MinutesVersion

MAX_CLAUSE_LENGTH = 5000
MAX_REASON_LENGTH = 2000


def assign(clause: Clause, chapter: Chapter | None, user: User | None) -> None:
    """Place `clause` at the end of `chapter`, or take it out of the text back into the pool
    (chapter None). Raises CharterError for a clause set aside or merged, or a chapter of
    another charter."""
    _require_active(clause)
    if chapter is not None and chapter.charter_id != clause.charter_id:
        raise CharterError(_("This chapter belongs to another charter."))
    if clause.chapter_id == (chapter.id if chapter is not None else None):
        return
    previous_chapter_id = clause.chapter_id
    position = _next_position(chapter) if chapter is not None else 0
    clause.chapter = chapter
    clause.position = position
    clause.updated_by = user
    mark_text_changed(clause.charter)
    db.session.flush()
    if chapter is None:
        summary = f"{label(clause)} taken out of the text back into the pool"
    else:
        summary = f"{label(clause)} assigned to chapter {chapter.position} ({chapter.title_de})"
    audit.record(
        "charter.clause_assigned",
        clause,
        summary,
        {"chapter_id": [previous_chapter_id, clause.chapter_id]},
    )


def assign_suggested(charter: Charter, user: User | None) -> int:
    """Assign every unassigned active clause to the chapter made for the guideline of its
    first origin; return how many were assigned. Clauses without such a chapter stay."""
    chapter_by_guideline = suggested_chapters(charter)
    waiting = db.session.scalars(
        sa.select(Clause)
        .where(
            Clause.charter_id == charter.id,
            Clause.status == ClauseStatus.ACTIVE,
            Clause.chapter_id.is_(None),
        )
        .options(selectinload(Clause.origins))
        .order_by(Clause.arrived_at, Clause.id)
    )
    next_positions: dict[int, int] = {}
    assigned: dict[str, int] = {}
    for clause in waiting:
        chapter = chapter_by_guideline.get(_guideline_number(clause))
        if chapter is None:
            continue
        if chapter.id not in next_positions:
            next_positions[chapter.id] = _next_position(chapter)
        clause.chapter = chapter
        clause.position = next_positions[chapter.id]
        clause.updated_by = user
        next_positions[chapter.id] += 1
        assigned[str(clause.id)] = chapter.id
    if assigned:
        mark_text_changed(charter)
        db.session.flush()
        audit.record(
            "charter.suggested_assigned",
            charter,
            f"{len(assigned)} recommendations assigned to their guideline's chapter",
            {"assigned": assigned},
        )
    return len(assigned)


def reword(clause: Clause, text_de: str, text_en: str, user: User | None) -> None:
    """Give `clause` the charter's wording (the origins keep the minutes' wording). Saving also
    clears the note that the minutes' wording changed since. Raises CharterError for an empty
    German text, a text over MAX_CLAUSE_LENGTH characters or a merged clause."""
    text_de, text_en = text_de.strip(), text_en.strip()
    if clause.status is ClauseStatus.MERGED:
        raise CharterError(
            _("This recommendation was merged into another one; please edit that one.")
        )
    if not text_de:
        raise CharterError(_("Please enter the German wording of the recommendation."))
    if len(text_de) > MAX_CLAUSE_LENGTH or len(text_en) > MAX_CLAUSE_LENGTH:
        raise CharterError(
            _("Please keep the wording under %(count)d characters.", count=MAX_CLAUSE_LENGTH)
        )
    before = audit.snapshot(clause, ("text_de", "text_en"))
    clause.text_de, clause.text_en = text_de, text_en
    changes = audit.diff(before, audit.snapshot(clause, ("text_de", "text_en")))
    flagged = [origin for origin in clause.origins if origin.source_changed]
    for origin in flagged:
        origin.source_changed = False
    if not changes and not flagged:
        return
    if flagged:
        changes["source_changed_cleared"] = [
            [origin.recommendation_number for origin in flagged],
            [],
        ]
    clause.updated_by = user
    if changes.keys() & {"text_de", "text_en"} and _in_text(clause):
        mark_text_changed(clause.charter)
    db.session.flush()
    audit.record("charter.clause_reworded", clause, f"{label(clause)} reworded", changes)


def merge(duplicate: Clause, into: Clause, user: User | None) -> None:
    """Merge `duplicate` into `into`: all its origins move to `into`, and `duplicate` becomes
    MERGED, pointing at `into`. Raises CharterError when merging a clause into itself, across
    charters, or when either is not active."""
    if duplicate.id == into.id:
        raise CharterError(_("A recommendation cannot be merged into itself."))
    if duplicate.charter_id != into.charter_id:
        raise CharterError(_("Recommendations can only be merged within the same charter."))
    if duplicate.status is not ClauseStatus.ACTIVE:
        raise CharterError(_("Only a recommendation in the pool or in the text can be merged."))
    if into.status is not ClauseStatus.ACTIVE:
        raise CharterError(
            _("Recommendations can only be merged into one that is in the pool or in the text.")
        )
    origins_before = len(into.origins)
    moved = list(duplicate.origins)
    changes_text = _in_text(duplicate) or _in_text(into)
    for origin in moved:
        origin.clause = into
    # Earlier duplicates of the duplicate now point at the clause that holds their origins.
    db.session.execute(
        sa.update(Clause)
        .where(Clause.merged_into_id == duplicate.id)
        .values(merged_into_id=into.id)
        .execution_options(synchronize_session="fetch")
    )
    duplicate.status = ClauseStatus.MERGED
    duplicate.merged_into = into
    duplicate.chapter = None
    duplicate.position = 0
    duplicate.updated_by = user
    into.updated_by = user
    if changes_text:
        mark_text_changed(into.charter)
    db.session.flush()
    audit.record(
        "charter.clause_merged",
        duplicate,
        f"{', '.join(origin.recommendation_number for origin in moved)} merged into "
        f"clause {into.id} ({label(into)})",
        {"merged_into_id": [None, into.id], "origins": [origins_before, len(into.origins)]},
    )


def set_aside(clause: Clause, reason: str, user: User | None) -> None:
    """Take `clause` out of the pool and the text for the stated reason. Raises CharterError
    for an empty or overlong reason or a clause that is not active."""
    reason = reason.strip()
    _require_active(clause)
    if not reason:
        raise CharterError(_("Please give the reason for setting this recommendation aside."))
    if len(reason) > MAX_REASON_LENGTH:
        raise CharterError(
            _("Please keep the reason under %(count)d characters.", count=MAX_REASON_LENGTH)
        )
    if _in_text(clause):
        mark_text_changed(clause.charter)
    clause.status = ClauseStatus.SET_ASIDE
    clause.set_aside_reason = reason
    clause.chapter = None
    clause.position = 0
    clause.updated_by = user
    db.session.flush()
    audit.record(
        "charter.clause_set_aside",
        clause,
        f"{label(clause)} set aside: {reason}",
        {"status": [ClauseStatus.ACTIVE.value, ClauseStatus.SET_ASIDE.value]},
    )


def restore(clause: Clause, user: User | None) -> None:
    """Bring a clause set aside back into the pool, unassigned. Raises CharterError for a
    clause that is not set aside."""
    if clause.status is not ClauseStatus.SET_ASIDE:
        raise CharterError(_("Only a recommendation that was set aside can be restored."))
    reason = clause.set_aside_reason
    clause.status = ClauseStatus.ACTIVE
    clause.set_aside_reason = ""
    clause.updated_by = user
    db.session.flush()
    audit.record(
        "charter.clause_restored",
        clause,
        f"{label(clause)} back in the pool",
        {
            "status": [ClauseStatus.SET_ASIDE.value, ClauseStatus.ACTIVE.value],
            "set_aside_reason": [reason, ""],
        },
    )


def move(clause: Clause, offset: int, user: User | None) -> None:
    """Move an assigned clause `offset` places within its chapter (-1 up, +1 down). Raises
    CharterError for a clause outside the text or a move past the chapter's ends."""
    if not _in_text(clause):
        raise CharterError(_("Only a recommendation in a chapter can be moved."))
    siblings = list(
        db.session.scalars(
            sa.select(Clause)
            .where(Clause.chapter_id == clause.chapter_id, Clause.status == ClauseStatus.ACTIVE)
            .order_by(Clause.position, Clause.id)
        )
    )
    index = siblings.index(clause)
    target = index + offset
    if offset == 0 or not 0 <= target < len(siblings):
        raise CharterError(_("The recommendation cannot be moved further in this direction."))
    siblings.insert(target, siblings.pop(index))
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    clause.updated_by = user
    mark_text_changed(clause.charter)
    db.session.flush()
    audit.record(
        "charter.clause_moved",
        clause,
        f"{label(clause)} moved to place {target + 1} in chapter {clause.chapter.position}",
        {"position": [index + 1, target + 1]},
    )


def last_frozen_at(charter: Charter) -> datetime | None:
    """When the charter's most recent version was frozen; None before the first."""
    return db.session.scalar(
        sa.select(sa.func.max(CharterVersion.frozen_at)).where(
            CharterVersion.charter_id == charter.id
        )
    )


def is_new(clause: Clause, charter: Charter) -> bool:
    """Whether `clause` arrived after the last frozen version (or there is none yet)."""
    return arrived_after(clause, last_frozen_at(charter))


def arrived_after(clause: Clause, moment: datetime | None) -> bool:
    """Whether `clause` arrived after `moment`; every clause counts as new when it is None.
    For pages that list many clauses and look up the moment once."""
    return moment is None or clause.arrived_at > moment


def new_clause_ids(charter: Charter) -> set[int]:
    """The ids of the charter's active clauses that arrived after its last frozen version."""
    moment = last_frozen_at(charter)
    query = sa.select(Clause.id).where(
        Clause.charter_id == charter.id, Clause.status == ClauseStatus.ACTIVE
    )
    if moment is not None:
        query = query.where(Clause.arrived_at > moment)
    return set(db.session.scalars(query))


def clauses_with_changed_source(charter: Charter) -> set[int]:
    """The ids of clauses with an origin whose wording in the minutes changed since."""
    return set(
        db.session.scalars(
            sa.select(ClauseOrigin.clause_id).where(
                ClauseOrigin.charter_id == charter.id, ClauseOrigin.source_changed.is_(True)
            )
        )
    )


def unassigned_count(charter: Charter) -> int:
    """How many active clauses wait in the pool for a chapter."""
    return db.session.scalar(
        sa.select(sa.func.count(Clause.id)).where(
            Clause.charter_id == charter.id,
            Clause.status == ClauseStatus.ACTIVE,
            Clause.chapter_id.is_(None),
        )
    )


def label(clause: Clause) -> str:
    """How people name a clause in the pool: its recommendation number(s)."""
    numbers = [origin.recommendation_number for origin in clause.origins]
    return ", ".join(numbers) if numbers else f"#{clause.id}"


def suggested_chapters(charter: Charter) -> dict[int, Chapter]:
    """The first chapter (in order) made for each guideline, by guideline number."""
    chapters = db.session.scalars(
        sa.select(Chapter)
        .where(Chapter.charter_id == charter.id, Chapter.guideline_id.is_not(None))
        .options(selectinload(Chapter.guideline))
        .order_by(Chapter.position, Chapter.id)
    )
    found: dict[int, Chapter] = {}
    for chapter in chapters:
        found.setdefault(chapter.guideline.number, chapter)
    return found


def suggested_chapter(clause: Clause, by_guideline: dict[int, Chapter]) -> Chapter | None:
    """The chapter the guideline of `clause`'s first origin suggests, if there is one."""
    return by_guideline.get(_guideline_number(clause))


@dataclass
class Pool:
    """Everything the pool page shows about one charter, loaded with a fixed number of
    queries however many recommendations there are."""

    charter: Charter
    chapters: list[Chapter]
    clauses: list[Clause]  # every clause of the charter, in arrival order
    numbers: dict[int, str]  # clause id → "2.3" for clauses in the text
    last_frozen_at: datetime | None
    by_guideline: dict[int, Chapter]

    def is_new(self, clause: Clause) -> bool:
        return arrived_after(clause, self.last_frozen_at)

    def suggestion(self, clause: Clause) -> Chapter | None:
        return suggested_chapter(clause, self.by_guideline)

    def name(self, clause: Clause) -> str:
        """The clause's number in the text, else its recommendation number(s)."""
        return self.numbers.get(clause.id) or label(clause)

    @cached_property
    def active(self) -> list[Clause]:
        return [clause for clause in self.clauses if clause.status is ClauseStatus.ACTIVE]

    @cached_property
    def _chapters_by_id(self) -> dict[int, Chapter]:
        return {chapter.id: chapter for chapter in self.chapters}

    def chapter(self, clause: Clause) -> Chapter | None:
        """The chapter `clause` is assigned to (without a query per clause)."""
        return self._chapters_by_id.get(clause.chapter_id)

    @cached_property
    def _chapter_sizes(self) -> Counter[int]:
        return Counter(clause.chapter_id for clause in self.active if clause.chapter_id)

    def can_move(self, clause: Clause, offset: int) -> bool:
        """Whether `clause` has a neighbour in its chapter in that direction."""
        number = self.numbers.get(clause.id)
        if number is None:
            return False
        place = int(number.split(".")[1]) + offset
        return 1 <= place <= self._chapter_sizes[clause.chapter_id]

    def in_text_order(self) -> list[Clause]:
        """The assigned clauses in the order of the text."""
        order = {chapter.id: index for index, chapter in enumerate(self.chapters)}
        assigned = [clause for clause in self.active if clause.chapter_id is not None]
        return sorted(
            assigned, key=lambda clause: (order[clause.chapter_id], clause.position, clause.id)
        )

    def origins(self, clause: Clause) -> list[dict[str, Any]]:
        """The clause's origins as the `_origins.html` partial expects them."""
        return [
            {**origin_data(origin), "source_changed": origin.source_changed}
            for origin in clause.origins
        ]


def load_pool(charter: Charter) -> Pool:
    """The pool of `charter` with its chapters, clauses, origins and their sessions."""
    chapters = list(
        db.session.scalars(
            sa.select(Chapter)
            .where(Chapter.charter_id == charter.id)
            .options(selectinload(Chapter.guideline))
            .order_by(Chapter.position, Chapter.id)
        )
    )
    clauses = list(
        db.session.scalars(
            sa.select(Clause)
            .where(Clause.charter_id == charter.id)
            .options(
                selectinload(Clause.origins).selectinload(ClauseOrigin.session),
                selectinload(Clause.origins)
                .selectinload(ClauseOrigin.minutes_version)
                .load_only(MinutesVersion.id, MinutesVersion.number),
            )
            .order_by(Clause.arrived_at, Clause.id)
        )
    )
    by_guideline: dict[int, Chapter] = {}
    for chapter in chapters:
        if chapter.guideline is not None:
            by_guideline.setdefault(chapter.guideline.number, chapter)
    return Pool(
        charter=charter,
        chapters=chapters,
        clauses=clauses,
        numbers=_numbers(chapters, clauses),
        last_frozen_at=last_frozen_at(charter),
        by_guideline=by_guideline,
    )


@dataclass(frozen=True)
class MergeTarget:
    id: int
    name: str
    text: str


def merge_targets(clause: Clause, name: Callable[[Clause], str]) -> list[MergeTarget]:
    """The recommendations `clause` may be merged into (the other active ones of its charter),
    each named by `name`; none when `clause` itself is not active."""
    if clause.status is not ClauseStatus.ACTIVE:
        return []
    others = db.session.scalars(
        sa.select(Clause)
        .where(
            Clause.charter_id == clause.charter_id,
            Clause.status == ClauseStatus.ACTIVE,
            Clause.id != clause.id,
        )
        .options(selectinload(Clause.origins))
        .order_by(Clause.id)
    )
    return [MergeTarget(other.id, name(other), other.text_de) for other in others]


def clause_numbers(charter: Charter) -> dict[int, str]:
    """The number ("2.3") of every clause in the working text, by clause id."""
    chapters = list(
        db.session.scalars(
            sa.select(Chapter).where(Chapter.charter_id == charter.id).order_by(Chapter.position)
        )
    )
    clauses = list(
        db.session.scalars(
            sa.select(Clause).where(
                Clause.charter_id == charter.id,
                Clause.status == ClauseStatus.ACTIVE,
                Clause.chapter_id.is_not(None),
            )
        )
    )
    return _numbers(chapters, clauses)


def _numbers(chapters: list[Chapter], clauses: list[Clause]) -> dict[int, str]:
    # The same numbering as content.working_text: chapters 1, 2, … in order, clauses by position.
    by_chapter: dict[int, list[Clause]] = {chapter.id: [] for chapter in chapters}
    for clause in clauses:
        if clause.status is ClauseStatus.ACTIVE and clause.chapter_id in by_chapter:
            by_chapter[clause.chapter_id].append(clause)
    numbers: dict[int, str] = {}
    chapters_in_order = sorted(chapters, key=lambda chapter: (chapter.position, chapter.id))
    for chapter_number, chapter in enumerate(chapters_in_order, start=1):
        ordered = sorted(by_chapter[chapter.id], key=lambda clause: (clause.position, clause.id))
        for clause_number, clause in enumerate(ordered, start=1):
            numbers[clause.id] = f"{chapter_number}.{clause_number}"
    return numbers


def _require_active(clause: Clause) -> None:
    if clause.status is ClauseStatus.SET_ASIDE:
        raise CharterError(_("This recommendation was set aside; please restore it first."))
    if clause.status is ClauseStatus.MERGED:
        raise CharterError(
            _("This recommendation was merged into another one; please edit that one.")
        )


def _in_text(clause: Clause) -> bool:
    return clause.status is ClauseStatus.ACTIVE and clause.chapter_id is not None


def _guideline_number(clause: Clause) -> int | None:
    return clause.origins[0].guideline_number if clause.origins else None


def _next_position(chapter: Chapter) -> int:
    highest = db.session.scalar(
        sa.select(sa.func.max(Clause.position)).where(
            Clause.chapter_id == chapter.id, Clause.status == ClauseStatus.ACTIVE
        )
    )
    return (highest or 0) + 1
