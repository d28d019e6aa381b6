"""A session's English title and description and its agenda items' English titles: entered on
the forms, shown to organisers, kept by a copy, and given to readers of English only."""

import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.sessions.models import Session
from tests.conftest import page_text
from tests.sessions.factories import agenda_form, session_form


def test_english_title_description_and_agenda_are_entered_and_shown(english_organiser, staff):
    created = english_organiser.post(
        "/sessions/new",
        data=session_form(
            staff.organiser,
            title_en="Workshop on data strategies",
            description_en="Data strategies for the common good",
        ),
    )
    assert created.status_code == 302
    session = db.session.scalar(sa.select(Session))
    added = english_organiser.post(
        f"/sessions/{session.id}/agenda/new", data=agenda_form(title_en="Welcome")
    )
    assert added.status_code == 302

    db.session.refresh(session)
    assert session.title_en == "Workshop on data strategies"
    assert session.description_en == "Data strategies for the common good"
    (item,) = session.agenda_items
    assert item.title_en == "Welcome"
    text = page_text(english_organiser.get(f"/sessions/{session.id}"))
    assert "English title Workshop on data strategies" in text
    assert "English description Data strategies for the common good" in text
    assert "Begrüßung Welcome" in text
    edit_form = english_organiser.get(f"/sessions/{session.id}/edit").text
    assert 'value="Workshop on data strategies"' in edit_form


def test_each_language_reads_its_own_title_and_falls_back_to_the_main_one(app):
    session = Session(title="Workshop Datenräume", title_en="", description="Deutsch")
    assert session.title_for("en") == "Workshop Datenräume"
    session.title_en = "Workshop on data spaces"
    assert session.title_for("en") == "Workshop on data spaces"
    assert session.title_for("de") == "Workshop Datenräume"
    # An English title alone does not hide the German description from English readers.
    assert session.description_for("en") == "Deutsch"


def test_a_too_long_english_title_is_refused(english_organiser, staff):
    response = english_organiser.post(
        "/sessions/new", data=session_form(staff.organiser, title_en="T" * 201)
    )

    assert response.status_code == 200
    assert "English title" in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(Session.id))) == 0
