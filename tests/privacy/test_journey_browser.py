"""In real Chromium, on the demo platform: an admin reads the privacy notice from an
invitation's footer, exports a demo expert's data, erases it, and finds the minutes the expert
attended still approved and unchanged."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from eventsys.attendance.models import Attendee
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.minutes.models import Minutes, MinutesVersion
from eventsys.outbox.models import OutboxMessage
from tests.browser.test_sign_in_and_pages import sign_in_through_the_form
from tests.pdf.pdf_contents import page_texts

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(app, runner, staff, database_states):
    result = database_states.restore_or_build("demo", lambda: runner.invoke(args=["demo", "load"]))
    assert result.exit_code == 0, result.output


def an_expert_in_approved_minutes() -> Expert:
    return db.session.scalars(
        sa.select(Expert)
        .join(Attendee, Attendee.expert_id == Expert.id)
        .join(Minutes, Minutes.session_id == Attendee.session_id)
        .join(MinutesVersion, MinutesVersion.minutes_id == Minutes.id)
        .join(OutboxMessage, OutboxMessage.recipient == Expert.email)
        .order_by(Expert.id)
    ).first()


def test_export_then_erase_a_demo_expert(page, axe, staff, demo):
    expert = an_expert_in_approved_minutes()
    name = f"{expert.first_name} {expert.last_name}"
    versions_before = db.session.execute(
        sa.select(MinutesVersion.id, MinutesVersion.pdf_sha256).order_by(MinutesVersion.id)
    ).all()
    invitation_mail = db.session.scalars(
        sa.select(OutboxMessage.raw_message).where(OutboxMessage.recipient == expert.email)
    ).first()

    # The privacy notice, from the link at the foot of a mail the expert received.
    privacy_link = re.search(rb"https?://[^/\s]+(/privacy)\b", invitation_mail)
    assert privacy_link is not None
    page.goto(privacy_link.group(1).decode())  # the live server stands in for the mail's host
    assert page.get_by_role("heading", level=1, name="Datenschutzerklärung").is_visible()
    axe.check(page)

    sign_in_through_the_form(page, staff.admin.email)
    page.goto(f"/experts/{expert.id}")
    page.get_by_role("link", name="Gespeicherte Daten zu dieser Person (Art. 15 DSGVO)").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Gespeicherte Daten zu {name}"
    axe.check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Als PDF herunterladen").click()
    pdf = download.value.path().read_bytes()
    text = " ".join(" ".join(part.split()) for part in page_texts(pdf))
    assert expert.last_name in text and "Freigegebene Protokolle" in text

    page.get_by_role("link", name="Personenbezogene Daten löschen").click()
    assert "Was erhalten bleibt" in page.locator("main").inner_text()
    axe.check(page)
    page.get_by_label(re.compile("Ich bestätige")).check()
    page.get_by_role("button", name="Personenbezogene Daten löschen").click()
    expect(page.get_by_text("Die personenbezogenen Daten wurden gelöscht")).to_be_visible()
    axe.check(page)

    db.session.expire_all()
    erased = db.session.get(Expert, expert.id)
    assert erased.last_name == f"Gelöschte Person {expert.id}"
    versions_after = db.session.execute(
        sa.select(MinutesVersion.id, MinutesVersion.pdf_sha256).order_by(MinutesVersion.id)
    ).all()
    assert versions_after == versions_before
    assert all(
        minutes.state.frozen
        for minutes in db.session.scalars(sa.select(Minutes)).all()
        if minutes.versions
    )
