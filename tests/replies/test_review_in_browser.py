"""In real Chromium at phone size (and on a desktop): the review queue with its reasons, a
cut-off reply waiting with the invitation chosen, an Outlook .msg uploaded, and the invitations
page where the organiser corrects a deputy's name from a calendar delegation and marks a
counter-proposal as dealt with. axe-core checks every page."""

import pytest

from eventsys.extensions import db
from eventsys.replies.receiving import ingest
from eventsys.replies.states import Source
from tests.invitations.test_browser import sign_in
from tests.replies.sample_mail import SAMPLES

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def check_both_sizes(page, axe) -> None:
    page.set_viewport_size(PHONE)
    assert fits_the_screen(page)
    axe.check(page)
    page.set_viewport_size(DESKTOP)
    axe.check(page)
    page.set_viewport_size(PHONE)


def test_the_review_pages_at_phone_size(page, staff, invited, reply, axe):
    truncated = ingest(reply("truncated_reply"), Source.PIPE)
    db.session.commit()
    sign_in(page, staff.secretariat.email)

    page.goto("/replies/")
    page.get_by_text("The calendar part is cut off").first.wait_for()
    check_both_sizes(page, axe)

    page.goto(f"/replies/{truncated.id}")
    selected = page.get_by_label("The message answers the invitation of")
    assert str(invited.invitation.id) == selected.input_value()
    check_both_sizes(page, axe)

    page.goto("/replies/upload")
    page.locator("input[type=file]").set_input_files(str(SAMPLES / "outlook_plain_reply.msg"))
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_role("heading", name="Result").wait_for()
    page.get_by_text("outlook_plain_reply.msg").wait_for()
    check_both_sizes(page, axe)


def test_the_organiser_handles_a_delegation_and_a_counter_proposal(
    page, staff, invited, reply, axe
):
    ingest(
        reply(
            "evolution_delegated",
            sender="sekretariat@stadt-beispiel.example",
            deputy="julia.neumann@stadt-beispiel.example",
            deputy_name="J. Neumann",
        ),
        Source.IMAP,
    )
    ingest(reply("outlook_counter"), Source.IMAP)
    db.session.commit()
    sign_in(page, staff.organiser.email)

    page.goto(f"/sessions/{invited.session.id}/invitations")
    page.get_by_role("heading", name="Proposed new times").wait_for()
    page.get_by_role("heading", name="Deputies to confirm").wait_for()
    check_both_sizes(page, axe)

    page.get_by_label("First name").fill("Julia")
    page.get_by_role("button", name="Confirm and invite").click()
    page.get_by_text("Julia Neumann has been invited as the deputy of Erika Muster.").wait_for()
    assert page.get_by_role("heading", name="Deputies to confirm").count() == 0

    page.get_by_role("button", name="Mark as dealt with").click()
    page.get_by_text("The counter-proposal of Erika Muster is marked as dealt with.").wait_for()
    assert page.get_by_role("heading", name="Proposed new times").count() == 0
    check_both_sizes(page, axe)
