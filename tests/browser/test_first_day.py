"""A newcomer's first day, in real Chromium with the demo data: sign in with the account the
start command prints, find experts and sessions in German, switch to English, plan a session
with its agenda and import experts from an Excel export. axe-core checks every page."""

from pathlib import Path

import pytest

from eventsys.experts.models import Expert
from eventsys.extensions import db

pytestmark = pytest.mark.browser

EXCEL_EXPORT = Path(__file__).parents[1] / "experts" / "data" / "experts_excel_de.csv"


@pytest.fixture
def demo_platform(app, runner):
    """The demo data and the admin login, made by the same commands as `make run`."""
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    printed = runner.invoke(args=["users", "ensure-admin"]).output
    email = printed.split("Admin login: ")[1].split()[0]
    password = printed.split("password: ")[1].split()[0]
    db.session.commit()
    return email, password


def test_first_day_with_the_demo_platform(page, demo_platform, axe):
    email, password = demo_platform
    page.goto("/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()

    # The overview, in German, with the upcoming demo sessions.
    page.get_by_role("heading", level=1, name="Übersicht").wait_for()
    assert page.locator("html").get_attribute("lang") == "de"
    upcoming = page.get_by_role("region", name="Kommende Sitzungen")
    assert upcoming.get_by_role("listitem").count() == 3
    assert " Uhr" in upcoming.inner_text()
    axe.check(page)

    # The expert directory: about seventy people, searchable.
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    nav.get_by_role("link", name="Expertinnen und Experten").click()
    axe.check(page)
    page.get_by_role("main").get_by_role("searchbox").first.fill("Canada")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    results = page.locator("main table tbody").inner_text()
    assert "Housing, Infrastructure and Communities Canada" in results
    axe.check(page)

    # A past workshop with its agenda, dates in German format.
    nav.get_by_role("link", name="Sitzungen").click()
    page.get_by_role("link", name="Auftakt", exact=False).first.click()
    assert "2016" in page.locator("main").inner_text()
    assert page.get_by_role("table").locator("tbody tr").count() >= 4
    axe.check(page)

    # Switch to English and plan a session.
    page.get_by_role("button", name="English").click()
    page.goto("/sessions/new")
    page.get_by_label("Title", exact=True).fill("Workshop Datenräume")
    page.get_by_label("Kind of session").select_option("workshop")
    page.get_by_label("Start date").fill("2027-03-16")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("16:00")
    page.get_by_label("Venue address").fill("Deichmanns Aue 31–37, 53179 Bonn")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", level=1, name="Workshop Datenräume").wait_for()
    for title, minutes in [("Begrüßung", "15"), ("Impulse aus den Kommunen", "90")]:
        page.get_by_role("link", name="Add agenda item").click()
        page.get_by_label("Title", exact=True).fill(title)
        page.get_by_label("Duration in minutes").fill(minutes)
        page.get_by_role("button", name="Add to the agenda").click()
    agenda = page.get_by_role("table").inner_text()
    assert "TOP 1" in agenda and "TOP 2" in agenda and "Impulse aus den Kommunen" in agenda
    axe.check(page)

    # Import experts from a CSV that Excel wrote (semicolons, Windows-1252).
    page.goto("/experts/import")
    page.locator("#file").set_input_files(str(EXCEL_EXPORT))
    page.get_by_role("button", name="Import", exact=True).click()
    report = page.get_by_role("region", name="Result of the import").inner_text()
    assert "Müller" in report or "juergen.mueller@stadt-koeln.example" in report
    axe.check(page)
    imported = db.session.scalar(
        db.select(Expert).where(Expert.email == "juergen.mueller@stadt-koeln.example")
    )
    assert imported is not None and imported.last_name == "Müller"
    assert imported.organisation.name == "Stadt Köln"
