"""Charters and their chapters: the services, the list, the working draft and the settings."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.charters import charters, pool
from eventsys.charters.content import working_text
from eventsys.charters.errors import CharterError
from eventsys.charters.models import (
    Chapter,
    Charter,
    CharterVersion,
    Clause,
    ConsultationComment,
)
from eventsys.charters.states import ClauseStatus, VersionState
from eventsys.extensions import db
from tests.charters.conftest import clause_from
from tests.conftest import page_text, sign_in


@pytest.fixture
def secretariat(client, staff):
    return sign_in(client, staff.secretariat)


def revision(charter) -> int:
    db.session.refresh(charter)
    return charter.revision


def chapter_titles(charter) -> list[str]:
    return [chapter["title_de"] for chapter in working_text(charter)["chapters"]]


def first_clause(charter, workshops) -> Clause:
    return clause_from(charter, f"E-{workshops.first.id}.1.1")


def freeze_directly(charter, major: int, minor: int, state=VersionState.WORKING_DRAFT):
    version = CharterVersion(
        charter=charter, major=major, minor=minor, content=working_text(charter), state=state
    )
    db.session.add(version)
    db.session.commit()
    return version


# --- services ---------------------------------------------------------------------------------


def test_update_charter_changes_titles_and_preamble(charter):
    before = revision(charter)

    charters.update_charter(
        charter,
        title_de=" Smart City Charta 2 ",
        title_en="Smart City Charter 2",
        preamble_de="Die **Präambel**.",
        preamble_en="",
    )
    db.session.commit()

    text = working_text(charter)["charter"]
    assert (text["title_de"], text["preamble_de"]) == ("Smart City Charta 2", "Die **Präambel**.")
    assert revision(charter) == before + 1
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "charter.updated"))
    assert set(entry.changes) == {"title_de", "title_en", "preamble_de"}


def test_saving_an_unchanged_charter_changes_nothing(charter):
    before = revision(charter)

    charters.update_charter(
        charter,
        title_de=charter.title_de,
        title_en=charter.title_en,
        preamble_de="",
        preamble_en="",
    )

    assert revision(charter) == before


@pytest.mark.parametrize(
    "changes",
    [
        {"title_de": "  "},
        {"title_de": "x" * 301},
        {"title_en": "x" * 301},
        {"preamble_de": "x" * 1001},  # one word longer than the PDF renderer can break
        {"preamble_en": "> " * 40 + "tief"},
    ],
    ids=["no title", "long title", "long English title", "long word", "deep nesting"],
)
def test_update_charter_refuses_bad_texts(charter, changes):
    values = {"title_de": "Charta", "title_en": "", "preamble_de": "", "preamble_en": ""}

    with pytest.raises(CharterError):
        charters.update_charter(charter, **(values | changes))
    db.session.rollback()
    assert charter.title_de == "Smart City Charta"


def test_create_charter_refuses_a_missing_title(app, staff):
    with pytest.raises(CharterError):
        charters.create_charter("   ", "Charter", staff.admin)
    assert db.session.scalar(sa.select(sa.func.count(Charter.id))) == 0


def test_chapters_are_added_edited_moved_and_removed(charter):
    before = revision(charter)

    added = charters.add_chapter(
        charter,
        title_de="Daten",
        title_en="Data",
        introduction_de="Über *Daten*.",
        introduction_en="",
    )
    charters.update_chapter(
        added, title_de="Datenpolitik", title_en="", introduction_de="", introduction_en="About."
    )
    charters.move_chapter(added, -1)
    db.session.commit()

    titles = chapter_titles(charter)
    assert titles[3] == "Datenpolitik"
    assert len(titles) == 5
    assert working_text(charter)["chapters"][3]["introduction_en"] == "About."

    charters.remove_chapter(added)
    db.session.commit()

    assert len(chapter_titles(charter)) == 4
    assert [chapter.position for chapter in charters.chapters_in_order(charter)] == [1, 2, 3, 4]
    assert revision(charter) == before + 4
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.entity_type == "charter_chapters")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == [
        "charter.chapter_added",
        "charter.chapter_updated",
        "charter.chapter_moved",
        "charter.chapter_removed",
    ]


def test_a_chapter_cannot_move_past_the_ends(charter):
    chapters = charters.chapters_in_order(charter)

    with pytest.raises(CharterError):
        charters.move_chapter(chapters[0], -1)
    with pytest.raises(CharterError):
        charters.move_chapter(chapters[-1], 1)


def test_a_chapter_needs_a_german_title(charter):
    chapter = charter.chapters[0]

    with pytest.raises(CharterError):
        charters.update_chapter(
            chapter, title_de="", title_en="x", introduction_de="", introduction_en=""
        )


def test_only_an_empty_chapter_can_be_removed(charter, workshops, staff):
    chapter = charter.chapters[0]
    chosen = first_clause(charter, workshops)
    pool.assign(chosen, chapter, staff.admin)

    with pytest.raises(CharterError):
        charters.remove_chapter(chapter)

    pool.set_aside(chosen, "Doppelt", staff.admin)
    charters.remove_chapter(chapter)
    db.session.commit()

    assert db.session.get(Chapter, chapter.id) is None
    assert chosen.status is ClauseStatus.SET_ASIDE


def test_a_chapter_with_consultation_comments_is_kept(charter, workshops):
    chapter = charter.chapters[1]
    version = freeze_directly(charter, 0, 1)
    db.session.add(
        ConsultationComment(version=version, expert=workshops.anna, chapter=chapter, text="?")
    )
    db.session.commit()

    with pytest.raises(CharterError):
        charters.remove_chapter(chapter)


def test_charter_rows_count_the_pool(charter, workshops, staff):
    other = charters.create_charter("Datenstrategie", "", staff.admin)
    chosen = first_clause(charter, workshops)
    pool.assign(chosen, charter.chapters[0], staff.admin)
    pool.set_aside(clause_from(charter, f"E-{workshops.first.id}.1.2"), "Doppelt", staff.admin)
    version = freeze_directly(charter, 0, 1)
    late = clause_from(charter, f"E-{workshops.second.id}.2.1")
    late.arrived_at = version.frozen_at + timedelta(hours=1)
    db.session.commit()

    rows = {row.charter.id: row for row in charters.charter_rows()}

    assert rows[charter.id].latest_version == version
    assert (rows[charter.id].assigned, rows[charter.id].unassigned, rows[charter.id].new) == (
        1,
        4,
        1,
    )
    assert rows[other.id].latest_version is None
    assert (rows[other.id].assigned, rows[other.id].unassigned, rows[other.id].new) == (0, 6, 6)


# --- pages ------------------------------------------------------------------------------------


def test_the_list_shows_every_charter_with_its_counts(secretariat, charter, workshops):
    freeze_directly(charter, 0, 1)
    freeze_directly(charter, 0, 2)

    response = secretariat.get("/charters/")

    assert response.status_code == 200
    assert f'href="/charters/{charter.id}/versions/0.2"' in response.text
    assert '<td class="number" data-count="unassigned">6</td>' in response.text
    assert '<td class="number" data-count="new">0</td>' in response.text
    assert 'name="title_de"' in response.text


def test_a_new_charter_through_the_form(secretariat, workshops):
    response = secretariat.post(
        "/charters/new", data={"title_de": "Datenstrategie", "title_en": "Data strategy"}
    )

    created = db.session.scalar(sa.select(Charter).where(Charter.title_de == "Datenstrategie"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/charters/{created.id}"
    assert created.title_en == "Data strategy"
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Clause.id)).where(Clause.charter_id == created.id)
        )
        == 6
    )


@pytest.mark.parametrize(
    "data", [{"title_de": ""}, {"title_de": "x" * 301}, {"title_de": "Zeile\nzwei"}]
)
def test_a_new_charter_with_a_bad_title_is_refused(secretariat, app, data):
    response = secretariat.post("/charters/new", data=data)

    assert response.status_code == 422
    assert "error-summary" in response.text
    assert db.session.scalar(sa.select(sa.func.count(Charter.id))) == 0


def test_the_draft_shows_the_working_text(secretariat, charter, workshops, count_queries):
    chosen = first_clause(charter, workshops)
    pool.assign(chosen, charter.chapters[0], None)
    charter.chapters[0].introduction_de = "Die **Einleitung**."
    charter.preamble_de = "Eine Präambel."
    db.session.commit()

    response = secretariat.get(f"/charters/{charter.id}")

    assert response.status_code == 200
    assert f'id="clause-{chosen.id}" data-number="1.1"' in response.text
    assert "<strong>Einleitung</strong>" in response.text
    assert f'href="/charters/{charter.id}/clauses/{chosen.id}"' in response.text
    assert f'href="/charters/{charter.id}/clauses/{chosen.id}/provenance"' in response.text
    assert "charter-badge--new" in response.text
    assert "Eine Präambel." in page_text(response)
    assert 'id="changes-link"' not in response.text  # nothing to compare with yet
    assert f'href="/charters/{charter.id}/pool"' in response.text
    assert f'href="/charters/{charter.id}/draft.pdf"' in response.text


def test_the_draft_names_the_version_in_progress_and_links_the_changes(
    app, client, staff, charter, workshops
):
    staff.secretariat.language = "en"
    db.session.commit()
    sign_in(client, staff.secretariat)
    freeze_directly(charter, 0, 1)
    freeze_directly(charter, 0, 2)

    response = client.get(f"/charters/{charter.id}")

    assert "Version 0.3 in progress" in page_text(response)
    assert f'href="/charters/{charter.id}/diff?from=0.2&amp;to=draft"' in response.text
    assert "charter-badge--new" not in response.text


def test_the_draft_needs_as_many_queries_for_a_long_text(
    secretariat, charter, workshops, count_queries
):
    pool.assign(first_clause(charter, workshops), charter.chapters[0], None)
    db.session.commit()
    secretariat.get(f"/charters/{charter.id}")
    db.session.expire_all()
    with count_queries() as short:
        secretariat.get(f"/charters/{charter.id}")

    pool.assign_suggested(charter, None)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as longer:
        response = secretariat.get(f"/charters/{charter.id}")

    assert response.text.count('class="charter-clause"') == 6
    assert longer.count == short.count


def test_an_unknown_charter_is_not_found(secretariat, app):
    for path in ("/charters/999", "/charters/999/pool", "/charters/999/settings"):
        assert secretariat.get(path).status_code == 404


def test_the_settings_save_titles_and_preamble(secretariat, charter):
    page = secretariat.get(f"/charters/{charter.id}/settings")
    response = secretariat.post(
        f"/charters/{charter.id}/settings",
        data={"title_de": "Charta", "title_en": "", "preamble_de": "Präambel", "preamble_en": ""},
    )

    assert page.status_code == 200
    assert 'name="preamble_de"' in page.text
    assert response.status_code == 302
    db.session.expire_all()
    assert (charter.title_de, charter.preamble_de) == ("Charta", "Präambel")


def test_the_settings_refuse_bad_input_with_422(secretariat, charter):
    response = secretariat.post(
        f"/charters/{charter.id}/settings",
        data={"title_de": "Charta", "preamble_de": "x" * 1001},
    )

    assert response.status_code == 422
    assert "error-summary" in response.text
    db.session.expire_all()
    assert charter.title_de == "Smart City Charta"


def test_chapters_through_the_pages(secretariat, charter):
    added = secretariat.post(
        f"/charters/{charter.id}/chapters/new",
        data={"title_de": "Daten", "introduction_de": "Über Daten."},
    )
    chapter = db.session.scalar(sa.select(Chapter).where(Chapter.title_de == "Daten"))
    assert added.status_code == 302
    assert chapter.position == 5

    edit_url = f"/charters/{charter.id}/chapters/{chapter.id}"
    assert secretariat.get(edit_url).status_code == 200
    edited = secretariat.post(edit_url, data={"title_de": "Datenpolitik", "title_en": "Data"})
    assert edited.status_code == 302

    moved = secretariat.post(
        f"/charters/{charter.id}/chapters/move", data={"chapter": chapter.id, "offset": "-1"}
    )
    assert moved.status_code == 302
    db.session.expire_all()
    assert (chapter.title_de, chapter.title_en, chapter.position) == ("Datenpolitik", "Data", 4)

    removed = secretariat.post(
        f"/charters/{charter.id}/chapters/remove", data={"chapter": chapter.id}
    )
    assert removed.status_code == 302
    assert db.session.get(Chapter, chapter.id) is None


def test_chapter_pages_refuse_bad_input(secretariat, charter, workshops, staff):
    chapter = charter.chapters[0]
    pool.assign(first_clause(charter, workshops), chapter, None)
    other = charters.create_charter("Datenstrategie", "", staff.admin)
    db.session.commit()
    foreign = other.chapters[0].id

    assert (
        secretariat.post(
            f"/charters/{charter.id}/chapters/{chapter.id}", data={"title_de": ""}
        ).status_code
        == 422
    )
    assert (
        secretariat.post(
            f"/charters/{charter.id}/chapters/new", data={"title_de": "x" * 301}
        ).status_code
        == 422
    )
    assert secretariat.get(f"/charters/{charter.id}/chapters/{foreign}").status_code == 404
    assert secretariat.get(f"/charters/{charter.id}/chapters/abc").status_code == 404
    assert (
        secretariat.post(
            f"/charters/{charter.id}/chapters/remove", data={"chapter": foreign}
        ).status_code
        == 404
    )

    refused_removal = secretariat.post(
        f"/charters/{charter.id}/chapters/remove",
        data={"chapter": chapter.id},
        follow_redirects=True,
    )
    refused_move = secretariat.post(
        f"/charters/{charter.id}/chapters/move",
        data={"chapter": chapter.id, "offset": "-1"},
        follow_redirects=True,
    )
    nonsense_move = secretariat.post(
        f"/charters/{charter.id}/chapters/move",
        data={"chapter": chapter.id, "offset": "3"},
        follow_redirects=True,
    )

    for response in (refused_removal, refused_move, nonsense_move):
        assert "flash flash--error" in response.text
    db.session.expire_all()
    assert db.session.get(Chapter, chapter.id).position == 1
