"""Searching the index: one page of results, best first, each with where it belongs, its link
and its text with the words found marked.

A page asks the database a fixed number of questions, however large the index and whatever
the results are: how many entries match, the page of them, then for the page's entries their
sessions, TOPs, charters and versions, and where the draft's recommendations now stand.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from markupsafe import Markup
from sqlalchemy.orm import aliased

from eventsys.charters.models import Chapter, Charter, CharterVersion, Clause
from eventsys.charters.states import ClauseStatus
from eventsys.charters.text_pages import CLAUSES_PER_PAGE
from eventsys.extensions import db
from eventsys.minutes.models import MinutesComment, MinutesTopic
from eventsys.search import engines
from eventsys.search.models import MINUTES_KINDS, SearchEntry, SearchKind
from eventsys.search.text import Query, marked, parse_query
from eventsys.sessions.models import Session
from eventsys.templating import PageLinks

RESULTS_PER_PAGE = 20


@dataclass(frozen=True)
class Link:
    endpoint: str
    values: dict[str, object]
    anchor: str | None = None

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **self.values, _anchor=self.anchor)


@dataclass(frozen=True)
class Result:
    """One entry found, with what a reader needs to recognise and open it."""

    kind: SearchKind
    link: Link
    text: Markup  # the entry's text (or the part around the first word found), marked
    session_title: str = ""
    session_starts_at: datetime | None = None
    topic_number: int | None = None
    topic_title: str = ""
    charter_title: str = ""
    version_label: str = ""  # "" for the working text
    clause_number: str = ""
    chapter_title: str = ""

    @property
    def in_minutes(self) -> bool:
        return self.kind in MINUTES_KINDS


@dataclass(frozen=True)
class ResultPage(PageLinks):
    """A page of results; offers what the pager macro reads."""

    query: Query
    results: list[Result]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // RESULTS_PER_PAGE))

    @property
    def first_number(self) -> int:
        return (self.page - 1) * RESULTS_PER_PAGE + 1


def search(typed: str | None, page: int = 1, language: str = "de") -> ResultPage:
    """Page `page` of what matches the query `typed` (read by `text.parse_query`, so no input
    is syntax to the database); an empty query finds nothing and asks nothing."""
    query = parse_query(typed)
    if query.is_empty:
        return ResultPage(query=query, results=[], total=0, page=1)
    dialect = db.session.get_bind().dialect.name
    matching, relevance = engines.matching(sa.select(SearchEntry.id), query, dialect)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(matching.subquery()))
    page = min(page, max(1, -(-total // RESULTS_PER_PAGE)))
    found, _ = engines.matching(sa.select(SearchEntry), query, dialect)
    entries = list(
        db.session.scalars(
            found.order_by(relevance, SearchEntry.id)
            .offset((page - 1) * RESULTS_PER_PAGE)
            .limit(RESULTS_PER_PAGE)
        )
    )
    return ResultPage(
        query=query, results=_results(entries, query, language), total=total, page=page
    )


def _results(entries: list[SearchEntry], query: Query, language: str) -> list[Result]:
    places = _Places(entries, language)
    results = []
    for entry in entries:
        result = places.result_of(entry, marked(entry.body, query.stems))
        if result is not None:
            results.append(result)
    return results


class _Places:
    """Where the entries of a page belong, each kind of place loaded in one query."""

    def __init__(self, entries: list[SearchEntry], language: str) -> None:
        self.language = language
        comment_topics = _by_id(
            sa.select(MinutesComment.id, MinutesComment.topic_id),
            MinutesComment.id,
            {e.minutes_comment_id for e in entries if e.minutes_comment_id},
        )
        self.comment_topic = {id_: row.topic_id for id_, row in comment_topics.items()}
        self.topics = _by_id(
            sa.select(MinutesTopic.id, MinutesTopic.position, MinutesTopic.title),
            MinutesTopic.id,
            {e.topic_id for e in entries if e.topic_id} | set(self.comment_topic.values()),
        )
        self.sessions = _by_id(
            sa.select(Session.id, Session.title, Session.title_en, Session.starts_at),
            Session.id,
            {e.session_id for e in entries if e.session_id},
        )
        self.charters = _by_id(
            sa.select(Charter.id, Charter.title_de, Charter.title_en),
            Charter.id,
            {e.charter_id for e in entries if e.charter_id},
        )
        self.versions = _by_id(
            sa.select(CharterVersion.id, CharterVersion.major, CharterVersion.minor),
            CharterVersion.id,
            {e.version_id for e in entries if e.version_id},
        )
        self.draft = _draft_places(
            {e.clause_id for e in entries if e.kind is SearchKind.DRAFT_CLAUSE}, language
        )

    def result_of(self, entry: SearchEntry, text: Markup) -> Result | None:
        if entry.kind in MINUTES_KINDS:
            return self._in_minutes(entry, text)
        return self._in_charter(entry, text)

    def _in_minutes(self, entry: SearchEntry, text: Markup) -> Result | None:
        session = self.sessions.get(entry.session_id)
        if session is None:
            return None
        topic_id = entry.topic_id or self.comment_topic.get(entry.minutes_comment_id)
        topic = self.topics.get(topic_id)
        if entry.kind is SearchKind.MINUTES_COMMENT:
            anchor = f"comment-{entry.minutes_comment_id}"
            link = Link("minutes.comments", {"session_id": session.id}, anchor)
        else:
            anchor = f"top-{topic.position}" if topic is not None else None
            link = Link("minutes.edit", {"session_id": session.id}, anchor)
        english = self.language == "en" and session.title_en
        return Result(
            kind=entry.kind,
            link=link,
            text=text,
            session_title=session.title_en if english else session.title,
            session_starts_at=session.starts_at,
            topic_number=topic.position if topic is not None else None,
            topic_title=topic.title if topic is not None else "",
        )

    def _in_charter(self, entry: SearchEntry, text: Markup) -> Result | None:
        charter = self.charters.get(entry.charter_id)
        if charter is None:
            return None
        english = self.language == "en" and charter.title_en
        common = {
            "kind": entry.kind,
            "text": text,
            "charter_title": charter.title_en if english else charter.title_de,
        }
        if entry.kind is SearchKind.DRAFT_CLAUSE:
            place = self.draft.get(entry.clause_id)
            if place is None:  # (taken out of the text since it was indexed)
                return None
            values = {"charter_id": charter.id, "page": place.page}
            return Result(
                link=Link("charters.draft", values, f"clause-{entry.clause_id}"),
                clause_number=place.number,
                chapter_title=place.chapter_title,
                **common,
            )
        version = self.versions.get(entry.version_id)
        if version is None:
            return None
        values = {"charter_id": charter.id, "major": version.major, "minor": version.minor}
        label = f"{version.major}.{version.minor}"
        if entry.kind is SearchKind.CHARTER_COMMENT:
            link = Link("charters.consultation_comments", values, f"comment-{entry.source_id}")
            return Result(link=link, version_label=label, **common)
        values["page"] = (entry.ordinal or 0) // CLAUSES_PER_PAGE + 1
        return Result(
            link=Link("charters.version", values, f"clause-{entry.clause_id}"),
            version_label=label,
            clause_number=entry.label,
            chapter_title=entry.title,
            **common,
        )


def _by_id(query: sa.Select, id_column, ids: set[int]) -> dict[int, sa.Row]:
    if not ids:
        return {}
    return {row.id: row for row in db.session.execute(query.where(id_column.in_(sorted(ids))))}


@dataclass(frozen=True)
class _DraftPlace:
    page: int
    number: str
    chapter_title: str


def _draft_places(clause_ids: set[int], language: str) -> dict[int, _DraftPlace]:
    """Where recommendations of working texts stand now: the page of the draft they are on,
    their number and their chapter's title (in `language` where it has one); one query,
    however long the texts are."""
    if not clause_ids:
        return {}
    chapter = aliased(Chapter)
    other, other_chapter, earlier_chapter = aliased(Clause), aliased(Chapter), aliased(Chapter)
    in_text = sa.and_(
        other.charter_id == Clause.charter_id,
        other.status == ClauseStatus.ACTIVE,
        other.chapter_id.is_not(None),
    )
    before_in_chapter = sa.or_(
        other.position < Clause.position,
        sa.and_(other.position == Clause.position, other.id < Clause.id),
    )
    clauses_before = (
        sa.select(sa.func.count(other.id))
        .join(other_chapter, other_chapter.id == other.chapter_id)
        .where(
            in_text,
            sa.or_(
                other_chapter.position < chapter.position,
                sa.and_(other_chapter.position == chapter.position, other_chapter.id < chapter.id),
                sa.and_(other_chapter.id == chapter.id, before_in_chapter),
            ),
        )
        .scalar_subquery()
    )
    before_in_own_chapter = (
        sa.select(sa.func.count(other.id))
        .where(in_text, other.chapter_id == chapter.id, before_in_chapter)
        .scalar_subquery()
    )
    chapters_before = (
        sa.select(sa.func.count(earlier_chapter.id))
        .where(
            earlier_chapter.charter_id == chapter.charter_id,
            sa.or_(
                earlier_chapter.position < chapter.position,
                sa.and_(
                    earlier_chapter.position == chapter.position, earlier_chapter.id < chapter.id
                ),
            ),
        )
        .scalar_subquery()
    )
    query = (
        sa.select(
            Clause.id,
            chapter.title_de,
            chapter.title_en,
            clauses_before,
            chapters_before,
            before_in_own_chapter,
        )
        .join(chapter, chapter.id == Clause.chapter_id)
        .where(Clause.id.in_(sorted(clause_ids)), Clause.status == ClauseStatus.ACTIVE)
    )
    return {
        clause_id: _DraftPlace(
            page=ordinal // CLAUSES_PER_PAGE + 1,
            number=f"{chapters + 1}.{in_chapter + 1}",
            chapter_title=title_en if language == "en" and title_en else title_de,
        )
        for clause_id, title_de, title_en, ordinal, chapters, in_chapter in db.session.execute(
            query
        )
    }
