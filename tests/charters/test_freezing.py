"""A frozen charter version cannot change, even by SQL written past the services: the database
refuses. What is done with a version (its state, the consultation dates) may still change."""

import pytest
import sqlalchemy as sa

from eventsys.charters import versions
from eventsys.charters.models import CharterVersion
from eventsys.charters.states import VersionState
from eventsys.extensions import db
from tests.charters.test_versions import arrange


@pytest.fixture
def frozen(charter, staff) -> CharterVersion:
    arrange(charter)
    version = versions.freeze(charter, staff.secretariat, note="Erste Fassung")
    db.session.commit()
    return version


def refused(statement: str, **parameters) -> bool:
    try:
        with db.session.begin_nested():
            db.session.execute(sa.text(statement), parameters)
    except sa.exc.DatabaseError as error:  # IntegrityError is one, as PostgreSQL raises it
        return "frozen charter versions cannot be changed" in str(error)
    return False


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE charter_versions SET content = '{}' WHERE id = :version",
        "UPDATE charter_versions SET major = 7 WHERE id = :version",
        "UPDATE charter_versions SET minor = 9 WHERE id = :version",
        "UPDATE charter_versions SET frozen_at = CURRENT_TIMESTAMP WHERE id = :version",
        "DELETE FROM charter_versions WHERE id = :version",
        "UPDATE charter_version_clauses SET number = '9.9' WHERE version_id = :version",
        "UPDATE charter_version_clauses SET clause_id = clause_id WHERE version_id = :version",
        "DELETE FROM charter_version_clauses WHERE version_id = :version",
    ],
)
def test_the_database_refuses_changes_to_a_frozen_version(frozen, statement):
    assert refused(statement, version=frozen.id)


def test_the_state_and_the_consultation_dates_may_change(frozen):
    assert not refused(
        "UPDATE charter_versions SET state = 'consultation', "
        "consultation_started_at = CURRENT_TIMESTAMP, "
        "consultation_deadline = CURRENT_TIMESTAMP WHERE id = :version",
        version=frozen.id,
    )
    db.session.commit()
    db.session.expire_all()

    assert frozen.state is VersionState.CONSULTATION
    assert frozen.consultation_started_at is not None
    assert frozen.content["version"]["label"] == "0.1"


def test_the_orm_cannot_change_a_frozen_text_either(frozen):
    frozen.content = {**frozen.content, "chapters": []}
    with pytest.raises(sa.exc.DatabaseError):
        db.session.commit()
    db.session.rollback()

    assert len(db.session.get(CharterVersion, frozen.id).content["chapters"]) == 4
