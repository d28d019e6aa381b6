"""What a charter's pool holds, for its pages and its changes: which clauses are new since the
last frozen version, how clauses are named and numbered, which chapter a guideline suggests,
and one page of the pool loaded in a fixed number of queries.
"""

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
from eventsys.database import contains_ignoring_case
from eventsys.experts.search import matches_every_word
from eventsys.extensions import db
from eventsys.sessions.models import Session


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


POOL_PAGE_SIZE = 25


@dataclass(frozen=True)
class PoolFilter:
    """What the pool page shows: a state (see forms.POOL_STATES), only what is new since the
    last version, the words the recommendation must contain, and the session whose minutes
    it came from. Empty values do not filter."""

    state: str = "unassigned"
    new_only: bool = False
    words: str = ""
    session_id: int | None = None


@dataclass(frozen=True)
class PoolSession:
    """A session some of the charter's recommendations come from, for the filter."""

    id: int
    title: str
    starts_at: datetime


@dataclass
class PoolPage:
    """One page of a charter's pool with what it shows about each recommendation, loaded with
    a fixed number of queries however many recommendations the charter holds."""

    charter: Charter
    chapters: list[Chapter]
    page: Any  # a db.paginate() result of clauses
    numbers: dict[int, str]  # clause id → "2.3", for the page's clauses and their merge targets
    last_frozen_at: datetime | None
    by_guideline: dict[int, Chapter]
    chapter_sizes: dict[int, int]  # active clauses per chapter id
    active_count: int
    suggestable: int  # unassigned clauses whose guideline has a chapter

    @property
    def clauses(self) -> list[Clause]:
        return list(self.page.items)

    def is_new(self, clause: Clause) -> bool:
        return arrived_after(clause, self.last_frozen_at)

    def suggestion(self, clause: Clause) -> Chapter | None:
        return suggested_chapter(clause, self.by_guideline)

    def name(self, clause: Clause) -> str:
        """The clause's number in the text, else its recommendation number(s)."""
        return self.numbers.get(clause.id) or label(clause)

    @cached_property
    def _chapters_by_id(self) -> dict[int, Chapter]:
        return {chapter.id: chapter for chapter in self.chapters}

    def chapter(self, clause: Clause) -> Chapter | None:
        """The chapter `clause` is assigned to (without a query per clause)."""
        return self._chapters_by_id.get(clause.chapter_id)

    def can_move(self, clause: Clause, offset: int) -> bool:
        """Whether `clause` has a neighbour in its chapter in that direction."""
        number = self.numbers.get(clause.id)
        if number is None or clause.status is not ClauseStatus.ACTIVE:
            return False
        place = int(number.split(".")[1]) + offset
        return 1 <= place <= self.chapter_sizes.get(clause.chapter_id, 0)

    def origins(self, clause: Clause) -> list[dict[str, Any]]:
        """The clause's origins as the `_origins.html` partial expects them."""
        return [
            {**origin_data(origin), "source_changed": origin.source_changed}
            for origin in clause.origins
        ]


def _contains_word(word: str) -> sa.ColumnElement[bool]:
    """Whether a clause's wording (German or English), an origin's wording in the minutes or its
    recommendation number contains `word`, whatever its case."""
    in_origins = sa.exists().where(
        ClauseOrigin.clause_id == Clause.id,
        sa.or_(
            contains_ignoring_case(ClauseOrigin.original_text, word),
            contains_ignoring_case(ClauseOrigin.recommendation_number, word),
        ),
    )
    return sa.or_(
        contains_ignoring_case(Clause.text_de, word),
        contains_ignoring_case(Clause.text_en, word),
        in_origins,
    )


def _first_guideline() -> sa.ScalarSelect:
    """The guideline number of a clause's first origin (in the order of `Clause.origins`)."""
    return (
        sa.select(ClauseOrigin.guideline_number)
        .where(ClauseOrigin.clause_id == Clause.id)
        .order_by(ClauseOrigin.session_id, ClauseOrigin.topic_position, ClauseOrigin.id)
        .limit(1)
        .correlate(Clause)
        .scalar_subquery()
    )


def pool_query(charter: Charter, filters: PoolFilter, moment: datetime | None) -> sa.Select:
    """The charter's clauses that `filters` asks for, in the order the page shows them: the
    text's order for assigned ones, otherwise the order they arrived in."""
    query = sa.select(Clause).where(Clause.charter_id == charter.id)
    active = Clause.status == ClauseStatus.ACTIVE
    if filters.state == "assigned":
        query = (
            query.join(Chapter, Clause.chapter_id == Chapter.id)
            .where(active)
            .order_by(Chapter.position, Chapter.id, Clause.position, Clause.id)
        )
    else:
        if filters.state == "unassigned":
            query = query.where(active, Clause.chapter_id.is_(None))
        elif filters.state != "all":
            query = query.where(Clause.status == ClauseStatus(filters.state))
        query = query.order_by(Clause.arrived_at, Clause.id)
    if filters.new_only and moment is not None:
        query = query.where(Clause.arrived_at > moment)
    for word in filters.words.split():
        query = query.where(_contains_word(word))
    if filters.session_id is not None:
        query = query.where(
            sa.exists().where(
                ClauseOrigin.clause_id == Clause.id, ClauseOrigin.session_id == filters.session_id
            )
        )
    return query


def _numbers_of(charter: Charter, chapters: list[Chapter], ids: set[int]) -> dict[int, str]:
    """The number ("2.3") in the working text of each clause in `ids` that has one, counted
    by the database (the same numbering as `_numbers`)."""
    if not ids:
        return {}
    place = (
        sa.func.row_number()
        .over(partition_by=Clause.chapter_id, order_by=(Clause.position, Clause.id))
        .label("place")
    )
    ranked = (
        sa.select(Clause.id, Clause.chapter_id, place)
        .where(
            Clause.charter_id == charter.id,
            Clause.status == ClauseStatus.ACTIVE,
            Clause.chapter_id.is_not(None),
        )
        .subquery()
    )
    chapter_numbers = {
        chapter.id: number
        for number, chapter in enumerate(
            sorted(chapters, key=lambda chapter: (chapter.position, chapter.id)), start=1
        )
    }
    rows = db.session.execute(
        sa.select(ranked.c.id, ranked.c.chapter_id, ranked.c.place).where(ranked.c.id.in_(ids))
    )
    return {
        clause_id: f"{chapter_numbers[chapter_id]}.{place}"
        for clause_id, chapter_id, place in rows
        if chapter_id in chapter_numbers
    }


def clauses_of(charter: Charter, ids: list[int]) -> list[Clause]:
    """The clauses of `charter` among `ids` (others are left out), with their origins, in the
    order they arrived."""
    return list(
        db.session.scalars(
            sa.select(Clause)
            .where(Clause.charter_id == charter.id, Clause.id.in_(ids))
            .options(selectinload(Clause.origins))
            .order_by(Clause.arrived_at, Clause.id)
        )
    )


def pool_sessions(charter: Charter) -> list[PoolSession]:
    """The sessions the charter's recommendations come from, most recent first."""
    rows = db.session.execute(
        sa.select(Session.id, Session.title, Session.starts_at)
        .where(
            Session.id.in_(
                sa.select(ClauseOrigin.session_id).where(ClauseOrigin.charter_id == charter.id)
            )
        )
        .order_by(Session.starts_at.desc(), Session.id.desc())
    )
    return [PoolSession(*row) for row in rows]


def load_pool_page(
    charter: Charter, filters: PoolFilter, page: int, per_page: int = POOL_PAGE_SIZE
) -> PoolPage:
    """One page of the pool of `charter` as `filters` asks for it, with its chapters, the
    page's origins and their sessions, and the counts the page shows."""
    chapters = list(
        db.session.scalars(
            sa.select(Chapter)
            .where(Chapter.charter_id == charter.id)
            .options(selectinload(Chapter.guideline))
            .order_by(Chapter.position, Chapter.id)
        )
    )
    by_guideline: dict[int, Chapter] = {}
    for chapter in chapters:
        if chapter.guideline is not None:
            by_guideline.setdefault(chapter.guideline.number, chapter)
    moment = last_frozen_at(charter)
    shown = db.paginate(
        pool_query(charter, filters, moment).options(
            *WITH_ORIGINS, selectinload(Clause.merged_into).selectinload(Clause.origins)
        ),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    ids = {clause.id for clause in shown.items}
    ids |= {clause.merged_into_id for clause in shown.items if clause.merged_into_id}
    sizes = dict(
        db.session.execute(
            sa.select(Clause.chapter_id, sa.func.count(Clause.id))
            .where(
                Clause.charter_id == charter.id,
                Clause.status == ClauseStatus.ACTIVE,
                Clause.chapter_id.is_not(None),
            )
            .group_by(Clause.chapter_id)
        ).all()
    )
    active_count, suggestable = db.session.execute(
        sa.select(
            sa.func.count(Clause.id),
            sa.func.count(Clause.id).filter(
                Clause.chapter_id.is_(None), _first_guideline().in_(list(by_guideline))
            ),
        ).where(Clause.charter_id == charter.id, Clause.status == ClauseStatus.ACTIVE)
    ).one()
    return PoolPage(
        charter=charter,
        chapters=chapters,
        page=shown,
        numbers=_numbers_of(charter, chapters, ids),
        last_frozen_at=moment,
        by_guideline=by_guideline,
        chapter_sizes=sizes,
        active_count=active_count,
        suggestable=suggestable or 0,
    )


@dataclass(frozen=True)
class MergeTarget:
    id: int
    name: str
    text: str


# The clause page lists at most this many recommendations to merge into; a pool holds
# thousands (50 workshops of 40 TOPs), which are found by a search instead.
MERGE_TARGETS_SHOWN = 100


@dataclass(frozen=True)
class MergeTargets:
    targets: list[MergeTarget]
    more: bool  # more recommendations match than are listed


def merge_targets(clause: Clause, name: Callable[[Clause], str], words: str = "") -> MergeTargets:
    """The recommendations `clause` may be merged into (the other active ones of its charter),
    each named by `name`, at most MERGE_TARGETS_SHOWN of them; with `words`, those whose wording
    holds every word, or whose recommendation number is `words`. None when `clause` itself is
    not active."""
    if clause.status is not ClauseStatus.ACTIVE:
        return MergeTargets([], more=False)
    query = sa.select(Clause).where(
        Clause.charter_id == clause.charter_id,
        Clause.status == ClauseStatus.ACTIVE,
        Clause.id != clause.id,
    )
    if words:
        numbered = sa.select(ClauseOrigin.clause_id).where(
            ClauseOrigin.charter_id == clause.charter_id,
            sa.func.upper(ClauseOrigin.recommendation_number) == words.upper(),
        )
        worded = matches_every_word(words, Clause.text_de, Clause.text_en)
        query = query.where(sa.or_(worded, Clause.id.in_(numbered)))
    found = list(
        db.session.scalars(
            query.options(selectinload(Clause.origins))
            .order_by(Clause.id)
            .limit(MERGE_TARGETS_SHOWN + 1)
        )
    )
    shown = found[:MERGE_TARGETS_SHOWN]
    return MergeTargets(
        [MergeTarget(other.id, name(other), other.text_de) for other in shown],
        more=len(found) > MERGE_TARGETS_SHOWN,
    )


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
