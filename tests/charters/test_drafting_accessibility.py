"""The drafting and pool pages pass axe-core (WCAG 2.1 AA) in Chromium, in German and with
recommendations in every state the pool shows."""

import pytest
import sqlalchemy as sa

from eventsys.charters import pool, versions
from eventsys.charters.models import Clause
from eventsys.extensions import db
from tests.charters.conftest import clause_from
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def worked_on(charter, workshops, staff):
    """A charter with recommendations assigned, one reworded, one set aside, one merged, a
    frozen version and a new arrival since."""
    first, second = workshops.first.id, workshops.second.id
    pool.assign_suggested(charter, staff.secretariat)
    pool.reword(
        clause_from(charter, f"E-{first}.1.1"),
        "Kommunen beschließen eine Digitalstrategie.",
        "Municipalities adopt a digital strategy.",
        staff.secretariat,
    )
    pool.set_aside(clause_from(charter, f"E-{second}.2.1"), "Zu speziell.", staff.secretariat)
    pool.merge(
        clause_from(charter, f"E-{second}.1.2"),
        clause_from(charter, f"E-{first}.2.1"),
        staff.secretariat,
    )
    versions.freeze(charter, staff.secretariat)
    db.session.commit()
    return charter


def test_drafting_pages_pass_the_accessibility_check(page, staff, worked_on, workshops, axe):
    page.goto("/login")
    page.get_by_label("E-Mail-Adresse").fill(staff.secretariat.email)
    page.get_by_label("Passwort").fill(TEST_PASSWORD)
    page.get_by_label("Passwort").press("Enter")
    page.wait_for_url("**/")
    base = f"/charters/{worked_on.id}"
    clause_id = db.session.scalar(sa.select(sa.func.min(Clause.id)))

    for url in (
        "/charters/",
        base,
        f"{base}/settings",
        f"{base}/chapters/new",
        f"{base}/chapters/{worked_on.chapters[0].id}",
        f"{base}/pool",
        f"{base}/pool?state=assigned",
        f"{base}/pool?state=set_aside",
        f"{base}/pool?state=merged",
        f"{base}/pool?state=all&new=1",
        f"{base}/clauses/{clause_id}",
    ):
        page.goto(url)
        assert page.get_by_role("heading", level=1).is_visible(), url
        axe.check(page)
