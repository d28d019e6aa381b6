"""Approved minutes cannot change, even by SQL written past the service: the database refuses,
but for the one write of an approved version's PDF once it has been rendered."""

import hashlib

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
        message = str(error).lower()
        return "frozen" in message or "cannot be" in message or "pdf_with_checksum" in message
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


PDF = b"%PDF-1.7 the rendered version"
CHECKSUM = hashlib.sha256(PDF).hexdigest()
WRITE_PDF = "UPDATE minutes_versions SET pdf = :pdf, pdf_sha256 = :checksum WHERE id = :id"


@pytest.fixture
def awaiting_pdf(approved) -> int:
    """A version approved a moment ago, whose PDF is still being rendered; its id."""
    version = MinutesVersion(minutes=approved, number=2, content={"opening": approved.opening})
    db.session.add(version)
    db.session.commit()
    return version.id


def test_a_version_awaiting_its_pdf_gets_it_once_and_nothing_else(awaiting_pdf):
    id_, pdf, checksum = awaiting_pdf, PDF, CHECKSUM
    # Not half of it, nothing besides it, no empty PDF.
    assert refused("UPDATE minutes_versions SET pdf = :pdf WHERE id = :id", pdf=pdf, id=id_)
    assert refused(
        "UPDATE minutes_versions SET pdf_sha256 = :checksum WHERE id = :id",
        checksum=checksum,
        id=id_,
    )
    assert refused(
        "UPDATE minutes_versions SET pdf = :pdf, pdf_sha256 = :checksum, content = '{}' "
        "WHERE id = :id",
        pdf=pdf,
        checksum=checksum,
        id=id_,
    )
    assert refused(
        "UPDATE minutes_versions SET pdf = :pdf, pdf_sha256 = :checksum, reason = 'anders', "
        "approved_at = CURRENT_TIMESTAMP WHERE id = :id",
        pdf=pdf,
        checksum=checksum,
        id=id_,
    )
    assert refused(WRITE_PDF, pdf=b"", checksum=hashlib.sha256(b"").hexdigest(), id=id_)
    assert refused("UPDATE minutes_versions SET content = '{}' WHERE id = :id", id=id_)

    assert not refused(WRITE_PDF, pdf=pdf, checksum=checksum, id=id_)
    db.session.commit()

    other = b"%PDF-1.7 rendered a second time"
    assert refused(WRITE_PDF, pdf=other, checksum=hashlib.sha256(other).hexdigest(), id=id_)
    assert refused(WRITE_PDF, pdf=pdf, checksum=checksum, id=id_)  # even the same bytes again
    assert refused(
        "UPDATE minutes_versions SET pdf = NULL, pdf_sha256 = NULL WHERE id = :id", id=id_
    )
    assert refused("UPDATE minutes_versions SET content = '{}' WHERE id = :id", id=id_)
    assert refused("DELETE FROM minutes_versions WHERE id = :id", id=id_)
    db.session.expire_all()
    version = db.session.get(MinutesVersion, id_)
    assert (version.pdf, version.pdf_sha256) == (pdf, checksum)


def test_a_version_with_its_pdf_from_the_start_is_never_changed(approved):
    # As versions approved before the PDF was rendered after the request, and as the demo and
    # imports write them.
    assert refused(WRITE_PDF, pdf=PDF, checksum=CHECKSUM, id=approved.versions[0].id)
    assert refused("UPDATE minutes_versions SET pdf = NULL, pdf_sha256 = NULL")


def test_a_version_is_inserted_with_both_or_neither(approved):
    assert refused(
        "INSERT INTO minutes_versions (minutes_id, number, reason, content, approved_at, pdf) "
        "VALUES (:minutes, 3, '', '{}', CURRENT_TIMESTAMP, :pdf)",
        minutes=approved.id,
        pdf=PDF,
    )


def test_postgresql_also_checks_that_the_checksum_is_the_pdfs(awaiting_pdf):
    """SQLite has no SHA-256 function to check it with; there the application's word stands."""
    wrong = "0" * 64
    checked = db.engine.dialect.name == "postgresql"
    assert refused(WRITE_PDF, pdf=PDF, checksum=wrong, id=awaiting_pdf) is checked
