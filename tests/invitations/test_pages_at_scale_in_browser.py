"""In real Chromium, on a phone (390×844) and on a desktop: the answers overview filtered and
paged, an invitation's own page, the reminder confirmation, the invite search and a preview of
many, the attendance list and the check-in search. axe-core checks each page."""

import pytest

from eventsys.attendance import services as attendance
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from eventsys.invitations import services
from eventsys.invitations.models import Invitation
from eventsys.invitations.states import Channel, Response
from tests.invitations.conftest import invitation_of, make_expert, make_organisation
from tests.invitations.test_browser import sign_in

pytestmark = pytest.mark.browser

SCREENS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}


@pytest.fixture(params=sorted(SCREENS))
def screen(request, chromium, live_server):
    context = chromium.new_context(
        base_url=live_server.url, locale="en-GB", **SCREENS[request.param]
    )
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def no_horizontal_scrolling(page) -> None:
    wide, screen = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide <= screen, f"the page is {wide} px wide on a {screen} px screen"


@pytest.fixture
def many(platform):
    """Sixty more invitees of Köln with no answer; Anna accepted, Bernd declined."""
    session = platform.session
    session.capacity = 40
    organisation = make_organisation("Landkreis Viele", StakeholderGroup.MUNICIPALITIES)
    experts = [make_expert(f"Viel{n}", f"Experte{n:03}", organisation) for n in range(60)]
    db.session.commit()
    db.session.add_all(Invitation(session=session, expert=expert) for expert in experts)
    services.invite_experts(session, [platform.anna, platform.bernd, platform.claire])
    services.record_answer(invitation_of(session, platform.anna), Response.ACCEPTED, Channel.LINK)
    services.record_answer(invitation_of(session, platform.bernd), Response.DECLINED, Channel.LINK)
    db.session.commit()
    return platform


def test_the_answers_overview_and_its_reminders(screen, staff, many, axe):
    page = screen
    session = many.session
    sign_in(page, staff.organiser.email)
    page.goto(f"/sessions/{session.id}/invitations")
    page.get_by_text("Page 1 of 2").wait_for()
    axe.check(page)

    page.locator("#answer").select_option("needs_action")
    page.locator("#group").select_option("municipalities")
    page.get_by_role("button", name="Filter", exact=True).click()
    page.get_by_text("60 invitations found").wait_for()
    page.get_by_role("link", name="Next page").click()
    page.get_by_text("60 invitations found").wait_for()
    assert "answer=needs_action" in page.url and "group=municipalities" in page.url
    axe.check(page)
    no_horizontal_scrolling(page)

    page.get_by_role("button", name="Remind all 60 shown by the filter").click()
    page.get_by_role("heading", name="Before you send: who gets mail").wait_for()
    axe.check(page)
    page.get_by_role("button", name="Send the reminders").click()
    page.get_by_text("Reminders have been sent to 60 invitees.").wait_for()

    page.goto(f"/sessions/{session.id}/invitations/{invitation_of(session, many.anna).id}")
    page.get_by_role("heading", name="History (1 answer)").wait_for()
    axe.check(page)
    no_horizontal_scrolling(page)


def test_the_invite_search_and_a_preview_of_many(screen, staff, many, axe):
    page = screen
    organisation = make_organisation("Stadt Groß", StakeholderGroup.MUNICIPALITIES)
    for number in range(130):
        make_expert(f"Neu{number}", f"Kandidat{number:03}", organisation)
    db.session.commit()
    sign_in(page, staff.organiser.email)
    page.goto(f"/sessions/{many.session.id}/invitations/new")
    page.get_by_label("Find experts by name, e-mail address or organisation").fill("Kandidat")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_text("130 active experts found").wait_for()
    page.get_by_label("Kandidat000, Neu0 (Stadt Groß)").check()
    page.get_by_role("button", name="Next page").click()
    page.get_by_text("Page 2 of 7").wait_for()
    assert page.get_by_label("Kandidat000, Neu0 (Stadt Groß)").is_checked()  # kept
    axe.check(page)
    no_horizontal_scrolling(page)

    page.get_by_label("All active experts").check()
    page.get_by_role("button", name="Preview the invitation").click()
    page.get_by_text("and 30 more").wait_for()  # the 130 are new; the others are invited
    axe.check(page)
    no_horizontal_scrolling(page)


def test_the_attendance_list_and_the_check_in_search(screen, staff, many, axe):
    page = screen
    session = many.session
    for invitation in session_invitations(session)[:55]:
        invitation.response = Response.ACCEPTED
    db.session.flush()
    attendance.prefill(session)
    db.session.commit()
    sign_in(page, staff.secretariat.email)

    page.goto(f"/sessions/{session.id}/attendance")
    page.get_by_text("Page 1 of 2").wait_for()
    axe.check(page)
    no_horizontal_scrolling(page)
    page.get_by_label("Find by name, e-mail address or organisation").fill("Experte001")
    page.get_by_role("button", name="Find", exact=True).click()
    page.wait_for_url("**expert_q=Experte001**")
    axe.check(page)

    page.goto(f"/sessions/{session.id}/attendance/check-in")
    page.get_by_label("Search the whole list by name or organisation").fill("Schmidt")
    page.get_by_role("button", name="Find", exact=True).click()
    page.get_by_text("1 person found").wait_for()
    page.get_by_role("button", name="present – Dr. Anna Schmidt").click()
    page.get_by_role("button", name="present – Dr. Anna Schmidt").and_(
        page.locator("[aria-pressed=true]")
    ).wait_for()
    axe.check(page)
    no_horizontal_scrolling(page)


def session_invitations(session) -> list[Invitation]:
    return list(
        db.session.scalars(
            db.select(Invitation).where(Invitation.session_id == session.id).order_by(Invitation.id)
        )
    )
