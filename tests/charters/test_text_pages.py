"""A long charter text a page at a time: the working draft and a frozen version show 100
recommendations per page in the order of the text, chapters continued across pages, and a
table of contents that leads to the page each chapter starts on; the same queries for one page
of a long text as for a short one."""

import re

import pytest
import sqlalchemy as sa

from eventsys.charters.models import Chapter, Clause
from eventsys.charters.text_pages import CLAUSES_PER_PAGE
from eventsys.extensions import db
from tests.charters.test_pool_pages import add_recommendations, pages_of
from tests.charters.test_provenance import freeze_as
from tests.conftest import page_text, sign_in

# Sizes of the four chapters: the first page ends inside the third chapter, which runs on
# over the second page into the third; the second chapter is empty.
SIZES = (30, 0, 180, 40)
# A page of 100 recommendations stays well under this; the whole text of 2,000 was 1.6 MB.
PAGE_BYTES_BOUND = 150_000


@pytest.fixture
def secretariat(client, staff):
    return sign_in(client, staff.secretariat)


def lay_out(charter, workshops, sizes=SIZES, wording="Satz", start=0) -> list[Chapter]:
    """New recommendations assigned to the charter's four chapters, `sizes` of them in each
    (after what they hold already)."""
    second, version = workshops.second, workshops.second_version
    add_recommendations(charter, second, version, sum(sizes), wording, start=start)
    chapters = sorted(charter.chapters, key=lambda chapter: chapter.position)
    clauses = db.session.scalars(
        sa.select(Clause).where(Clause.text_de.like(f"{wording} %")).order_by(Clause.id)
    ).all()
    taken = 0
    for chapter, size in zip(chapters, sizes, strict=True):
        for position, clause in enumerate(clauses[taken : taken + size], start=1000):
            clause.chapter_id, clause.position = chapter.id, position
        taken += size
    db.session.commit()
    return chapters


def draft_numbers(response) -> list[str]:
    return re.findall(
        r'class="charter-clause" id="clause-\d+" data-number="([\d.]+)"', response.text
    )


def version_numbers(response) -> list[str]:
    return re.findall(r'<tr id="clause-\d+">\s*<th scope="row">([\d.]+)</th>', response.text)


def expected_numbers(sizes=SIZES) -> list[str]:
    return [
        f"{chapter}.{clause}"
        for chapter, size in enumerate(sizes, start=1)
        for clause in range(1, size + 1)
    ]


def test_the_draft_shows_the_text_a_page_at_a_time_in_its_order(secretariat, charter, workshops):
    chapters = lay_out(charter, workshops)
    url = f"/charters/{charter.id}"

    pages = [secretariat.get(url, query_string={"page": number}) for number in (1, 2, 3)]

    assert [pages_of(page) for page in pages] == [(1, 3), (2, 3), (3, 3)]
    shown = [draft_numbers(page) for page in pages]
    assert [len(numbers) for numbers in shown] == [100, 100, 50]
    assert [number for numbers in shown for number in numbers] == expected_numbers()
    assert all(len(page.data) < PAGE_BYTES_BOUND for page in pages)
    first, second, third = (page_text(page) for page in pages)
    # The empty chapter is on the page where its place in the text is, and says it is empty.
    assert f'id="chapter-{chapters[1].id}"' in pages[0].text
    assert "Diesem Kapitel ist noch keine Handlungsempfehlung zugeordnet." in first
    # The third chapter begins on the first page and is marked as continued on the others.
    assert "(Fortsetzung)" not in first
    for page in pages[1:]:
        assert re.search(
            rf'id="chapter-{chapters[2].id}-heading">3\. [^<]*<span[^>]*>[^<]*</span>'
            r' <span class="meta">\(Fortsetzung\)</span>',
            page.text,
        )
    assert second.count("(Fortsetzung)") == third.count("(Fortsetzung)") == 1
    assert f'id="chapter-{chapters[3].id}"' in pages[2].text
    assert f'id="chapter-{chapters[3].id}"' not in pages[1].text


def test_the_table_of_contents_leads_to_each_chapters_first_page(secretariat, charter, workshops):
    chapters = lay_out(charter, workshops)

    response = secretariat.get(f"/charters/{charter.id}", query_string={"page": 2})

    starts = {
        int(chapter_id): int(page)
        for page, chapter_id in re.findall(r'\?page=(\d+)#chapter-(\d+)"', response.text)
    }
    assert starts == {chapters[0].id: 1, chapters[1].id: 1, chapters[2].id: 1, chapters[3].id: 3}
    assert "250 Handlungsempfehlungen insgesamt" in page_text(response)


def test_a_short_text_is_one_page_without_contents(secretariat, charter, workshops):
    lay_out(charter, workshops, sizes=(3, 0, 2, 1))

    response = secretariat.get(f"/charters/{charter.id}")

    assert draft_numbers(response) == expected_numbers((3, 0, 2, 1))
    assert pages_of(response) is None
    assert 'class="charter-contents"' not in response.text


def test_a_page_beyond_the_text_shows_its_last_page(secretariat, charter, workshops):
    lay_out(charter, workshops)

    response = secretariat.get(f"/charters/{charter.id}", query_string={"page": 99})

    assert response.status_code == 200
    assert pages_of(response) == (3, 3)
    assert draft_numbers(response)[0] == "3.171"


def test_a_frozen_version_shows_the_same_pages(secretariat, charter, workshops):
    lay_out(charter, workshops)
    freeze_as(charter, 0, 1)
    db.session.commit()
    url = f"/charters/{charter.id}/versions/0.1"

    pages = [secretariat.get(url, query_string={"page": number}) for number in (1, 2, 3)]

    assert [pages_of(page) for page in pages] == [(1, 3), (2, 3), (3, 3)]
    assert [number for page in pages for number in version_numbers(page)] == expected_numbers()
    assert all(len(page.data) < PAGE_BYTES_BOUND for page in pages)
    assert "(Fortsetzung)" in page_text(pages[1])
    assert f'href="/charters/{charter.id}/versions/0.1?page=3#chapter-4"' in pages[0].text


def test_one_page_of_a_long_draft_needs_the_queries_of_a_short_one(
    secretariat, charter, workshops, count_queries
):
    lay_out(charter, workshops, sizes=(3, 0, 2, 1))
    url = f"/charters/{charter.id}"
    secretariat.get(url)
    db.session.expire_all()
    with count_queries() as short:
        secretariat.get(url)

    lay_out(
        charter, workshops, sizes=(130, 0, 300, 70), wording="Absatz", start=10
    )  # five pages more
    db.session.expire_all()
    with count_queries() as long:
        response = secretariat.get(url, query_string={"page": 4})

    assert len(draft_numbers(response)) == CLAUSES_PER_PAGE
    assert long.count == short.count
