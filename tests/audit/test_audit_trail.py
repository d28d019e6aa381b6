"""Changes made through the services leave a trail that admins can browse and filter."""

from datetime import datetime
from zoneinfo import ZoneInfo

from eventsys.audit.models import AuditEntry
from eventsys.auth import services as accounts
from eventsys.extensions import db
from eventsys.roles import Role
from tests.conftest import page_text


def test_changes_record_who_did_what_with_old_and_new_values(app, admin_client, staff):
    response = admin_client.post(
        f"/users/{staff.organiser.id}/edit",
        data={"name": "Dr. Neu", "role": "secretariat", "active": "y"},
    )
    assert response.status_code == 302
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "user.updated"))
    assert entry.actor_id == staff.admin.id
    assert entry.actor_label == staff.admin.email
    assert entry.entity_type == "users" and entry.entity_id == staff.organiser.id
    assert entry.changes == {
        "name": ["Test Organiser", "Dr. Neu"],
        "role": ["organiser", "secretariat"],
    }
    assert entry.occurred_at.tzinfo is not None


def test_admins_filter_the_trail(app, admin_client, staff):
    accounts.create_user("eins@example.org", "Eins", Role.ORGANISER, "long enough secret")
    accounts.create_user("zwei@example.org", "Zwei", Role.SECRETARIAT, "long enough secret")
    db.session.commit()
    accounts.update_user(staff.secretariat, "Umbenannt", Role.SECRETARIAT, True)
    db.session.commit()

    everything = page_text(admin_client.get("/audit/"))
    assert "eins@example.org" in everything and "Umbenannt" in everything

    created_only = page_text(admin_client.get("/audit/?action=user.created"))
    assert "Account eins@example.org created" in created_only
    assert "Umbenannt" not in created_only

    by_record = page_text(
        admin_client.get(f"/audit/?entity_type=users&entity_id={staff.secretariat.id}")
    )
    assert "Umbenannt" in by_record and "eins@example.org" not in by_record

    # The filter reads days in Berlin; near midnight that is a different day than in UTC.
    today = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    assert "Umbenannt" in page_text(admin_client.get(f"/audit/?since={today}&until={today}"))
    assert "Umbenannt" not in page_text(admin_client.get("/audit/?until=2000-01-01"))


def test_unreadable_filters_are_ignored_not_fatal(admin_client):
    response = admin_client.get("/audit/?since=31.02.2026&entity_id=abc&page=-4")
    assert response.status_code == 200
