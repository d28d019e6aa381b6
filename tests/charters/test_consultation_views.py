"""The consultation pages: starting it, the experts' page behind the signed link, the
secretariat's comments page with its answers; bad input, forged links, bounded queries, and
the three pages in Chromium with axe-core."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from eventsys.charters import consultation
from eventsys.charters.models import ConsultationComment, ConsultationRecipient
from eventsys.charters.states import CommentStatus, VersionState
from eventsys.charters.tokens import make_consultation_token
from eventsys.database import utcnow
from eventsys.experts.models import WorkingGroup
from eventsys.extensions import db
from tests.charters.test_consultation import (
    IN_A_WEEK,
    assign_by_guideline,
    clause_id,
    edited,
    make_version,
    outsider,
)
from tests.conftest import TEST_PASSWORD, page_text, reading_english


@pytest.fixture
def staff(staff):
    return reading_english(staff)


@pytest.fixture
def version(charter):
    assign_by_guideline(charter)
    return make_version(charter)


@pytest.fixture
def consulted(version, workshops, staff):
    consultation.start(
        version, [workshops.anna, workshops.claire], utcnow() + IN_A_WEEK, staff.organiser
    )
    db.session.commit()
    return version


def start_url(version) -> str:
    return f"/charters/{version.charter_id}/versions/{version.label}/consultation"


def comments_url(version, show: str = "") -> str:
    url = f"/charters/{version.charter_id}/versions/{version.label}/comments"
    return f"{url}?show={show}" if show else url


def consult_url(version, expert) -> str:
    return f"/charters/consult/{make_consultation_token(version, expert)}"


def comment(version, expert, text: str, number: str | None = None) -> ConsultationComment:
    made = consultation.add_comment(
        version,
        expert,
        chapter_id=None,
        clause_id=clause_id(version, number) if number else None,
        text=text,
    )
    db.session.commit()
    return made


def answer_url(made: ConsultationComment) -> str:
    return f"/charters/{made.version.charter_id}/comments/{made.id}/answer"


# --- Starting -------------------------------------------------------------------------------


def test_the_start_page_shows_how_many_each_choice_reaches(version, workshops, organiser_client):
    outsider()
    db.session.add(WorkingGroup(name="AG Daten", members=[workshops.anna]))
    db.session.commit()
    response = organiser_client.get(start_url(version))
    assert response.status_code == 200
    text = page_text(response)
    assert "whose recommendations are in this version (2)" in text
    assert "All active experts (3)" in text
    assert "AG Daten (1)" in text
    html = response.get_data(as_text=True)
    assert re.search(
        r'<input[^>]*checked[^>]*value="attendees"|value="attendees"[^>]*checked', html
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"recipients": "working_group", "working_group": ""}, "Please choose the working group."),
        ({"recipients": "working_group", "working_group": "999"}, "Not a valid choice"),
        ({"recipients": "nobody"}, "Not a valid choice"),
        ({"deadline": "2001-01-01"}, "cannot lie in the past"),
        ({"deadline": "tomorrow"}, "Please enter the last day for comments."),
    ],
)
def test_bad_start_requests_are_shown_again_and_send_nothing(
    version, workshops, organiser_client, data, message
):
    form = {"recipients": "attendees", "deadline": "2099-12-31"} | data
    response = organiser_client.post(start_url(version), data=form)
    assert response.status_code == 422
    assert message in page_text(response)
    db.session.refresh(version)
    assert version.state is VersionState.WORKING_DRAFT
    assert db.session.scalar(sa.select(sa.func.count(ConsultationRecipient.id))) == 0


def test_a_working_group_without_active_members_is_refused_with_the_reason(
    version, organiser_client
):
    group = WorkingGroup(name="AG Leer", members=[outsider("Rudi", active=False)])
    db.session.add(group)
    db.session.commit()
    response = organiser_client.post(
        start_url(version),
        data={"recipients": "working_group", "working_group": group.id, "deadline": "2099-12-31"},
    )
    assert response.status_code == 422
    assert "at least one active expert" in page_text(response)


def test_an_adopted_version_cannot_be_put_out(version, organiser_client):
    version.state = VersionState.ADOPTED
    db.session.commit()
    page = organiser_client.get(start_url(version))
    assert "can no longer be put out for consultation" in page_text(page)
    assert 'name="deadline"' not in page.get_data(as_text=True)
    refused = organiser_client.post(
        start_url(version), data={"recipients": "attendees", "deadline": "2099-12-31"}
    )
    assert refused.status_code == 422
    assert "An adopted version cannot be put out" in page_text(refused)


def test_unknown_versions_and_other_charters_are_404(version, organiser_client):
    assert (
        organiser_client.get(
            f"/charters/{version.charter_id}/versions/0.9/consultation"
        ).status_code
        == 404
    )
    assert organiser_client.get("/charters/999/versions/0.1/comments").status_code == 404


def test_the_secretariat_reads_comments_but_does_not_start(version, secretariat_client):
    assert secretariat_client.get(start_url(version)).status_code == 403
    page = secretariat_client.get(comments_url(version))
    assert page.status_code == 200
    assert "Start the consultation" not in page_text(page)


# --- The experts' page ----------------------------------------------------------------------


def test_an_expert_comments_per_recommendation_chapter_and_whole(consulted, workshops, client):
    url = consult_url(consulted, workshops.anna)
    chapter = consulted.content["chapters"][1]
    posts = [
        {"target": f"clause-{clause_id(consulted, '3.1')}", "text": "Zu eng gefasst."},
        {"target": f"chapter-{chapter['id']}", "text": "Es fehlt die Inklusion."},
        {"target": "", "text": "Insgesamt gelungen."},
    ]
    for data in posts:
        response = client.post(url, data=data)
        assert response.status_code == 302
        assert response.location.endswith("#your-comments")

    stored = db.session.scalars(sa.select(ConsultationComment).order_by(ConsultationComment.id))
    places = [(c.chapter_id, c.clause_id, c.text) for c in stored]
    assert places == [
        (consulted.content["chapters"][2]["id"], clause_id(consulted, "3.1"), "Zu eng gefasst."),
        (chapter["id"], None, "Es fehlt die Inklusion."),
        (None, None, "Insgesamt gelungen."),
    ]
    mine = page_text(client.get(url)).split("Your comments")[-1]
    assert "Zu eng gefasst." in mine and "Insgesamt gelungen." in mine


@pytest.mark.parametrize(
    ("target", "text", "message"),
    [
        ("", "   ", "Bitte schreiben Sie Ihren Kommentar."),
        ("", "x" * 5001, "5000"),
        ("clause-999999", "Text", "Diese Handlungsempfehlung ist nicht Teil dieser Fassung."),
        ("clause-abc", "Text", "Diese Handlungsempfehlung ist nicht Teil dieser Fassung."),
        ("paragraph-3", "Text", "Diese Handlungsempfehlung ist nicht Teil dieser Fassung."),
        ("chapter-999999", "Text", "Dieses Kapitel ist nicht Teil dieser Fassung."),
    ],
)
def test_bad_comments_are_refused_with_a_reason(
    consulted, workshops, client, target, text, message
):
    response = client.post(
        consult_url(consulted, workshops.anna), data={"target": target, "text": text}
    )
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(sa.select(sa.func.count(ConsultationComment.id))) == 0


def test_after_the_deadline_the_page_says_so_and_refuses_comments(consulted, workshops, client):
    url = consult_url(consulted, workshops.anna)
    comment(consulted, workshops.anna, "Noch rechtzeitig.")
    consulted.consultation_deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="consultation-ended"' in html and 'name="text"' not in html
    assert "Noch rechtzeitig." in page_text(page)
    refused = client.post(url, data={"target": "", "text": "Zu spät"})
    assert refused.status_code == 422
    assert "Die Frist für Kommentare ist abgelaufen." in page_text(refused)
    assert db.session.scalar(sa.select(sa.func.count(ConsultationComment.id))) == 1


def test_links_are_bound_to_a_recipient_and_a_version(consulted, charter, workshops, client, staff):
    token = make_consultation_token(consulted, workshops.anna)
    assert client.get(f"/charters/consult/{token}").status_code == 200
    assert client.get(f"/charters/consult/{token[:-3]}abc").status_code == 404
    assert client.get("/charters/consult/not-a-token").status_code == 404
    assert client.get(f"/charters/consult/{token[:-3]}abc/charter.pdf").status_code == 404
    # Someone the version was not sent to, and a version Anna was not asked about.
    assert client.get(consult_url(consulted, outsider())).status_code == 404
    second = make_version(charter, 0, 2, edited(consulted, 0, 2))
    assert client.get(consult_url(second, workshops.anna)).status_code == 404
    assert client.post(consult_url(second, workshops.anna), data={"text": "x"}).status_code == 404


def test_links_expire_after_a_year(consulted, workshops, client):
    url = consult_url(consulted, workshops.anna)
    with freeze_time(datetime.now(UTC) + timedelta(days=360)):
        assert client.get(url).status_code == 200
    with freeze_time(datetime.now(UTC) + timedelta(days=366)):
        assert client.get(url).status_code == 404


def test_the_expert_sees_the_answer_and_what_became_of_the_recommendation(
    consulted, charter, workshops, client, secretariat_client
):
    claire = workshops.claire  # reads English
    changed = comment(consulted, claire, "Too vague.", "1.1")
    removed = comment(consulted, claire, "Drop this.", "2.1")
    kept = comment(consulted, claire, "Fine as it is.", "4.1")
    response = secretariat_client.post(
        answer_url(changed), data={"answer": "We sharpened it.", "outcome": "answer"}
    )
    assert response.status_code == 302
    secretariat_client.post(answer_url(kept), data={"answer": "", "outcome": "resolve"})

    url = consult_url(consulted, claire)
    page = client.get(url)
    text = page_text(page)
    assert "We sharpened it." in text
    assert "answered" in text and "resolved" in text
    assert "clause-fate" not in page.get_data(as_text=True)

    make_version(
        charter, 0, 2, edited(consulted, 0, 2, **{"1.1": "Schärfer gefasst.", "2.1": None})
    )
    later = page_text(client.get(url))
    assert "There is a newer version of the text: version 0.2" in later
    for made, fate in [
        (changed, "changed in version 0.2"),
        (removed, "no longer contained in version 0.2"),
        (kept, "unchanged in version 0.2"),
    ]:
        own = later.split(made.text)[1]
        assert own.split("What became of it:")[1].strip().startswith(fate)


# --- The comments page and the answers -------------------------------------------------------


def test_comments_stand_under_their_recommendation_with_counts_and_filter(
    consulted, workshops, secretariat_client, staff
):
    on_clause = comment(consulted, workshops.anna, "Zu eng gefasst.", "3.1")
    comment(consulted, workshops.claire, "Add a glossary.")
    consultation.answer(on_clause, "Wir prüfen das.", staff.secretariat, resolve=False)
    db.session.commit()

    html = secretariat_client.get(comments_url(consulted)).get_data(as_text=True)
    clause_block = html.split(f'id="clause-{clause_id(consulted, "3.1")}"')[1].split(
        'class="charter-clause"'
    )[0]
    assert "Zu eng gefasst." in clause_block and "Dr. Anna Schmidt, Stadt Köln" in clause_block
    assert "Wir prüfen das." in clause_block
    whole = html.split('id="whole-heading"')[1].split("charter-chapter")[0]
    assert "Add a glossary." in whole and "Claire Tremblay, BBSR" in whole
    assert 'data-status="open">1<' in html and 'data-status="answered">1<' in html

    only_open = page_text(secretariat_client.get(comments_url(consulted, "open")))
    assert "Add a glossary." in only_open and "Zu eng gefasst." not in only_open


def test_answering_resolving_and_refusals(consulted, charter, workshops, secretariat_client, staff):
    made = comment(consulted, workshops.anna, "Bitte ergänzen.", "1.1")

    empty = secretariat_client.post(answer_url(made), data={"answer": " ", "outcome": "answer"})
    assert empty.status_code == 302 and empty.location.endswith(f"#comment-{made.id}")
    assert "Please write an answer." in page_text(secretariat_client.get(empty.location))
    for data in (
        {"answer": "x", "outcome": "shrug"},
        {"answer": "x" * 5001, "outcome": "answer"},
        {},
    ):
        assert secretariat_client.post(answer_url(made), data=data).status_code == 302
    db.session.refresh(made)
    assert made.status is CommentStatus.OPEN and made.answer == ""

    secretariat_client.post(
        answer_url(made),
        data={"answer": "Ist ergänzt.", "outcome": "answer_and_resolve", "show": "open"},
    )
    db.session.refresh(made)
    assert made.status is CommentStatus.RESOLVED and made.answer == "Ist ergänzt."
    assert made.answered_by_id == staff.secretariat.id

    secretariat_client.post(answer_url(made), data={"answer": "ignored", "outcome": "resolve"})
    db.session.refresh(made)
    assert made.answer == "Ist ergänzt."

    assert (
        secretariat_client.post(f"/charters/{charter.id}/comments/999999/answer").status_code == 404
    )
    wrong_charter = f"/charters/{charter.id + 1}/comments/{made.id}/answer"
    assert secretariat_client.post(wrong_charter, data={"outcome": "resolve"}).status_code == 404


def test_the_comments_page_needs_the_same_queries_for_few_and_many_comments(
    consulted, workshops, secretariat_client, staff, count_queries
):
    url = comments_url(consulted)
    first = comment(consulted, workshops.anna, "Erster Kommentar.", "1.1")
    consultation.answer(first, "Danke.", staff.secretariat, resolve=False)
    db.session.commit()
    with count_queries() as few:
        assert secretariat_client.get(url).status_code == 200

    experts = [outsider(f"Kommentator{n}") for n in range(6)]
    for expert in experts:
        db.session.add(ConsultationRecipient(version=consulted, expert=expert))
    db.session.commit()
    for n, expert in enumerate(experts * 4):
        number = ["1.1", "2.1", "3.1", "4.2", None][n % 5]
        made = comment(consulted, expert, f"Kommentar {n}", number)
        if n % 3 == 0:
            user = staff.secretariat if n % 2 else staff.organiser
            consultation.answer(made, f"Antwort {n}", user, resolve=n % 2 == 0)
    db.session.commit()
    with count_queries() as many:
        page = secretariat_client.get(url)
    assert "Kommentar 23" in page_text(page) and "Antwort 21" in page_text(page)
    assert many.count == few.count


def test_the_experts_page_needs_the_same_queries_for_few_and_many_comments(
    consulted, charter, workshops, client, count_queries
):
    url = consult_url(consulted, workshops.anna)
    make_version(charter, 0, 2, edited(consulted, 0, 2))
    comment(consulted, workshops.anna, "Eins.", "1.1")
    db.session.expire_all()
    with count_queries() as few:
        assert client.get(url).status_code == 200
    for n in range(15):
        comment(consulted, workshops.anna, f"Mehr {n}.", ["1.1", "3.2", None][n % 3])
    db.session.expire_all()
    with count_queries() as many:
        assert "Mehr 14." in page_text(client.get(url))
    assert many.count == few.count


# --- In the browser -------------------------------------------------------------------------


@pytest.mark.browser
def test_the_consultation_pages_are_accessible(
    version, workshops, staff, chromium, page, live_server, axe
):
    page.goto("/login")
    page.locator("#email").fill(staff.organiser.email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("#password").press("Enter")
    page.get_by_role("heading", level=1, name="Overview").wait_for()

    page.goto(start_url(version))
    axe.check(page)
    page.get_by_label("Comments until (inclusive)").fill("2099-12-31")
    page.get_by_role("button", name="Send for comments").click()
    page.locator("#mail-preview").wait_for()
    axe.check(page)
    page.get_by_role("button", name="Send for comments").click()
    page.get_by_role("heading", level=1, name="Comments on version 0.1").wait_for()
    db.session.expire_all()
    assert consultation.recipient_ids(version) == {workshops.anna.id, workshops.claire.id}

    # The expert, in a browser of their own without a login.
    expert_context = chromium.new_context(base_url=live_server.url)
    try:
        expert_page = expert_context.new_page()
        expert_page.goto(consult_url(version, workshops.claire))
        axe.check(expert_page)
        expert_page.get_by_text("Comment on recommendation 1.1", exact=True).click()
        expert_page.locator(f"#comment-clause-{clause_id(version, '1.1')}").fill("Too vague.")
        expert_page.locator(f"#clause-{clause_id(version, '1.1')} button[type=submit]").click()
        expert_page.locator("#your-comments").get_by_text("Too vague.").wait_for()
        axe.check(expert_page)
    finally:
        expert_context.close()

    page.goto(comments_url(version))
    page.get_by_text("Too vague.").wait_for()
    axe.check(page)
    page.get_by_label("Your answer to Claire Tremblay").fill("We sharpen it.")
    page.get_by_role("button", name="Answer and resolve").click()
    page.get_by_text("We sharpen it.").first.wait_for()
    axe.check(page)
    db.session.expire_all()
    assert db.session.scalar(sa.select(ConsultationComment.status)) is CommentStatus.RESOLVED


def test_the_consultation_link_of_a_deactivated_expert_stops(consulted, workshops, client):
    url = consult_url(consulted, workshops.anna)
    workshops.anna.active = False
    db.session.commit()

    page = client.get(url)

    assert page.status_code == 410
    assert "Dieser Link funktioniert nicht mehr" in page_text(page)
    assert client.get(f"{url}/charter.pdf").status_code == 410
