"""Minutes, a charter with a frozen version and comments on both, built with the models and the
services that save them (so that the index is filled as in use), once per test process."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import flask_babel
import pytest
import sqlalchemy as sa

from eventsys.charters import charters, consultation, versions
from eventsys.charters.models import (
    Chapter,
    Charter,
    CharterVersion,
    Clause,
    ConsultationComment,
    ConsultationRecipient,
)
from eventsys.charters.states import VersionState
from eventsys.extensions import db
from eventsys.minutes.models import (
    ActionItem,
    Decision,
    Guideline,
    Minutes,
    MinutesComment,
    MinutesTopic,
    Recommendation,
)
from eventsys.search.models import SearchEntry
from eventsys.sessions.models import Session
from tests.invitations.conftest import make_expert, make_organisation, make_session

HELD_ON = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def language_chosen_per_request(app):
    """Each request chooses its language afresh, as in production (see tests/charters)."""
    app.before_request_funcs.setdefault(None, []).append(flask_babel.refresh)


@dataclass
class Platform:
    session: Session
    minutes: Minutes
    topic: MinutesTopic  # TOP 2, on data strategies
    decision: Decision
    action_item: ActionItem
    recommendation: Recommendation
    minutes_comment: MinutesComment
    charter: Charter
    clause: Clause  # in chapter 3 of the working text, and in version 0.1
    version: CharterVersion
    charter_comment: ConsultationComment


def add_minutes(session: Session, topics: list[tuple[str, str]]) -> Minutes:
    """Minutes of `session` with a TOP for each (title, discussion)."""
    minutes = Minutes(session=session)
    for position, (title, discussion) in enumerate(topics, start=1):
        minutes.topics.append(MinutesTopic(position=position, title=title, discussion=discussion))
    db.session.add(minutes)
    db.session.flush()
    return minutes


def build_platform(staff) -> dict[str, int]:
    koeln = make_organisation("Stadt Köln")
    anna = make_expert("Anna", "Schmidt", koeln, title="Dr.")
    session = make_session("Workshop Datenräume", starts_at=HELD_ON, hours=3)
    minutes = add_minutes(
        session,
        [
            ("Begrüßung", "Die Leitung begrüßt die Teilnehmenden."),
            (
                "Kommunale Datenstrategien",
                "Mehrere **Kommunen** berichten von ihren Datenstrategien.\n\n"
                "- Offene Schnittstellen\n- Urbane Datenplattformen",
            ),
        ],
    )
    topic = minutes.topics[1]
    guideline = db.session.scalar(sa.select(Guideline).where(Guideline.number == 3))
    topic.decisions.append(
        Decision(position=1, text="Die Plattform beschließt ein Eckpunktepapier.")
    )
    topic.action_items.append(
        ActionItem(position=1, text="Den Leitfaden zur Beschaffung versenden", owner_expert=anna)
    )
    topic.recommendations.append(
        Recommendation(
            position=1,
            text="Kommunen veröffentlichen ihre Daten maschinenlesbar.",
            guideline=guideline,
            actors="Länder",
        )
    )
    minutes_comment = MinutesComment(
        minutes=minutes, topic=topic, expert=anna, version_number=1, text="Bitte Quartier ergänzen."
    )
    db.session.add(minutes_comment)
    charter = charters.create_charter("Smart City Charta", "Smart City Charter", staff.admin)
    chapter = db.session.scalar(
        sa.select(Chapter).where(Chapter.charter_id == charter.id, Chapter.position == 3)
    )
    clause = Clause(
        charter=charter,
        chapter=chapter,
        position=1,
        text_de="Städte entwickeln gemeinwohlorientierte Datenstrategien.",
        text_en="Cities develop data strategies for the common good.",
    )
    db.session.add(clause)
    db.session.flush()
    version = versions.freeze(charter, staff.admin)
    version.state = VersionState.CONSULTATION
    version.consultation_started_at = HELD_ON
    version.consultation_deadline = datetime.now(UTC) + timedelta(days=30)
    db.session.add(ConsultationRecipient(version=version, expert=anna))
    db.session.flush()
    charter_comment = consultation.add_comment(
        version, anna, chapter_id=None, clause_id=clause.id, text="Die Wärmeplanung fehlt hier."
    )
    db.session.commit()
    return {
        "session": session.id,
        "minutes": minutes.id,
        "topic": topic.id,
        "decision": topic.decisions[0].id,
        "action_item": topic.action_items[0].id,
        "recommendation": topic.recommendations[0].id,
        "minutes_comment": minutes_comment.id,
        "charter": charter.id,
        "clause": clause.id,
        "version": version.id,
        "charter_comment": charter_comment.id,
    }


PLATFORM_MODELS = {
    "session": Session,
    "minutes": Minutes,
    "topic": MinutesTopic,
    "decision": Decision,
    "action_item": ActionItem,
    "recommendation": Recommendation,
    "minutes_comment": MinutesComment,
    "charter": Charter,
    "clause": Clause,
    "version": CharterVersion,
    "charter_comment": ConsultationComment,
}


@pytest.fixture
def platform(app, staff, database_states) -> Platform:
    ids = database_states.restore_or_build("search-platform", lambda: build_platform(staff))
    return Platform(**{name: db.session.get(PLATFORM_MODELS[name], ids[name]) for name in ids})


def entry_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(SearchEntry.id)))
