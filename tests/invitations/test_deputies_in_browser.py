"""In real Chromium, at phone size and on a desktop: an expert names a deputy through the answer
link, the organiser confirms them from the invitations page, and the link of an expert who has
left the directory says whom to contact. axe-core checks every page."""

import pytest

from eventsys.extensions import db
from eventsys.invitations import services
from tests.invitations.conftest import invitation_of, rsvp_path
from tests.invitations.test_browser import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_typed_deputy_waits_for_the_organiser_on_phone_and_desktop(
    page, chromium, live_server, staff, platform, axe
):
    session = platform.session
    services.invite_experts(session, [platform.claire, platform.anna])
    db.session.commit()

    expert = chromium.new_context(locale="en-CA", base_url=live_server.url, viewport=PHONE)
    try:
        answer_page = expert.new_page()
        answer_page.goto(rsvp_path(invitation_of(session, platform.claire)))
        answer_page.get_by_label("I send a deputy instead").check()
        answer_page.locator("input[name=deputy_first_name]").fill("Marc")
        answer_page.locator("input[name=deputy_last_name]").fill("Gagnon")
        answer_page.locator("input[name=deputy_email]").fill("marc.gagnon@example.ca")
        answer_page.get_by_role("button", name="Send my answer").click()
        answer_page.get_by_text("Marc Gagnon").first.wait_for()
        assert fits_the_screen(answer_page)
        axe.check(answer_page)
    finally:
        expert.close()

    page.set_viewport_size(PHONE)
    sign_in(page, staff.organiser.email)
    page.goto(f"/sessions/{session.id}/invitations")
    page.get_by_role("heading", name="Deputies to confirm").wait_for()
    assert fits_the_screen(page)
    axe.check(page)
    page.set_viewport_size(DESKTOP)
    axe.check(page)
    page.get_by_role("button", name="Confirm and invite").click()
    page.get_by_role("status").first.wait_for()
    assert page.get_by_role("heading", name="Deputies to confirm").count() == 0
    axe.check(page)


def test_the_link_of_a_deactivated_expert_says_whom_to_contact(
    chromium, live_server, platform, axe
):
    services.invite_experts(platform.session, [platform.anna])
    platform.anna.active = False
    db.session.commit()
    expert = chromium.new_context(locale="de-DE", base_url=live_server.url, viewport=PHONE)
    try:
        answer_page = expert.new_page()
        response = answer_page.goto(rsvp_path(invitation_of(platform.session, platform.anna)))
        assert response.status == 410
        answer_page.get_by_role("heading", name="Dieser Link funktioniert nicht mehr").wait_for()
        assert fits_the_screen(answer_page)
        axe.check(answer_page)
    finally:
        expert.close()
