"""An expert's history in Chromium, on a phone and a desktop: reached from the expert's page,
free of serious accessibility problems (axe-core), no wider than the screen, and its links
land on the entry they name."""

import pytest
from freezegun import freeze_time
from playwright.sync_api import expect

from eventsys.people.history import PART_SIZE
from tests.conftest import TEST_PASSWORD
from tests.people.conftest import Histories
from tests.people.test_history import grow
from tests.support.browser import DESKTOP, PHONE, sign_in_on_page

pytestmark = pytest.mark.browser


def sign_in(page, user) -> None:
    sign_in_on_page(page, user.email, TEST_PASSWORD)


@freeze_time("2026-04-25 08:00:00", tick=True)
def test_the_history_on_a_phone_and_a_desktop(page, staff, histories: Histories, axe):
    grow(histories, PART_SIZE)  # a second page of invitations
    anna = histories.anna
    history = f"/experts/{anna.id}/history"
    sign_in(page, staff.secretariat)

    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        page.goto(f"/experts/{anna.id}")
        page.get_by_role(
            "link", name="History: invitations, attendance, comments, action items and mail"
        ).click()
        page.wait_for_url(f"**{history}")
        expect(page.get_by_role("heading", name="History of Dr. Anna Schmidt")).to_be_visible()
        for heading in (
            "Invitations and answers",
            "Attendance at sessions",
            "Comments on charters",
            "Mail",
        ):
            expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        axe.check(page)

    # The invitations' older page, and back to the part on it.
    page.set_viewport_size(PHONE)
    invitations = page.locator("#history-invitations")
    expect(invitations).to_contain_text("Page 1 of 2")
    invitations.get_by_role("link", name="Older").click()
    page.wait_for_url("**invitations_page=2#history-invitations")
    expect(page.locator("#history-invitations")).to_contain_text("Page 2 of 2")
    expect(page.locator("#history-invitations")).to_be_in_viewport()
    axe.check(page)

    # A comment on the charter lands on that comment in the version's comments.
    page.goto(f"{history}?charter_comments_page=2")  # the grown comments are newer
    page.locator(f"#history-charter-comment-{histories.on_clause.id}").get_by_role(
        "link", name="Smart City Charter, version 0.2"
    ).click()
    page.wait_for_url(f"**/comments#comment-{histories.on_clause.id}")
    comment = page.locator(f"#comment-{histories.on_clause.id}")
    expect(comment).to_contain_text("Früh heißt: vor der Ausschreibung.")
    expect(comment).to_be_in_viewport()

    # An action item lands on its row of the list of action items.
    item = histories.record.minutes.topics[0].action_items[0]
    page.goto(history)
    page.locator("#history-action-items").get_by_role(
        "link", name=f"A-{histories.record.session.id}.1.1", exact=True
    ).click()
    page.wait_for_url(f"**#action-item-{item.id}")
    expect(page.locator(f"#action-item-{item.id}")).to_contain_text("Entwurf 1 an alle versenden")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
