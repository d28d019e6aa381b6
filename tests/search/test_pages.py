"""The search page: results linking to the TOP, the clause or the comment with the words found
marked, pages of results, messages for an empty query and for nothing found, hostile input,
who may search, and a fixed number of queries per page."""

import re

import pytest

from eventsys.extensions import db
from eventsys.minutes.models import MinutesTopic
from eventsys.search.services import RESULTS_PER_PAGE
from tests.conftest import page_text, reading_english, sign_in
from tests.invitations.conftest import make_session
from tests.search.conftest import add_minutes


@pytest.fixture
def english_client(client, staff):
    return sign_in(client, reading_english(staff).secretariat)


def links(response) -> list[str]:
    html = response.get_data(as_text=True)
    results = html.split('<ol class="search-results"', 1)[-1]
    return re.findall(r'<h3 class="search-result__place">\s*<a href="([^"]+)"', results)


def test_results_link_to_the_top_the_clause_and_the_comments(english_client, platform):
    response = english_client.get("/search?q=Datenstrategie")

    assert response.status_code == 200
    text = page_text(response)
    assert "3 results for “Datenstrategie”" in text
    assert "Workshop Datenräume (12 Mar 2026) · Item 2: Kommunale Datenstrategien" in text
    assert "Smart City Charter · Version 0.1 · 3.1" in text
    assert "Smart City Charter · The working text · 3.1" in text
    charter = platform.charter.id
    assert set(links(response)) == {
        f"/minutes/session/{platform.session.id}#top-2",
        f"/charters/{charter}?page=1#clause-{platform.clause.id}",
        f"/charters/{charter}/versions/0.1?page=1#clause-{platform.clause.id}",
    }
    assert "<mark>Datenstrategien</mark>" in response.get_data(as_text=True)

    comments = english_client.get("/search?q=Quartier+Wärmeplanung+-Kommune")
    assert links(comments) == []
    comments = english_client.get("/search?q=Quartier")
    (comment_link,) = links(comments)
    assert comment_link.startswith(f"/minutes/session/{platform.session.id}/comments#comment-")
    anchor = comment_link.split("#")[1]
    page = english_client.get(comment_link.split("#")[0]).get_data(as_text=True)
    assert f'id="{anchor}"' in page
    consultation = english_client.get("/search?q=Wärmeplanung")
    assert links(consultation) == [
        f"/charters/{charter}/versions/0.1/comments#comment-{platform.charter_comment.id}"
    ]


def test_the_anchors_exist_on_the_pages_linked(english_client, platform):
    for link in links(english_client.get("/search?q=Datenstrategie")):
        path, anchor = link.split("#")
        page = english_client.get(path)
        assert page.status_code == 200
        assert f'id="{anchor}"' in page.get_data(as_text=True), link


def test_marking_escapes_what_users_wrote(english_client, platform):
    platform.decision.text = '<img src=x onerror="alert(1)"> Datenstrategie <b>fett</b>'
    db.session.commit()

    html = english_client.get("/search?q=Datenstrategie").get_data(as_text=True)

    assert "<img src=x" not in html and "<b>fett" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; <mark>Datenstrategie</mark>" in html


def test_empty_queries_and_nothing_found_say_so_in_both_languages(client, staff, platform):
    sign_in(client, staff.secretariat)  # reads German (the wording: tests/test_translations.py)
    english = {
        "": "Please enter a word to search for.",
        "und die": "Words as common as these are not searched.",
        "Raumfahrt": "Nothing was found for “Raumfahrt”.",
    }
    for query in english:
        assert client.get("/search", query_string={"q": query}).status_code == 200
    reading_english(staff)
    for query, message in english.items():
        assert message in page_text(client.get("/search", query_string={"q": query}))


HOSTILE = [
    '"',
    '"Datenstrategie',
    'Daten" OR "x',
    "*",
    "Daten*",
    "-",
    "--",
    ":",
    "terms:Kommune",
    "NEAR(Kommune Daten)",
    "Kommune AND NOT",
    "^Kommune",
    "(((",
    "' OR 1=1 --",
    "\\",
    "%_",
    "x" * 5000,
    "Kommune " * 300,
    "🏙️ Städte",
    "\u202e",
]


@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_are_answered(english_client, platform, query):
    response = english_client.get("/search", query_string={"q": query, "page": "99999999999"})
    assert response.status_code == 200


def test_a_long_query_is_shortened_and_says_so(english_client, platform):
    response = english_client.get("/search", query_string={"q": "Kommune " * 100})
    assert "Your search was shortened" in page_text(response)
    assert "2 results for" in page_text(response)


def test_results_come_a_page_at_a_time(english_client, platform):
    session = make_session("Plenum Datenstrategien")
    add_minutes(session, [(f"Datenstrategie Nummer {n}", "") for n in range(1, 46)])
    db.session.commit()

    first = english_client.get("/search?q=Datenstrategie")
    third = english_client.get("/search?q=Datenstrategie&page=3")
    beyond = english_client.get("/search?q=Datenstrategie&page=50")

    assert len(links(first)) == RESULTS_PER_PAGE
    assert "48 results" in page_text(first)
    assert "Page 1 of 3" in page_text(first) and "page=2" in first.get_data(as_text=True)
    assert len(links(third)) == 48 - 2 * RESULTS_PER_PAGE
    assert 'start="41"' in third.get_data(as_text=True)
    assert links(beyond) == links(third)


def test_a_page_asks_as_many_queries_with_many_results_as_with_few(
    english_client, platform, count_queries
):
    def add_sessions(count: int) -> None:
        for number in range(count):
            session = make_session(f"Workshop {number}")
            add_minutes(session, [(f"TOP {number}", "Die Kommunen berichten.") for _ in "ab"])
        db.session.commit()

    english_client.get("/search?q=Kommune")  # warms the app's caches
    with count_queries() as few:
        english_client.get("/search?q=Kommune")
    add_sessions(40)
    english_client.get("/search?q=Kommune")
    with count_queries() as many:
        response = english_client.get("/search?q=Kommune")
    with count_queries() as every_kind:
        everything = english_client.get("/search?q=Datenstrategie")

    assert len(links(response)) == RESULTS_PER_PAGE
    assert db.session.query(MinutesTopic).count() > 80
    assert many.count == few.count, "\n".join(
        [s[:70] for s in few.statements] + ["---"] + [s[:70] for s in many.statements]
    )
    # The TOP, the working text and a version on one page: one query more for each of the
    # charters, their versions and where the working text's recommendations stand.
    assert len(links(everything)) == 3
    assert every_kind.count == few.count + 3


def test_the_search_box_is_on_every_staff_page(english_client, platform):
    html = english_client.get("/sessions/").get_data(as_text=True)
    assert '<label for="header-search" class="visually-hidden">' in html
    assert 'action="/search"' in html


@pytest.mark.parametrize("role", ["admin", "organiser", "secretariat"])
def test_all_staff_may_search(client, staff, platform, role):
    sign_in(client, getattr(staff, role))
    assert client.get("/search?q=Kommune").status_code == 200


def test_visitors_and_experts_with_a_link_are_sent_to_sign_in(client, platform):
    response = client.get("/search?q=Kommune")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "Kommune" not in client.get("/login").get_data(as_text=True)
