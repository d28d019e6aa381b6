"""Where the charter's sentences come from, and where a session's recommendations went.

Both directions read the records the other parts keep: a clause's origins (session, TOP,
minutes version) and the VersionClause rows written when a version is frozen. Each trail loads
with a fixed number of queries, however many origins, versions or recommendations there are.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defer, selectinload

from eventsys.charters import content
from eventsys.charters.intake import recommendations_in
from eventsys.charters.models import (
    Chapter,
    Charter,
    CharterVersion,
    Clause,
    ClauseOrigin,
    VersionClause,
)
from eventsys.charters.states import ClauseStatus
from eventsys.extensions import db
from eventsys.minutes.models import Minutes, MinutesVersion
from eventsys.sessions.models import Session


@dataclass(frozen=True)
class WorkingPlace:
    """Where an assigned clause stands in the working text: chapter 2, number "2.3"."""

    chapter_number: int
    number: str


@dataclass(frozen=True)
class VersionNumber:
    """A frozen version that contains a clause, and the clause's number in it."""

    version: CharterVersion
    number: str


@dataclass
class ClauseTrail:
    """A clause with everything it came from and everything it went into.

    `origins` are origin dicts shaped as in content.py, with the live state added:
    "source_changed", "latest_minutes_version_number" and "minutes_version_is_latest"."""

    clause: Clause
    place: WorkingPlace | None
    origins: list[dict[str, Any]]
    versions: list[VersionNumber]
    merged_into: Clause | None
    merged_into_place: WorkingPlace | None
    merged_from: list[Clause]


@dataclass(frozen=True)
class SessionRecommendation:
    """A recommendation as the session's latest approved minutes state it."""

    number: str
    text: str
    actors: str
    guideline: dict[str, Any] | None
    topic_position: int
    topic_title: str


@dataclass
class RecommendationInCharter:
    """What one recommendation became in one charter: its clause (None while the charter has
    not taken it in), followed through merges to the clause that carries it now."""

    recommendation: SessionRecommendation
    clause: Clause | None = None
    place: WorkingPlace | None = None
    merged_into: Clause | None = None
    merged_into_place: WorkingPlace | None = None
    versions: list[VersionNumber] = field(default_factory=list)


@dataclass
class CharterReach:
    charter: Charter
    rows: list[RecommendationInCharter]


@dataclass
class SessionTrail:
    """A session's recommendations and, per charter, where each one went. Without approved
    minutes `minutes_version` is None and there is nothing to follow."""

    session: Session
    minutes_version: MinutesVersion | None
    recommendations: list[SessionRecommendation]
    charters: list[CharterReach]


def clause_trail(clause: Clause) -> ClauseTrail:
    """The origins of `clause` (with whether their minutes were corrected since), the frozen
    versions containing it with its number in each, and the merges it took part in."""
    origins = list(
        db.session.scalars(
            sa.select(ClauseOrigin)
            .where(ClauseOrigin.clause_id == clause.id)
            .options(
                selectinload(ClauseOrigin.session),
                selectinload(ClauseOrigin.minutes_version).load_only(
                    MinutesVersion.id, MinutesVersion.number, MinutesVersion.minutes_id
                ),
            )
            .order_by(ClauseOrigin.session_id, ClauseOrigin.topic_position, ClauseOrigin.id)
        )
    )
    latest = _latest_version_numbers(origin.minutes_version.minutes_id for origin in origins)
    merged_from = list(
        db.session.scalars(
            sa.select(Clause).where(Clause.merged_into_id == clause.id).order_by(Clause.id)
        )
    )
    merged_into = clause.merged_into if clause.status is ClauseStatus.MERGED else None
    places = working_places([clause.charter_id])
    return ClauseTrail(
        clause=clause,
        place=places.get(clause.id),
        origins=[
            _live_origin(origin, latest[origin.minutes_version.minutes_id]) for origin in origins
        ],
        versions=_versions_containing([clause.id])[clause.id],
        merged_into=merged_into,
        merged_into_place=places.get(merged_into.id) if merged_into else None,
        merged_from=merged_from,
    )


def session_trail(session: Session) -> SessionTrail:
    """The recommendations of the session's latest approved minutes and, for every charter,
    the clause each became, where that clause stands now and the frozen versions containing
    it."""
    version = latest_approved_minutes(session)
    if version is None:
        return SessionTrail(session, None, [], [])
    recommendations = [
        SessionRecommendation(
            number=recommendation["number"],
            text=recommendation["text"],
            actors=recommendation.get("actors") or "",
            guideline=recommendation.get("guideline"),
            topic_position=topic["position"],
            topic_title=topic["title"],
        )
        for topic, recommendation in recommendations_in(version.content)
    ]
    charters = list(db.session.scalars(sa.select(Charter).order_by(Charter.id)))
    clauses = _clauses_of_recommendations(session, [r.number for r in recommendations])
    places = working_places([charter.id for charter in charters])
    versions = _versions_containing({clause.id for clause in clauses.values()})
    reach = []
    for charter in charters:
        rows = []
        for recommendation in recommendations:
            row = RecommendationInCharter(recommendation)
            clause = clauses.get((charter.id, recommendation.number))
            if clause is not None:
                row.clause = clause
                row.place = places.get(clause.id)
                row.versions = versions[clause.id]
                if clause.status is ClauseStatus.MERGED:
                    row.merged_into = _surviving(clause)
                    row.merged_into_place = places.get(row.merged_into.id)
            rows.append(row)
        reach.append(CharterReach(charter, rows))
    return SessionTrail(session, version, recommendations, reach)


def latest_approved_minutes(session: Session) -> MinutesVersion | None:
    """The session's minutes as last approved (a correction in the works does not count)."""
    return db.session.scalar(
        sa.select(MinutesVersion)
        .join(Minutes, Minutes.id == MinutesVersion.minutes_id)
        .where(Minutes.session_id == session.id)
        .order_by(MinutesVersion.number.desc())
        .limit(1)
    )


def has_approved_minutes(session: Session) -> bool:
    """Whether the session's minutes were approved at least once, i.e. whether its
    recommendations can have reached a charter."""
    query = (
        sa.select(MinutesVersion.id)
        .join(Minutes, Minutes.id == MinutesVersion.minutes_id)
        .where(Minutes.session_id == session.id)
        .limit(1)
    )
    return db.session.scalar(query) is not None


def working_places(charter_ids: Iterable[int]) -> dict[int, WorkingPlace]:
    """Every assigned clause of these charters with its place in the working text, numbered
    as content.working_text numbers it."""
    charter_ids = list(charter_ids)
    if not charter_ids:
        return {}
    chapters = db.session.execute(
        sa.select(Chapter.id, Chapter.charter_id)
        .where(Chapter.charter_id.in_(charter_ids))
        .order_by(Chapter.charter_id, Chapter.position, Chapter.id)
    ).all()
    chapter_numbers: dict[int, int] = {}
    chapters_so_far: dict[int, int] = defaultdict(int)
    for chapter_id, charter_id in chapters:
        chapters_so_far[charter_id] += 1
        chapter_numbers[chapter_id] = chapters_so_far[charter_id]
    assigned = db.session.execute(
        sa.select(Clause.id, Clause.chapter_id)
        .where(
            Clause.charter_id.in_(charter_ids),
            Clause.status == ClauseStatus.ACTIVE,
            Clause.chapter_id.is_not(None),
        )
        .order_by(Clause.position, Clause.id)
    ).all()
    places: dict[int, WorkingPlace] = {}
    clauses_so_far: dict[int, int] = defaultdict(int)
    for clause_id, chapter_id in assigned:
        clauses_so_far[chapter_id] += 1
        chapter_number = chapter_numbers[chapter_id]
        places[clause_id] = WorkingPlace(
            chapter_number, f"{chapter_number}.{clauses_so_far[chapter_id]}"
        )
    return places


def _live_origin(origin: ClauseOrigin, latest_number: int) -> dict[str, Any]:
    return {
        **content.origin_data(origin),
        "source_changed": origin.source_changed,
        "latest_minutes_version_number": latest_number,
        "minutes_version_is_latest": origin.minutes_version.number == latest_number,
    }


def _latest_version_numbers(minutes_ids: Iterable[int]) -> dict[int, int]:
    minutes_ids = set(minutes_ids)
    if not minutes_ids:
        return {}
    rows = db.session.execute(
        sa.select(MinutesVersion.minutes_id, sa.func.max(MinutesVersion.number))
        .where(MinutesVersion.minutes_id.in_(minutes_ids))
        .group_by(MinutesVersion.minutes_id)
    )
    return {minutes_id: number for minutes_id, number in rows}


def _versions_containing(clause_ids: Iterable[int]) -> dict[int, list[VersionNumber]]:
    """The frozen versions containing each clause, oldest first."""
    clause_ids = set(clause_ids)
    found: dict[int, list[VersionNumber]] = defaultdict(list)
    if not clause_ids:
        return found
    rows = db.session.execute(
        sa.select(VersionClause.clause_id, VersionClause.number, CharterVersion)
        .join(CharterVersion, CharterVersion.id == VersionClause.version_id)
        .where(VersionClause.clause_id.in_(clause_ids))
        .options(defer(CharterVersion.content))
        .order_by(CharterVersion.major, CharterVersion.minor)
    )
    for clause_id, number, version in rows:
        found[clause_id].append(VersionNumber(version, number))
    return found


def _clauses_of_recommendations(
    session: Session, numbers: list[str]
) -> dict[tuple[int, str], Clause]:
    """The clause that carries each recommendation, per charter: (charter id, number) →
    clause."""
    if not numbers:
        return {}
    origins = db.session.scalars(
        sa.select(ClauseOrigin)
        .where(
            ClauseOrigin.session_id == session.id,
            ClauseOrigin.recommendation_number.in_(numbers),
        )
        .options(selectinload(ClauseOrigin.clause).selectinload(Clause.merged_into))
    )
    return {(origin.charter_id, origin.recommendation_number): origin.clause for origin in origins}


def _surviving(clause: Clause) -> Clause:
    """The clause a merged one lives on in. Merging moves the origins to the surviving clause,
    so a chain is rare; it is followed all the same, guarding against a loop."""
    seen = {clause.id}
    while clause.status is ClauseStatus.MERGED and clause.merged_into is not None:
        clause = clause.merged_into
        if clause.id in seen:
            break
        seen.add(clause.id)
    return clause
