"""A charter's text shown a page at a time: the working draft and each frozen version.

A national charter holds thousands of recommendations; one page of all of them is megabytes
of HTML. A page holds `CLAUSES_PER_PAGE` clauses in the order of the text, with the headings
of the chapters they belong to (a chapter that began on an earlier page is marked as
continued), and the table of contents tells on which page each chapter starts. A text of up to
`CLAUSES_PER_PAGE` clauses is one page, as before.

The working draft loads only the page's clauses (with a fixed number of queries); a frozen
version's text is stored whole and is cut to the page.
"""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from eventsys.charters.content import (
    SCHEMA,
    WITH_ORIGINS,
    chapter_data,
    charter_data,
)
from eventsys.charters.models import Chapter, Charter, Clause
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db
from eventsys.templating import PageLinks

CLAUSES_PER_PAGE = 100


@dataclass(frozen=True)
class ContentsEntry:
    """A chapter in the table of contents."""

    id: int
    number: int
    title_de: str
    title_en: str
    clauses: int
    page: int  # where it starts


@dataclass(frozen=True)
class TextPage(PageLinks):
    """One page of a text; `text` has the shape of the whole text (`content.SCHEMA`) with only
    this page's chapters and clauses. Offers what the pager macro reads."""

    text: dict[str, Any]
    page: int
    pages: int
    contents: list[ContentsEntry]
    continued: frozenset[int]  # ids of the chapters on this page that began on an earlier one
    total: int  # clauses in the whole text

    @property
    def per_page(self) -> int:
        return CLAUSES_PER_PAGE


@dataclass(frozen=True)
class _Span:
    """Which of a chapter's clauses a page shows: [start, stop) in the chapter's own order."""

    chapter: int  # position in the text, from 0
    start: int
    stop: int


def _layout(sizes: list[int], page: int) -> tuple[int, int, list[int], list[_Span]]:
    """For chapters of `sizes` clauses: the page shown (`page` kept within the text), the page
    count, each chapter's first page and the spans of the chapters on the page shown."""
    total = sum(sizes)
    pages = max(1, -(-total // CLAUSES_PER_PAGE))
    page = min(page, pages)
    low, high = (page - 1) * CLAUSES_PER_PAGE, page * CLAUSES_PER_PAGE
    first_pages: list[int] = []
    spans: list[_Span] = []
    begins = 0
    for index, size in enumerate(sizes):
        first_page = min(pages, begins // CLAUSES_PER_PAGE + 1)
        first_pages.append(first_page)
        ends = begins + size
        if size == 0:
            if first_page == page:
                spans.append(_Span(index, 0, 0))
        elif begins < high and ends > low:
            spans.append(_Span(index, max(low, begins) - begins, min(high, ends) - begins))
        begins = ends
    return page, pages, first_pages, spans


def version_page(content: dict[str, Any], page: int) -> TextPage:
    """Page `page` of a stored text (a frozen version's content)."""
    chapters = content["chapters"]
    sizes = [len(chapter["clauses"]) for chapter in chapters]
    page, pages, first_pages, spans = _layout(sizes, page)
    shown = [
        {
            **chapters[span.chapter],
            "clauses": chapters[span.chapter]["clauses"][span.start : span.stop],
        }
        for span in spans
    ]
    return TextPage(
        text={**content, "chapters": shown},
        page=page,
        pages=pages,
        contents=_contents(chapters, sizes, first_pages),
        continued=frozenset(chapters[span.chapter]["id"] for span in spans if span.start > 0),
        total=sum(sizes),
    )


def working_page(charter: Charter, page: int) -> TextPage:
    """Page `page` of the charter's working text, loading only that page's clauses."""
    chapters = list(
        db.session.scalars(
            sa.select(Chapter)
            .where(Chapter.charter_id == charter.id)
            .order_by(Chapter.position, Chapter.id)
        )
    )
    sizes_by_id = dict(
        db.session.execute(
            sa.select(Clause.chapter_id, sa.func.count(Clause.id))
            .where(_assigned(charter))
            .group_by(Clause.chapter_id)
        ).all()
    )
    sizes = [sizes_by_id.get(chapter.id, 0) for chapter in chapters]
    page, pages, first_pages, spans = _layout(sizes, page)
    clauses = _clauses_of_page(charter, page)
    shown = []
    taken = 0
    for span in spans:
        count = span.stop - span.start
        chapter = chapters[span.chapter]
        shown.append(
            chapter_data(
                chapter,
                span.chapter + 1,
                clauses[taken : taken + count],
                first=span.start + 1,
            )
        )
        taken += count
    return TextPage(
        text={
            "schema": SCHEMA,
            "charter": charter_data(charter),
            "version": None,
            "chapters": shown,
        },
        page=page,
        pages=pages,
        contents=_contents(
            [{"id": c.id, "title_de": c.title_de, "title_en": c.title_en or ""} for c in chapters],
            sizes,
            first_pages,
        ),
        continued=frozenset(chapters[span.chapter].id for span in spans if span.start > 0),
        total=sum(sizes),
    )


def _assigned(charter: Charter) -> sa.ColumnElement[bool]:
    return sa.and_(
        Clause.charter_id == charter.id,
        Clause.status == ClauseStatus.ACTIVE,
        Clause.chapter_id.is_not(None),
    )


def _clauses_of_page(charter: Charter, page: int) -> list[Clause]:
    """The page's clauses in the order of the text (chapter by chapter, each in its order)."""
    return list(
        db.session.scalars(
            sa.select(Clause)
            .join(Chapter, Chapter.id == Clause.chapter_id)
            .where(_assigned(charter))
            .options(*WITH_ORIGINS)
            .order_by(Chapter.position, Chapter.id, Clause.position, Clause.id)
            .offset((page - 1) * CLAUSES_PER_PAGE)
            .limit(CLAUSES_PER_PAGE)
        )
    )


def _contents(
    chapters: list[dict[str, Any]], sizes: list[int], first_pages: list[int]
) -> list[ContentsEntry]:
    return [
        ContentsEntry(
            id=chapter["id"],
            number=number,
            title_de=chapter["title_de"],
            title_en=chapter.get("title_en") or "",
            clauses=size,
            page=first_page,
        )
        for number, (chapter, size, first_page) in enumerate(
            zip(chapters, sizes, first_pages, strict=True), start=1
        )
    ]
