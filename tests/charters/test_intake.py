"""Recommendations of approved minutes arrive in every charter's pool with their origin."""

import sqlalchemy as sa

from eventsys.charters import charters
from eventsys.charters.models import Clause, ClauseOrigin
from eventsys.extensions import db
from eventsys.minutes import workflow
from tests.charters.conftest import clause_from


def test_a_new_charter_takes_in_every_approved_recommendation(charter, workshops):
    clauses = db.session.scalars(sa.select(Clause).where(Clause.charter_id == charter.id)).all()

    assert len(clauses) == 6
    assert all(clause.chapter_id is None for clause in clauses)
    assert [chapter.guideline.number for chapter in charter.chapters] == [1, 2, 3, 4]
    origin = clause_from(charter, f"E-{workshops.first.id}.2.1").origins[0]
    assert origin.session_id == workshops.first.id
    assert origin.topic_position == 2
    assert origin.topic_title == "Datenräume"
    assert origin.minutes_version_id == workshops.first_version.id
    assert origin.guideline_number == 3
    assert origin.original_text == "Kommunale Datenräume werden als offene Infrastruktur gefördert."


def test_minutes_approved_later_reach_existing_charters(app, staff):
    from tests.charters.conftest import FIRST_HELD_ON, FIRST_WORKSHOP, hold_workshop

    charta = charters.create_charter("Smart City Charta", "", staff.admin)
    strategy = charters.create_charter("Datenstrategie", "Data strategy", staff.admin)
    db.session.commit()
    session, _ = hold_workshop("Workshop", FIRST_HELD_ON, FIRST_WORKSHOP, [], staff.organiser)

    for charter in (charta, strategy):
        numbers = db.session.scalars(
            sa.select(ClauseOrigin.recommendation_number).where(
                ClauseOrigin.charter_id == charter.id
            )
        ).all()
        assert sorted(numbers) == [
            f"E-{session.id}.1.1",
            f"E-{session.id}.1.2",
            f"E-{session.id}.2.1",
        ]


def test_a_corrected_version_moves_the_origin_and_flags_changed_wording(charter, workshops, staff):
    minutes = workshops.first_version.minutes
    number = f"E-{workshops.first.id}.1.1"
    clause = clause_from(charter, number)
    clause.text_de = "Die Charta formuliert es anders."
    db.session.commit()

    workflow.start_correction(minutes, "Tippfehler", staff.organiser)
    minutes.topics[0].recommendations[0].text = "Kommunen entwickeln eine Digitalstrategie."
    second = workflow.approve(minutes, staff.organiser)
    db.session.commit()

    origin = clause_from(charter, number).origins[0]
    assert origin.minutes_version_id == second.id
    assert origin.original_text == "Kommunen entwickeln eine Digitalstrategie."
    assert origin.source_changed is True
    assert clause_from(charter, number).text_de == "Die Charta formuliert es anders."
    unchanged = clause_from(charter, f"E-{workshops.first.id}.2.1").origins[0]
    assert unchanged.minutes_version_id == second.id
    assert unchanged.source_changed is False
    assert db.session.scalar(sa.select(sa.func.count(Clause.id))) == 6
