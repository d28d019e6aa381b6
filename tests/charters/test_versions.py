"""Freezing the working text as numbered versions, and what may happen to a version after."""

import re
from collections import Counter

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound

from eventsys.audit.models import AuditEntry
from eventsys.charters import content, versions
from eventsys.charters.errors import CharterError
from eventsys.charters.models import Charter, CharterVersion, Clause, VersionClause
from eventsys.charters.states import VersionState
from eventsys.database import utcnow
from eventsys.extensions import db
from tests.charters.conftest import clause_from


def arrange(charter: Charter) -> None:
    """Put every clause of the pool into the chapter of its guideline, in the order the
    recommendations arrived (the fixture's charter then reads 1.1, 2.1, 3.1, 3.2, 4.1, 4.2)."""
    clauses = db.session.scalars(
        sa.select(Clause).where(Clause.charter_id == charter.id).order_by(Clause.id)
    )
    positions: Counter[int] = Counter()
    for clause in clauses:
        chapter = charter.chapters[clause.origins[0].guideline_number - 1]
        positions[chapter.id] += 1
        clause.chapter = chapter
        clause.position = positions[chapter.id]
    db.session.commit()


@pytest.fixture
def arranged(charter) -> Charter:
    arrange(charter)
    return charter


def test_versions_are_numbered_0_1_0_2_then_1_0_for_a_release_then_1_1(arranged, staff):
    assert versions.next_label(arranged) == "0.1"
    assert versions.next_label(arranged, release=True) == "1.0"

    labels = [
        versions.freeze(arranged, staff.secretariat).label,
        versions.freeze(arranged, staff.secretariat).label,
        versions.freeze(arranged, staff.organiser, release=True).label,
        versions.freeze(arranged, staff.secretariat).label,
    ]
    db.session.commit()

    assert labels == ["0.1", "0.2", "1.0", "1.1"]
    assert versions.next_label(arranged) == "1.2"
    assert versions.next_label(arranged, release=True) == "2.0"
    assert versions.last_version(arranged).label == "1.1"
    assert [version.label for version in versions.versions_of(arranged)] == labels


def test_a_version_holds_the_text_as_it_was_with_a_row_per_recommendation(
    arranged, workshops, staff
):
    working = content.working_text(arranged)

    version = versions.freeze(arranged, staff.secretariat, note="  Erste Fassung  ")
    db.session.commit()

    assert version.content == content.with_version(working, 0, 1)
    assert version.content["version"] == {"label": "0.1", "major": 0, "minor": 1}
    assert version.state is VersionState.WORKING_DRAFT
    assert version.note == "Erste Fassung"
    assert version.frozen_by == staff.secretariat
    rows = db.session.scalars(
        sa.select(VersionClause).where(VersionClause.version_id == version.id)
    ).all()
    assert sorted(row.number for row in rows) == ["1.1", "2.1", "3.1", "3.2", "4.1", "4.2"]
    duplicate = clause_from(arranged, f"E-{workshops.second.id}.1.2")
    assert {row.clause_id: row.number for row in rows}[duplicate.id] == "3.2"


def test_a_frozen_version_does_not_follow_later_changes_to_the_working_text(
    arranged, workshops, staff
):
    version = versions.freeze(arranged, staff.secretariat)
    db.session.commit()
    frozen = version.content
    clause = clause_from(arranged, f"E-{workshops.first.id}.1.1")
    clause.text_de = "Ganz neuer Wortlaut."
    clause.chapter = None
    db.session.commit()
    db.session.expire_all()

    reread = db.session.get(CharterVersion, version.id)
    assert reread.content == frozen
    assert content.clauses_of(reread.content)[0]["text_de"] == (
        "Kommunen entwickeln eine eigene Digitalstrategie mit messbaren Zielen."
    )
    assert "Ganz neuer Wortlaut." not in str(reread.content)
    assert len(content.clauses_of(content.working_text(arranged))) == 5


def test_freezing_is_recorded_in_the_audit_trail(arranged, staff):
    versions.freeze(arranged, staff.secretariat, release=True)
    db.session.commit()

    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "charter.version_frozen")
    )
    assert entry.entity_id == arranged.id
    assert entry.summary == "version 1.0 frozen with 6 recommendations (release)"


def test_a_text_without_recommendations_cannot_be_frozen(charter, staff):
    with pytest.raises(CharterError):
        versions.freeze(charter, staff.secretariat)
    assert versions.last_version(charter) is None


def test_an_overlong_note_is_refused(arranged, staff):
    with pytest.raises(CharterError):
        versions.freeze(arranged, staff.secretariat, note="x" * (versions.MAX_NOTE_LENGTH + 1))
    assert versions.last_version(arranged) is None


def test_a_freeze_that_loses_the_race_for_its_number_is_told_so(arranged, staff, monkeypatch):
    versions.freeze(arranged, staff.secretariat, note="first")
    db.session.commit()
    # As if a second freeze had read the charter before the first one committed: it takes the
    # number 0.1 again.
    monkeypatch.setattr(versions, "last_version", lambda charter: None)

    with pytest.raises(CharterError, match=r"0\.1"):
        versions.freeze(arranged, staff.admin, note="second")
    db.session.commit()  # the session is still usable, and nothing of the second freeze is kept

    [kept] = db.session.scalars(sa.select(CharterVersion)).all()
    assert kept.note == "first"
    assert db.session.scalar(sa.select(sa.func.count(VersionClause.id))) == len(kept.clauses)


@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_planners_adopt_a_working_draft(arranged, staff, role):
    version = versions.freeze(arranged, staff.secretariat)
    db.session.commit()

    versions.adopt(version, getattr(staff, role))
    db.session.commit()

    assert version.state is VersionState.ADOPTED
    assert version.adopted_at is not None


def test_a_version_in_consultation_can_be_adopted(arranged, staff):
    version = versions.freeze(arranged, staff.secretariat)
    version.state = VersionState.CONSULTATION
    version.consultation_started_at = utcnow()
    db.session.commit()

    versions.adopt(version, staff.organiser)

    assert version.state is VersionState.ADOPTED


def test_the_secretariat_cannot_adopt_and_nothing_is_adopted_twice(arranged, staff):
    version = versions.freeze(arranged, staff.secretariat)
    db.session.commit()

    with pytest.raises(CharterError):
        versions.adopt(version, staff.secretariat)
    assert version.state is VersionState.WORKING_DRAFT

    versions.adopt(version, staff.organiser)
    adopted_at = version.adopted_at
    with pytest.raises(CharterError):
        versions.adopt(version, staff.admin)
    assert version.adopted_at == adopted_at


def test_versions_are_found_by_number_or_not_at_all(arranged, staff):
    versions.freeze(arranged, staff.secretariat)
    versions.freeze(arranged, staff.secretariat)
    db.session.commit()

    assert versions.version_or_404(arranged.id, 0, 2).label == "0.2"
    with pytest.raises(NotFound):
        versions.version_or_404(arranged.id, 0, 3)
    with pytest.raises(NotFound):
        versions.version_or_404(arranged.id + 1, 0, 1)
    assert versions.find_version(arranged, "0.1").label == "0.1"
    assert versions.previous_version(versions.find_version(arranged, "0.2")).label == "0.1"
    assert versions.previous_version(versions.find_version(arranged, "0.1")) is None
    for label in ("0.9", "x", "0.", ".1", "1.2.3", "١.٢", "9999999.1"):
        assert versions.find_version(arranged, label) is None, label


def test_the_freeze_form_offers_the_next_minor_version_and_a_release(app, arranged, staff):
    versions.freeze(arranged, staff.secretariat)
    db.session.commit()

    with app.test_request_context():
        html = render_template_string(
            '{% include "charters/_freeze_form.html" %}', charter=arranged
        )
        minor = _("Version %(label)s", label="0.2")
        release = _("Version %(label)s (release)", label="1.0")

    kind = r'<input (checked )?id="freeze-kind-(\d)" name="freeze-kind" [^>]*value="(\w+)">'
    assert re.findall(kind, html) == [("checked ", "0", "minor"), ("", "1", "release")]
    assert f'<label for="freeze-kind-0">{minor}</label>' in html
    assert f'<label for="freeze-kind-1">{release}</label>' in html
    assert '<label class="label" for="freeze-note">' in html
    assert f'action="/charters/{arranged.id}/versions/freeze"' in html
