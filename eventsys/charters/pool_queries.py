"""What a charter's pool holds, for its pages and its changes: which clauses are new since the
last frozen version, how clauses are named and numbered, which chapter a guideline suggests,
and the whole pool page loaded in a fixed number of queries.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventsys.charters.content import WITH_ORIGINS, origin_data
from eventsys.charters.models import Chapter, Charter, CharterVersion, Clause, ClauseOrigin
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db


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
    return by_guideline.get(guideline_number(clause))


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
            .options(*WITH_ORIGINS)
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


def guideline_number(clause: Clause) -> int | None:
    """The number of the guideline of `clause`'s first origin, if it has one."""
    return clause.origins[0].guideline_number if clause.origins else None
