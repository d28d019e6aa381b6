"""In real Chromium: the directory's pages, including error and report states, pass axe-core."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from eventsys.database import utcnow
from eventsys.experts import import_jobs, people, working_groups
from eventsys.experts.stakeholders import StakeholderGroup
from eventsys.extensions import db
from tests.conftest import TEST_PASSWORD
from tests.experts.test_csv_import import EXCEL_FILE

pytestmark = pytest.mark.browser


def sign_in(page, email: str) -> None:
    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(TEST_PASSWORD)
    page.locator("form:has(#password) button[type=submit]").click()
    page.wait_for_url("**/")


@pytest.fixture
def directory(make_organisation, make_expert):
    city = make_organisation("Stadt Köln")
    partner = make_organisation("Aarhus Kommune", StakeholderGroup.INTERNATIONAL_PARTNERS, "DK")
    mueller = make_expert("Jürgen", "Müller", "j.mueller@koeln.example", city, title="Dr.")
    berg = make_expert("Søren", "Berg", "s.berg@aarhus.example", partner, language="en")
    people.deactivate_expert(make_expert("Karl", "Alt", "k.alt@koeln.example", city))
    group = working_groups.create_working_group("Daten", "Datenstrategien", [mueller, berg])
    db.session.commit()
    return {"expert": mueller.id, "organisation": city.id, "group": group.id}


def test_every_directory_page_is_accessible(page, staff, axe, directory):
    sign_in(page, staff.organiser.email)
    for path in [
        "/experts/",
        "/experts/?status=all&q=k",
        f"/experts/{directory['expert']}",
        f"/experts/{directory['expert']}/edit",
        "/experts/new",
        "/experts/organisations",
        "/experts/organisations/new",
        f"/experts/organisations/{directory['organisation']}/edit",
        "/experts/groups",
        f"/experts/groups/{directory['group']}",
        "/experts/groups/new",
        f"/experts/groups/{directory['group']}/edit",
        "/experts/import",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        axe.check(page)


def test_the_expert_form_fits_a_phone(page, staff, axe, directory):
    sign_in(page, staff.organiser.email)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto(f"/experts/{directory['expert']}/edit")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for field in ("#salutation", "#timezone"):
        box = page.locator(field).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, field
    axe.check(page)


def test_refusals_and_the_import_report_are_accessible(page, staff, axe, directory):
    sign_in(page, staff.organiser.email)

    page.goto("/experts/new")
    page.locator("#email").fill("J.Mueller@Koeln.example")
    page.locator("#first_name").fill("Jürgen")
    page.locator("#last_name").fill("Müller")
    page.locator("#organisation_id").select_option(label="Stadt Köln")
    page.locator("#salutation").select_option(label="Mr")
    page.locator("#timezone").select_option(label="Canada – Toronto")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator("#email[aria-invalid=true]").count() == 1
    # What was chosen stays chosen after the refusal.
    assert page.locator("#timezone").input_value() == "America/Toronto"
    assert page.locator("#salutation").input_value() == "mr"
    axe.check(page)

    page.goto("/experts/import")
    page.locator("#file").set_input_files(str(EXCEL_FILE))
    page.locator("button[name=check]").click()
    expect(
        page.locator("table caption", has_text="Rows created, updated or rejected")
    ).to_be_visible()
    axe.check(page)


def test_an_import_in_progress_shows_its_bar_on_a_phone_and_a_desktop(page, staff, axe):
    job = import_jobs.create_job(EXCEL_FILE.read_bytes(), dry_run=False, user_id=None)
    db.session.commit()
    sign_in(page, staff.organiser.email)

    for viewport in ({"width": 390, "height": 844}, {"width": 1280, "height": 900}):
        page.set_viewport_size(viewport)
        page.goto(f"/experts/import/{job.id}")
        assert page.locator("progress#import-bar").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        axe.check(page)

    import_jobs.run(job.id)  # as the worker would; the page notices and shows the report
    page.get_by_role("heading", name="Result of the import").wait_for()
    axe.check(page)


def test_a_stalled_import_offers_to_continue_on_a_phone(page, staff, axe):
    job = import_jobs.create_job(EXCEL_FILE.read_bytes(), dry_run=False, user_id=None)
    db.session.execute(
        sa.update(import_jobs.ImportJob)
        .where(import_jobs.ImportJob.id == job.id)
        .values(state=import_jobs.JobState.RUNNING, progressed_at=utcnow() - timedelta(minutes=10))
    )
    db.session.commit()
    sign_in(page, staff.organiser.email)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/experts/import/{job.id}")
    button = page.get_by_role("button", name="Continue the import")
    expect(button).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    axe.check(page)

    button.click()
    page.get_by_role("heading", name="Result of the import").wait_for()
    axe.check(page)
