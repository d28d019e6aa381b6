"""The demo's Smart City Charta: built from the approved demo minutes, Fassung 0.1 frozen,
0.2 in the works, and every recommendation traceable to its session."""

from datetime import date

import pytest
import sqlalchemy as sa

from eventsys.auth.models import User
from eventsys.charters import content, provenance
from eventsys.charters.models import Charter, Clause
from eventsys.charters.states import ClauseStatus, VersionState
from eventsys.demo import data
from eventsys.demo.charter import load_charter_demo
from eventsys.demo.services import load_demo_data
from eventsys.extensions import db
from eventsys.minutes.models import Recommendation
from eventsys.sessions.models import Session


@pytest.fixture
def demo(app, database_states):
    def build() -> None:
        load_demo_data(date(2026, 11, 2), invite=False)
        db.session.commit()

    database_states.restore_or_build("demo-without-invitations", build)
    return db.session.scalar(sa.select(User).where(User.email == data.STAFF[0].email))


def test_the_demo_charter_has_a_frozen_first_draft_and_work_on_the_second(demo):
    assert load_charter_demo(demo) == 0  # `flask demo load` has built it already

    charter = db.session.scalar(sa.select(Charter).where(Charter.title_de == "Smart City Charta"))
    clauses = list(db.session.scalars(sa.select(Clause).where(Clause.charter_id == charter.id)))
    approved_recommendations = 11  # workshop 5's minutes are still a draft
    assert len(clauses) == approved_recommendations
    [aside] = [clause for clause in clauses if clause.status is ClauseStatus.SET_ASIDE]
    assert aside.text_de.startswith("Breitbandausbau")
    assert aside.set_aside_reason
    active = [clause for clause in clauses if clause.status is ClauseStatus.ACTIVE]
    assert all(clause.chapter is not None for clause in active)
    assert sum(bool(clause.text_en) for clause in active) >= len(active) - 2
    reworded = 3 + 2  # for 0.1, then for 0.2
    assert sum(clause.text_de != clause.origins[0].original_text for clause in active) == reworded
    assert all(chapter.introduction_de and chapter.introduction_en for chapter in charter.chapters)

    [first] = charter.versions
    assert first.label == "0.1"
    assert first.state is VersionState.WORKING_DRAFT
    assert len(first.clauses) == len(active)
    working = content.working_text(charter)
    assert working["chapters"] != first.content["chapters"]
    frozen_numbers = {c["id"]: c["number"] for c in content.clauses_of(first.content)}
    working_numbers = {c["id"]: c["number"] for c in content.clauses_of(working)}
    assert frozen_numbers.keys() == working_numbers.keys()
    assert [k for k in frozen_numbers if frozen_numbers[k] != working_numbers[k]] != []


def test_a_recommendation_in_the_first_draft_leads_to_its_session(demo):
    session = db.session.scalar(sa.select(Session).where(Session.title.startswith("Workshop 3:")))

    trail = provenance.session_trail(session)

    [reach] = trail.charters
    assert len(reach.rows) == 2
    for row in reach.rows:
        assert [entry.version.label for entry in row.versions] == ["0.1"]
        [origin] = provenance.clause_trail(row.clause).origins
        assert origin["session_id"] == session.id
        assert origin["minutes_version_number"] == 1


def test_loading_again_adds_nothing(demo):
    load_charter_demo(demo)
    db.session.commit()
    recommendations = db.session.scalar(sa.select(sa.func.count(Recommendation.id)))

    assert load_charter_demo(demo) == 0
    assert db.session.scalar(sa.select(sa.func.count(Charter.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Recommendation.id))) == recommendations
