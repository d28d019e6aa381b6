"""The version pages: freezing through the form, a version's page, the list, adopting, the PDFs
and the comparison page; bad input is a 404 or 422, never a 500; queries stay bounded."""

import re

import pytest
import sqlalchemy as sa
from flask_babel import refresh

from eventsys.charters import versions
from eventsys.charters.models import Charter, CharterVersion, Clause, ClauseOrigin
from eventsys.charters.states import VersionState
from eventsys.extensions import db
from tests.charters.conftest import clause_from
from tests.charters.test_versions import arrange
from tests.conftest import TEST_PASSWORD, page_text, sign_in
from tests.pdf.pdf_contents import page_texts


@pytest.fixture
def arranged(charter) -> Charter:
    arrange(charter)
    return charter


@pytest.fixture
def first(arranged, staff) -> CharterVersion:
    version = versions.freeze(arranged, staff.secretariat, note="Zur Abstimmung")
    db.session.commit()
    return version


@pytest.fixture
def second(arranged, workshops, first, staff) -> CharterVersion:
    clause_from(
        arranged, f"E-{workshops.first.id}.1.1"
    ).text_de = "Kommunen entwickeln eine gemeinsame Digitalstrategie mit messbaren Zielen."
    clause_from(arranged, f"E-{workshops.second.id}.2.1").chapter = None
    db.session.commit()
    version = versions.freeze(arranged, staff.secretariat)
    db.session.commit()
    return version


def base(charter: Charter) -> str:
    return f"/charters/{charter.id}"


def sign_in_in_english(client, user):
    user.language = "en"
    db.session.commit()
    sign_in(client, user)
    # The test shares one application context (and its `g`) with the requests, where
    # Flask-Babel keeps the locale it chose for the anonymous sign-in request.
    refresh()
    return client


# --- freezing ---------------------------------------------------------------------------------


def test_the_secretariat_freezes_the_working_text(secretariat_client, arranged):
    asked = secretariat_client.post(
        f"{base(arranged)}/versions/freeze",
        data={"freeze-kind": "minor", "freeze-note": "Erster Entwurf"},
    )
    assert asked.status_code == 200 and versions.last_version(arranged) is None
    text = page_text(asked)
    assert "Fassung 0.1 einfrieren" in text and "Niemand erhält eine E-Mail" in text
    response = secretariat_client.post(
        f"{base(arranged)}/versions/freeze",
        data={"freeze-kind": "minor", "freeze-note": "Erster Entwurf", "mail_confirmed": "1"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == f"{base(arranged)}/versions/0.1"
    version = versions.last_version(arranged)
    assert (version.label, version.note) == ("0.1", "Erster Entwurf")
    assert len(version.clauses) == 6


def test_freezing_a_release(secretariat_client, first, arranged):
    response = secretariat_client.post(
        f"{base(arranged)}/versions/freeze",
        data={"freeze-kind": "release", "mail_confirmed": "1"},
    )

    assert response.headers["Location"] == f"{base(arranged)}/versions/1.0"
    assert versions.last_version(arranged).label == "1.0"


@pytest.mark.parametrize(
    "data",
    [
        {"freeze-kind": "major"},
        {"freeze-kind": "minor", "freeze-note": "x" * (versions.MAX_NOTE_LENGTH + 1)},
    ],
    ids=["unknown-kind", "overlong-note"],
)
def test_bad_freeze_input_changes_nothing(secretariat_client, arranged, data):
    response = secretariat_client.post(f"{base(arranged)}/versions/freeze", data=data)

    assert response.status_code == 302
    assert response.headers["Location"] == f"{base(arranged)}#freeze"
    assert versions.last_version(arranged) is None


def test_an_empty_text_is_not_frozen_and_the_reason_is_shown(client, staff, charter):
    sign_in_in_english(client, staff.secretariat)

    response = client.post(f"{base(charter)}/versions/freeze", data={"freeze-kind": "minor"})

    assert response.status_code == 302
    assert versions.last_version(charter) is None
    with client.session_transaction() as session:
        messages = [message for _category, message in session["_flashes"]]
    assert any("has no recommendation yet" in message for message in messages)


def test_freezing_an_unknown_charter_is_a_404(secretariat_client, charter):
    response = secretariat_client.post(
        f"/charters/{charter.id + 1}/versions/freeze", data={"freeze-kind": "minor"}
    )
    assert response.status_code == 404


# --- the version page and the list -------------------------------------------------------------


def test_the_version_page_shows_the_numbered_text_and_its_origins(
    organiser_client, second, arranged, workshops
):
    response = organiser_client.get(f"{base(arranged)}/versions/0.2")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = page_text(response)
    assert "Smart City Charta – " in text
    assert 'data-state="working_draft"' in html
    assert "1.1 Kommunen entwickeln eine gemeinsame Digitalstrategie" in text
    duplicate = clause_from(arranged, f"E-{workshops.second.id}.1.2")
    provenance = f"{base(arranged)}/clauses/{duplicate.id}/provenance"
    assert f'<a href="{provenance}">E-{workshops.second.id}.1.2</a>' in html
    assert "Kleine Kommunen kooperieren" not in text  # taken out before 0.2
    for language in ("de", "en", "both"):
        assert f"{base(arranged)}/versions/0.2.pdf?language={language}" in html
    assert f"{base(arranged)}/diff?from=0.1&amp;to=0.2" in html
    assert f"{base(arranged)}/versions/0.2/consultation" in html
    assert f"{base(arranged)}/versions/0.2/adopt" in html
    assert f"{base(arranged)}/versions/0.2/comments" not in html  # never in consultation


def test_the_secretariat_sees_no_consultation_or_adoption_buttons(
    secretariat_client, first, arranged
):
    html = secretariat_client.get(f"{base(arranged)}/versions/0.1").get_data(as_text=True)

    assert 'id="diff-previous"' not in html  # the first version has no predecessor
    assert f"{base(arranged)}/versions/0.1/consultation" not in html
    assert f"{base(arranged)}/versions/0.1/adopt" not in html


def test_a_version_that_was_in_consultation_links_to_the_comments(
    organiser_client, first, arranged
):
    first.state = VersionState.CONSULTATION
    first.consultation_started_at = first.frozen_at
    db.session.commit()

    html = organiser_client.get(f"{base(arranged)}/versions/0.1").get_data(as_text=True)

    assert f"{base(arranged)}/versions/0.1/comments" in html
    assert f"{base(arranged)}/versions/0.1/consultation" not in html


def test_the_english_version_page_shows_the_english_wording(client, staff, first, arranged):
    sign_in_in_english(client, staff.secretariat)

    text = page_text(client.get(f"{base(arranged)}/versions/0.1"))

    assert "Smart City Charter – Version 0.1" in text
    assert "1 Digital transformation needs goals, strategies and structures" in text
    assert "no English wording yet" in text


def test_the_versions_page_lists_every_version(secretariat_client, second, arranged, staff):
    response = secretariat_client.get(f"{base(arranged)}/versions")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    rows = re.findall(r'<tr id="version-([\d.]+)">(.*?)</tr>', html, flags=re.S)
    assert [label for label, _row in rows] == ["0.1", "0.2"]
    first_row = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", rows[0][1]))
    assert staff.secretariat.name in first_row
    assert " 6 " in first_row
    assert "Zur Abstimmung" in first_row
    assert " 5 " in re.sub(r"<[^>]+>", " ", rows[1][1])
    assert 'name="from"' in html and 'name="to"' in html
    assert '<option selected value="draft">' in html


def test_unknown_charters_and_versions_are_404(secretariat_client, first, arranged):
    for url in (
        f"/charters/{arranged.id + 1}/versions",
        f"{base(arranged)}/versions/0.2",
        f"{base(arranged)}/versions/9.1",
        f"/charters/{arranged.id + 1}/versions/0.1",
        f"{base(arranged)}/versions/0.2.pdf",
        f"{base(arranged)}/versions/0.1.pdf?language=fr",
        f"/charters/{arranged.id + 1}/draft.pdf",
    ):
        assert secretariat_client.get(url).status_code == 404, url


# --- adopting --------------------------------------------------------------------------------


def test_an_organiser_adopts_a_version(organiser_client, first, arranged):
    response = organiser_client.post(f"{base(arranged)}/versions/0.1/adopt")

    assert response.status_code == 302
    assert response.headers["Location"] == f"{base(arranged)}/versions/0.1"
    db.session.expire_all()
    assert db.session.get(CharterVersion, first.id).state is VersionState.ADOPTED


def test_the_secretariat_may_not_adopt(secretariat_client, first, arranged):
    response = secretariat_client.post(f"{base(arranged)}/versions/0.1/adopt")

    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(CharterVersion, first.id).state is VersionState.WORKING_DRAFT


def test_adopting_twice_is_refused_with_a_message(organiser_client, first, arranged, staff):
    versions.adopt(first, staff.organiser)
    db.session.commit()

    response = organiser_client.post(f"{base(arranged)}/versions/0.1/adopt")

    assert response.status_code == 302
    with organiser_client.session_transaction() as session:
        assert [category for category, _message in session["_flashes"]] == ["error"]


def test_adopting_an_unknown_version_is_a_404(organiser_client, first, arranged):
    assert organiser_client.post(f"{base(arranged)}/versions/0.5/adopt").status_code == 404


# --- PDFs ----------------------------------------------------------------------------------


def test_the_version_pdf_in_each_language(secretariat_client, first, arranged):
    response = secretariat_client.get(f"{base(arranged)}/versions/0.1.pdf?language=en")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="Smart-City-Charta-Fassung-0.1-en.pdf"'
    )
    assert "Version 0.1 – working draft – Page 1 of" in page_texts(response.data)[0]


def test_the_draft_pdf_is_the_working_text_with_the_watermark(
    secretariat_client, arranged, workshops
):
    clause_from(arranged, f"E-{workshops.first.id}.1.1").text_de = "Neu gefasst."
    db.session.commit()

    response = secretariat_client.get(f"{base(arranged)}/draft.pdf?language=de")

    assert response.status_code == 200
    texts = page_texts(response.data)
    assert all("ENTWURF" in text for text in texts)
    assert "1.1 Neu gefasst." in " ".join(texts)
    assert "Smart-City-Charta-Entwurf-de.pdf" in response.headers["Content-Disposition"]


# --- comparing -------------------------------------------------------------------------------


def test_the_diff_page_marks_inserted_deleted_and_removed_text(
    secretariat_client, second, arranged
):
    response = secretariat_client.get(f"{base(arranged)}/diff?from=0.1&to=0.2")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r"<del>.*?eigene</del>", html)
    assert re.search(r"<ins>.*?gemeinsame</ins>", html)
    assert 'class="diff-clause diff-clause--changed"' in html
    assert 'class="diff-clause diff-clause--removed"' in html
    assert f"{base(arranged)}/diff.pdf?from=0.1&amp;to=0.2&amp;language=de" in html


def test_moved_recommendations_are_labelled_in_words(client, staff, second, arranged, workshops):
    moved = clause_from(arranged, f"E-{workshops.first.id}.1.2")
    moved.chapter, moved.position = arranged.chapters[0], 9
    sign_in_in_english(client, staff.secretariat)

    response = client.get(f"{base(arranged)}/diff?from=0.2&to=draft")

    html = response.get_data(as_text=True)
    assert f'id="diff-clause-{moved.id}"' in html
    assert "diff-clause--moved" in html
    assert "1.2 (moved from 2.1)" in page_text(response)


def test_without_a_choice_the_latest_version_is_compared_with_the_working_text(
    secretariat_client, second, arranged
):
    response = secretariat_client.get(f"{base(arranged)}/diff")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<option selected value="0.2">' in html
    assert '<option selected value="draft">' in html


def test_the_diff_shows_the_english_text_on_request(
    secretariat_client, second, arranged, workshops
):
    clause_from(arranged, f"E-{workshops.first.id}.1.2").text_en = "Citizens take part early."
    db.session.commit()

    response = secretariat_client.get(f"{base(arranged)}/diff?from=0.2&to=draft&language=en")

    assert response.status_code == 200
    assert "<ins><span" in response.get_data(as_text=True)
    assert "Citizens take part early." in page_text(response)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("from=abc&to=0.2", 422),
        ("from=0.1&to=x", 422),
        ("from=0.1&to=0.2&language=fr", 422),
        ("from=&to=0.2", 422),
        ("from=0.9&to=0.2", 404),
        ("from=0.1&to=3.0", 404),
        ("from=0.1&to=99999999999999999999.1", 422),
    ],
)
def test_bad_comparison_parameters(secretariat_client, second, arranged, query, status):
    for page in ("diff", "diff.pdf"):
        response = secretariat_client.get(f"{base(arranged)}/{page}?{query}")
        assert response.status_code == status, (page, query)


def test_there_is_nothing_to_compare_before_the_first_version(secretariat_client, arranged):
    assert secretariat_client.get(f"{base(arranged)}/diff").status_code == 404
    assert secretariat_client.get(f"/charters/{arranged.id + 1}/diff").status_code == 404


def test_the_redline_pdf(secretariat_client, second, arranged):
    response = secretariat_client.get(f"{base(arranged)}/diff.pdf?from=0.1&to=0.2&language=en")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert "Smart-City-Charta-Vergleich-0.1-0.2.pdf" in response.headers["Content-Disposition"]
    text = " ".join(page_texts(response.data))
    assert "Redline: version 0.1 → 0.2" in text
    assert "eigene" in text and "gemeinsame" in text


# --- bounded queries ---------------------------------------------------------------------------


def add_clauses(charter: Charter, count: int) -> None:
    """`count` more recommendations in chapter 2, each with an origin."""
    model = db.session.scalar(
        sa.select(ClauseOrigin).where(ClauseOrigin.charter_id == charter.id).limit(1)
    )
    for number in range(count):
        clause = Clause(
            charter_id=charter.id,
            chapter=charter.chapters[1],
            position=100 + number,
            text_de=f"Zusätzliche Empfehlung {number}.",
            text_en=f"Additional recommendation {number}.",
        )
        db.session.add(
            ClauseOrigin(
                charter_id=charter.id,
                clause=clause,
                session_id=model.session_id,
                minutes_version_id=model.minutes_version_id,
                recommendation_number=f"E-X.1.{number}",
                topic_position=1,
                topic_title="Zusatz",
                original_text=clause.text_de,
            )
        )
    db.session.commit()


def test_version_and_diff_pages_need_as_many_queries_for_30_recommendations_as_for_6(
    secretariat_client, second, arranged, workshops, staff, count_queries
):
    def measure(urls):
        db.session.expire_all()
        with count_queries() as counter:
            for url in urls:
                assert secretariat_client.get(url).status_code == 200, url
        return counter.count

    small = [
        f"{base(arranged)}/versions/0.2",
        f"{base(arranged)}/diff?from=0.1&to=0.2",
        f"{base(arranged)}/diff?from=0.1&to=draft",
        f"{base(arranged)}/versions",
    ]
    secretariat_client.get(small[0])  # warm up what is loaded once per process
    small_count = measure(small)

    add_clauses(arranged, 25)
    clause_from(arranged, f"E-{workshops.second.id}.1.1").chapter = None
    db.session.commit()
    third = versions.freeze(arranged, staff.secretariat)
    db.session.commit()
    assert len(third.clauses) == 29
    large_count = measure(
        [
            f"{base(arranged)}/versions/0.3",
            f"{base(arranged)}/diff?from=0.2&to=0.3",
            f"{base(arranged)}/diff?from=0.2&to=draft",
            f"{base(arranged)}/versions",
        ]
    )

    assert large_count == small_count


# --- accessibility in a real browser -----------------------------------------------------------


@pytest.mark.browser
def test_version_pages_pass_the_accessibility_check(page, staff, second, arranged, axe):
    page.goto("/login")
    page.get_by_label("E-Mail-Adresse").fill(staff.organiser.email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/")

    for url in (
        f"{base(arranged)}/versions",
        f"{base(arranged)}/versions/0.2",
        f"{base(arranged)}/diff?from=0.1&to=0.2",
        f"{base(arranged)}/diff?from=0.1&to=0.2&language=en",
        f"{base(arranged)}/diff?from=abc&to=0.2",
    ):
        page.goto(url)
        assert page.get_by_role("heading", level=1).is_visible()
        axe.check(page)
