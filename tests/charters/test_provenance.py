"""Provenance both ways: a clause back to its sessions and minutes versions, a session forward
to the clauses and frozen versions its recommendations reached."""

import sqlalchemy as sa

from eventsys.charters import charters, content, provenance
from eventsys.charters.models import (
    Charter,
    CharterVersion,
    Clause,
    ClauseOrigin,
    VersionClause,
)
from eventsys.charters.states import ClauseStatus, VersionState
from eventsys.extensions import db
from eventsys.minutes import workflow
from eventsys.minutes.models import Recommendation
from tests.charters.conftest import FIRST_HELD_ON, clause_from
from tests.invitations.conftest import make_session


def assign_by_guideline(charter: Charter) -> None:
    """Every active clause into the chapter of its first origin's guideline, in arrival order."""
    chapters = {chapter.guideline.number: chapter for chapter in charter.chapters}
    clauses = db.session.scalars(
        sa.select(Clause)
        .where(Clause.charter_id == charter.id, Clause.status == ClauseStatus.ACTIVE)
        .order_by(Clause.id)
    )
    for position, clause in enumerate(clauses, start=1):
        clause.chapter = chapters[clause.origins[0].guideline_number]
        clause.position = position
    db.session.commit()


def freeze_as(
    charter: Charter, major: int, minor: int, state: VersionState = VersionState.WORKING_DRAFT
) -> CharterVersion:
    """A frozen version of the working text as it stands, with its VersionClause rows."""
    text = content.with_version(content.working_text(charter), major, minor)
    version = CharterVersion(
        charter_id=charter.id, major=major, minor=minor, state=state, content=text
    )
    db.session.add(version)
    db.session.flush()
    for clause in content.clauses_of(text):
        db.session.add(
            VersionClause(version=version, clause_id=clause["id"], number=clause["number"])
        )
    db.session.commit()
    return version


def merge_directly(duplicate: Clause, into: Clause) -> None:
    """What merging does to the records: the origins move, the duplicate is marked merged."""
    for origin in list(duplicate.origins):
        origin.clause = into
    duplicate.status = ClauseStatus.MERGED
    duplicate.merged_into = into
    duplicate.chapter = None
    db.session.commit()


def test_a_clause_leads_back_to_its_session_topic_and_minutes_version(charter, workshops):
    assign_by_guideline(charter)
    freeze_as(charter, 0, 1)
    clause = clause_from(charter, f"E-{workshops.first.id}.2.1")

    trail = provenance.clause_trail(clause)

    assert trail.place == provenance.WorkingPlace(3, "3.1")
    [origin] = trail.origins
    assert origin["recommendation_number"] == f"E-{workshops.first.id}.2.1"
    assert origin["session_id"] == workshops.first.id
    assert origin["session_title"] == "Workshop Strategien"
    assert origin["topic_position"] == 2
    assert origin["topic_title"] == "Datenräume"
    assert origin["minutes_version_id"] == workshops.first_version.id
    assert origin["minutes_version_number"] == 1
    assert origin["minutes_version_is_latest"] is True
    assert origin["source_changed"] is False
    assert [(entry.version.label, entry.number) for entry in trail.versions] == [("0.1", "3.1")]
    assert trail.merged_into is None
    assert trail.merged_from == []


def test_each_version_keeps_the_number_the_clause_had_in_it(charter, workshops):
    assign_by_guideline(charter)
    freeze_as(charter, 0, 1)
    first = clause_from(charter, f"E-{workshops.second.id}.1.1")
    second = clause_from(charter, f"E-{workshops.second.id}.2.1")
    first.position, second.position = second.position, first.position
    db.session.commit()
    freeze_as(charter, 0, 2, VersionState.CONSULTATION)

    trail = provenance.clause_trail(first)

    assert [(entry.version.label, entry.number) for entry in trail.versions] == [
        ("0.1", "4.1"),
        ("0.2", "4.2"),
    ]
    assert trail.versions[1].version.state is VersionState.CONSULTATION
    assert trail.place.number == "4.2"


def test_a_clause_merged_into_another_carries_both_sessions(charter, workshops):
    assign_by_guideline(charter)
    target = clause_from(charter, f"E-{workshops.first.id}.2.1")
    duplicate = clause_from(charter, f"E-{workshops.second.id}.1.2")
    merge_directly(duplicate, target)

    trail = provenance.clause_trail(target)
    duplicate_trail = provenance.clause_trail(duplicate)

    assert {origin["session_id"] for origin in trail.origins} == {
        workshops.first.id,
        workshops.second.id,
    }
    assert [origin["recommendation_number"] for origin in trail.origins] == [
        f"E-{workshops.first.id}.2.1",
        f"E-{workshops.second.id}.1.2",
    ]
    assert trail.merged_from == [duplicate]
    assert duplicate_trail.merged_into == target
    assert duplicate_trail.merged_into_place.number == "3.1"
    assert duplicate_trail.origins == []
    assert duplicate_trail.place is None


def test_an_origin_shows_that_its_minutes_were_corrected(charter, workshops, staff):
    minutes = workshops.first_version.minutes
    number = f"E-{workshops.first.id}.1.1"
    workflow.start_correction(minutes, "Tippfehler", staff.organiser)
    minutes.topics[0].recommendations[0].text = "Kommunen entwickeln eine Digitalstrategie."
    workflow.approve(minutes, staff.organiser)
    db.session.commit()

    [origin] = provenance.clause_trail(clause_from(charter, number)).origins
    assert origin["source_changed"] is True
    assert origin["minutes_version_number"] == 2
    assert origin["minutes_version_is_latest"] is True

    # An origin still pointing at the first version is flagged as outdated.
    record = db.session.scalar(
        sa.select(ClauseOrigin).where(ClauseOrigin.recommendation_number == number)
    )
    record.minutes_version_id = workshops.first_version.id
    db.session.commit()
    [origin] = provenance.clause_trail(clause_from(charter, number)).origins
    assert origin["minutes_version_number"] == 1
    assert origin["minutes_version_is_latest"] is False
    assert origin["latest_minutes_version_number"] == 2


def test_a_session_shows_where_each_recommendation_went(charter, workshops):
    assign_by_guideline(charter)
    freeze_as(charter, 0, 1)
    unassigned = clause_from(charter, f"E-{workshops.first.id}.1.2")
    unassigned.chapter = None
    aside = clause_from(charter, f"E-{workshops.first.id}.2.1")
    aside.status = ClauseStatus.SET_ASIDE
    aside.chapter = None
    aside.set_aside_reason = "Bereits in Leitlinie 4 enthalten."
    db.session.commit()
    freeze_as(charter, 0, 2)

    trail = provenance.session_trail(workshops.first)

    assert trail.minutes_version == workshops.first_version
    assert [r.number for r in trail.recommendations] == [
        f"E-{workshops.first.id}.1.1",
        f"E-{workshops.first.id}.1.2",
        f"E-{workshops.first.id}.2.1",
    ]
    assert trail.recommendations[2].topic_title == "Datenräume"
    assert trail.recommendations[2].guideline["number"] == 3
    [reach] = trail.charters
    assert reach.charter == charter
    assigned_row, unassigned_row, aside_row = reach.rows
    assert assigned_row.place == provenance.WorkingPlace(1, "1.1")
    assert [(e.version.label, e.number) for e in assigned_row.versions] == [
        ("0.1", "1.1"),
        ("0.2", "1.1"),
    ]
    assert unassigned_row.clause == unassigned
    assert unassigned_row.place is None
    assert [(e.version.label, e.number) for e in unassigned_row.versions] == [("0.1", "2.1")]
    assert aside_row.clause.status is ClauseStatus.SET_ASIDE
    assert aside_row.clause.set_aside_reason == "Bereits in Leitlinie 4 enthalten."
    assert aside_row.place is None
    assert [(e.version.label, e.number) for e in aside_row.versions] == [("0.1", "3.1")]


def test_a_merged_recommendation_points_to_the_clause_it_lives_on_in(charter, workshops, staff):
    assign_by_guideline(charter)
    target = clause_from(charter, f"E-{workshops.first.id}.2.1")
    duplicate = clause_from(charter, f"E-{workshops.second.id}.1.2")
    # Merging moves the origins; a merged clause still holding one is followed all the same.
    duplicate.status = ClauseStatus.MERGED
    duplicate.merged_into = target
    duplicate.chapter = None
    db.session.commit()

    [reach] = provenance.session_trail(workshops.second).charters

    row = next(r for r in reach.rows if r.recommendation.number.endswith(".1.2"))
    assert row.clause == duplicate
    assert row.merged_into == target
    assert row.merged_into_place.number == "3.1"


def test_every_charter_gets_its_own_rows(charter, workshops, staff):
    strategy = charters.create_charter("Datenstrategie", "Data strategy", staff.admin)
    db.session.commit()

    trail = provenance.session_trail(workshops.second)

    assert [reach.charter for reach in trail.charters] == [charter, strategy]
    for reach in trail.charters:
        assert [row.clause.charter_id for row in reach.rows] == [reach.charter.id] * 3


def test_a_recommendation_not_in_a_charter_has_no_clause(workshops, staff):
    charter = charters.create_charter("Charta", "", staff.admin)
    db.session.commit()
    db.session.execute(sa.delete(ClauseOrigin).where(ClauseOrigin.charter_id == charter.id))
    db.session.commit()

    [reach] = provenance.session_trail(workshops.first).charters

    assert [row.clause for row in reach.rows] == [None, None, None]
    assert all(row.versions == [] for row in reach.rows)


def test_a_session_without_approved_minutes_has_no_trail(app, staff):
    session = make_session("Plenum", starts_at=FIRST_HELD_ON)
    db.session.commit()

    trail = provenance.session_trail(session)

    assert trail.minutes_version is None
    assert trail.recommendations == []
    assert trail.charters == []
    assert provenance.has_approved_minutes(session) is False


def test_the_trail_follows_the_latest_approved_minutes(charter, workshops, staff):
    minutes = workshops.first_version.minutes
    workflow.start_correction(minutes, "Empfehlung ergänzt", staff.organiser)
    topic = minutes.topics[0]
    topic.recommendations.append(
        Recommendation(
            position=3,
            text="Kommunen veröffentlichen ihre Daten offen.",
            guideline=topic.recommendations[0].guideline,
        )
    )
    second = workflow.approve(minutes, staff.organiser)
    db.session.commit()
    # A third correction in the works does not count until it is approved.
    workflow.start_correction(minutes, "Noch eine", staff.organiser)
    db.session.commit()

    trail = provenance.session_trail(workshops.first)

    assert trail.minutes_version == second
    assert provenance.has_approved_minutes(workshops.first) is True
    numbers = [row.recommendation.number for row in trail.charters[0].rows]
    assert f"E-{workshops.first.id}.1.3" in numbers
    row = trail.charters[0].rows[numbers.index(f"E-{workshops.first.id}.1.3")]
    assert row.clause is not None and row.clause.text_de.startswith("Kommunen veröffentlichen")
