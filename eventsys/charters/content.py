"""A charter's whole text as plain data: what freezing stores, what the PDF, the diff and the
consultation pages are rendered from.

The working text (chapters and the clauses assigned to them) and a frozen version have the
same shape, so that everything that reads a version can read the draft in the works too.

Schema "eventsys.charter/1":

    {"schema", "charter": {"id", "title_de", "title_en", "preamble_de", "preamble_en"},
     "version": {"label", "major", "minor"} or None for the working text,
     "chapters": [{"id", "number", "title_de", "title_en", "introduction_de",
                   "introduction_en",
                   "clauses": [{"id", "number", "text_de", "text_en",
                                "origins": [{"recommendation_number", "original_text",
                                             "actors", "session_id", "session_title",
                                             "session_kind", "session_starts_at",
                                             "topic_position", "topic_title",
                                             "minutes_version_id",
                                             "minutes_version_number"}]}]}]}

Chapters are numbered 1, 2, …; a clause's number is "<chapter>.<n>". Times are ISO 8601 in UTC.
Loads with a fixed number of queries, however long the charter is.
"""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from eventsys.charters.models import Chapter, Charter, Clause, ClauseOrigin
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db
from eventsys.minutes.models import MinutesVersion

SCHEMA = "eventsys.charter/1"


# Loader options for clauses shown with their origins: the session, and of the minutes version
# only its number (not the stored PDF).
WITH_ORIGINS = (
    selectinload(Clause.origins).selectinload(ClauseOrigin.session),
    selectinload(Clause.origins)
    .selectinload(ClauseOrigin.minutes_version)
    .load_only(MinutesVersion.id, MinutesVersion.number),
)


def working_text(charter: Charter) -> dict[str, Any]:
    """The charter as it stands now, not yet frozen."""
    chapters = list(
        db.session.scalars(
            sa.select(Chapter)
            .where(Chapter.charter_id == charter.id)
            .order_by(Chapter.position, Chapter.id)
        )
    )
    clauses_by_chapter: dict[int, list[Clause]] = {chapter.id: [] for chapter in chapters}
    for clause in _assigned_clauses(charter):
        clauses_by_chapter[clause.chapter_id].append(clause)
    return {
        "schema": SCHEMA,
        "charter": charter_data(charter),
        "version": None,
        "chapters": [
            chapter_data(chapter, number, clauses_by_chapter[chapter.id])
            for number, chapter in enumerate(chapters, start=1)
        ],
    }


def charter_data(charter: Charter) -> dict[str, Any]:
    return {
        "id": charter.id,
        "title_de": charter.title_de,
        "title_en": charter.title_en or "",
        "preamble_de": charter.preamble_de or "",
        "preamble_en": charter.preamble_en or "",
    }


def with_version(content: dict[str, Any], major: int, minor: int) -> dict[str, Any]:
    """The same text, labelled as version `major.minor`."""
    return {**content, "version": {"label": f"{major}.{minor}", "major": major, "minor": minor}}


def clauses_of(content: dict[str, Any]) -> list[dict[str, Any]]:
    """Every clause of a text, in order, each with its chapter's number as "chapter"."""
    return [
        {**clause, "chapter": chapter["number"]}
        for chapter in content["chapters"]
        for clause in chapter["clauses"]
    ]


def _assigned_clauses(charter: Charter) -> list[Clause]:
    query = (
        sa.select(Clause)
        .where(
            Clause.charter_id == charter.id,
            Clause.status == ClauseStatus.ACTIVE,
            Clause.chapter_id.is_not(None),
        )
        .options(*WITH_ORIGINS)
        .order_by(Clause.position, Clause.id)
    )
    return list(db.session.scalars(query))


def chapter_data(
    chapter: Chapter, number: int, clauses: list[Clause], first: int = 1
) -> dict[str, Any]:
    """Chapter number `number` with `clauses`, numbered from its `first` clause on."""
    return {
        "id": chapter.id,
        "number": number,
        "title_de": chapter.title_de,
        "title_en": chapter.title_en or "",
        "introduction_de": chapter.introduction_de or "",
        "introduction_en": chapter.introduction_en or "",
        "clauses": [
            _clause_data(clause, f"{number}.{position}")
            for position, clause in enumerate(clauses, start=first)
        ],
    }


def _clause_data(clause: Clause, number: str) -> dict[str, Any]:
    return {
        "id": clause.id,
        "number": number,
        "text_de": clause.text_de,
        "text_en": clause.text_en or "",
        "origins": [origin_data(origin) for origin in clause.origins],
    }


def origin_data(origin: ClauseOrigin) -> dict[str, Any]:
    """One origin as the text holds it (also what the pool and provenance pages show)."""
    session = origin.session
    return {
        "recommendation_number": origin.recommendation_number,
        "original_text": origin.original_text,
        "actors": origin.actors or "",
        "session_id": session.id,
        "session_title": session.title,
        "session_kind": session.kind.value,
        "session_starts_at": session.starts_at.isoformat(),
        "topic_position": origin.topic_position,
        "topic_title": origin.topic_title,
        "minutes_version_id": origin.minutes_version_id,
        "minutes_version_number": origin.minutes_version.number,
    }
