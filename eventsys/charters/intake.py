"""How recommendations of approved minutes arrive in the charters' pools.

Each recommendation (E-<session>.<TOP>.<n>) enters every charter's pool once, as a clause with
one origin. When a correction of the minutes is approved, the origin moves to the new minutes
version; if the wording changed, the origin keeps the new wording and is marked, so that the
secretariat sees that the charter's text may need the same change. The clause's own wording is
the charter's and is never overwritten by the minutes.
"""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from eventsys.audit import services as audit
from eventsys.charters.models import Charter, Clause, ClauseOrigin
from eventsys.extensions import db
from eventsys.minutes.models import MinutesVersion
from eventsys.signals import minutes_approved


@minutes_approved.connect
def receive_minutes_version(version: MinutesVersion) -> int:
    """Take the recommendations of a newly approved minutes version into every charter's pool;
    return how many clauses were added in all. Runs when minutes are approved
    (`signals.minutes_approved`), in the approval's transaction."""
    charters = list(db.session.scalars(sa.select(Charter).order_by(Charter.id)))
    return sum(_take_in(charter, [version]) for charter in charters)


def take_in_all(charter: Charter) -> int:
    """Take the recommendations of all approved minutes (their latest version each) into the
    pool of `charter`, e.g. when it is created; return how many clauses were added."""
    return _take_in(charter, latest_approved_versions())


def latest_approved_versions() -> list[MinutesVersion]:
    latest_numbers = (
        sa.select(MinutesVersion.minutes_id, sa.func.max(MinutesVersion.number).label("number"))
        .group_by(MinutesVersion.minutes_id)
        .subquery()
    )
    query = (
        sa.select(MinutesVersion)
        .join(
            latest_numbers,
            sa.and_(
                MinutesVersion.minutes_id == latest_numbers.c.minutes_id,
                MinutesVersion.number == latest_numbers.c.number,
            ),
        )
        .order_by(MinutesVersion.approved_at, MinutesVersion.id)
    )
    return list(db.session.scalars(query))


def recommendations_in(content: dict[str, Any]) -> Iterable[tuple[dict, dict]]:
    """(topic, recommendation) pairs of a minutes snapshot, in the order of the minutes."""
    for topic in content.get("topics", []):
        for recommendation in topic.get("recommendations", []):
            yield topic, recommendation


def _take_in(charter: Charter, versions: list[MinutesVersion]) -> int:
    existing = {
        origin.recommendation_number: origin
        for origin in db.session.scalars(
            sa.select(ClauseOrigin).where(ClauseOrigin.charter_id == charter.id)
        )
    }
    added = 0
    for version in versions:
        session_id = version.content["session"]["id"]
        for topic, recommendation in recommendations_in(version.content):
            number = recommendation["number"]
            origin = existing.get(number)
            if origin is None:
                clause = Clause(charter_id=charter.id, text_de=recommendation["text"])
                origin = ClauseOrigin(
                    charter_id=charter.id,
                    clause=clause,
                    session_id=session_id,
                    recommendation_number=number,
                    original_text=recommendation["text"],
                )
                db.session.add_all([clause, origin])
                existing[number] = origin
                added += 1
            elif origin.minutes_version_id == version.id:
                continue
            elif origin.original_text != recommendation["text"]:
                origin.original_text = recommendation["text"]
                origin.source_changed = True
            origin.minutes_version_id = version.id
            origin.topic_position = topic["position"]
            origin.topic_title = topic["title"]
            origin.actors = recommendation.get("actors") or ""
            guideline = recommendation.get("guideline") or {}
            origin.guideline_number = guideline.get("number")
    db.session.flush()
    if added:
        audit.record(
            "charter.recommendations_received",
            charter,
            f"{added} recommendations from approved minutes entered the pool",
        )
    return added
