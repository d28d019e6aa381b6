"""Approved minutes cannot change, even by SQL written past the service: the database refuses."""

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.minutes.models import (
    ActionItem,
    Decision,
    Guideline,
    Minutes,
    MinutesTopic,
    MinutesVersion,
    Recommendation,
)
from eventsys.minutes.states import MinutesState
from tests.invitations.conftest import make_session


@pytest.fixture
def approved(app):
    session = make_session()
    minutes = Minutes(session=session, opening="Begrüßung durch die Leitung.")
    topic = MinutesTopic(minutes=minutes, position=1, title="Begrüßung", discussion="Text")
    topic.decisions.append(Decision(position=1, text="Beschlossen."))
    topic.action_items.append(ActionItem(position=1, text="Entwurf schicken"))
    guideline = db.session.scalar(sa.select(Guideline).where(Guideline.number == 2))
    topic.recommendations.append(
        Recommendation(position=1, text="Offene Daten", guideline=guideline)
    )
    db.session.add(minutes)
    db.session.flush()
    minutes.state = MinutesState.APPROVED
    version = MinutesVersion(
        minutes=minutes, number=1, content={"opening": minutes.opening}, pdf=b"%PDF", pdf_sha256="0"
    )
    db.session.add(version)
    db.session.commit()
    return minutes


def refused(statement: str, **parameters) -> bool:
    try:
        with db.session.begin_nested():
            db.session.execute(sa.text(statement), parameters)
    except sa.exc.DatabaseError as error:
        return "frozen" in str(error) or "cannot be" in str(error)
    return False


def test_the_four_guidelines_are_there_by_default(app):
    numbers = db.session.scalars(sa.select(Guideline.number).order_by(Guideline.number)).all()
    assert numbers == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE minutes SET opening = 'geändert' WHERE id = :minutes",
        "UPDATE minutes_topics SET discussion = 'geändert' WHERE minutes_id = :minutes",
        "DELETE FROM minutes_topics WHERE minutes_id = :minutes",
        "INSERT INTO minutes_topics (minutes_id, position, title, discussion) "
        "VALUES (:minutes, 9, 'neu', '')",
        "UPDATE decisions SET text = 'anders'",
        "DELETE FROM decisions",
        "UPDATE recommendations SET text = 'anders'",
        "UPDATE action_items SET text = 'anders'",
        "UPDATE minutes_versions SET content = '{}'",
        "DELETE FROM minutes_versions",
    ],
)
def test_the_database_refuses_changes_to_approved_minutes(approved, statement):
    assert refused(statement, minutes=approved.id)


def test_what_stays_possible_closing_an_action_item_and_a_correction(approved):
    with db.session.begin_nested():
        db.session.execute(sa.text("UPDATE action_items SET closed_note = 'erledigt'"))
        # A correction: back to draft as a new version; then the text may change.
        db.session.execute(
            sa.text("UPDATE minutes SET state = 'draft', version_number = 2 WHERE id = :id"),
            {"id": approved.id},
        )
        db.session.execute(
            sa.text("UPDATE minutes SET opening = 'berichtigt' WHERE id = :id"), {"id": approved.id}
        )
    db.session.commit()
    db.session.expire_all()
    assert approved.opening == "berichtigt"
    assert approved.versions[0].content == {"opening": "Begrüßung durch die Leitung."}


def test_draft_minutes_can_be_edited(app):
    minutes = Minutes(session=make_session(), opening="Entwurf")
    db.session.add(minutes)
    db.session.commit()
    minutes.opening = "Entwurf 2"
    db.session.commit()
    assert not refused("UPDATE minutes SET closing = 'x' WHERE id = :minutes", minutes=minutes.id)
