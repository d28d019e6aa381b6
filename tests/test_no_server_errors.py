"""No 500s for the hostile inputs named in issue 11, item 10: page numbers and ids too large
for the database, CR/LF in `next=`, removing an agenda item that approved minutes record."""

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.minutes.states import MinutesState
from eventsys.sessions.models import AgendaItem
from tests.conftest import TEST_PASSWORD, page_text
from tests.minutes.conftest import build_record

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        "/sessions/",
        "/experts/",
        "/replies/",
        "/outbox/",
        "/audit/",
    ],
)
@pytest.mark.parametrize("page", [HUGE, "2147483648", "-" + HUGE, "1e309", "0x10"])
def test_huge_page_numbers_give_an_empty_page(admin_client, path, page):
    response = admin_client.get(path, query_string={"page": page})
    assert response.status_code == 200, (path, page)


@pytest.mark.parametrize(
    "query",
    [
        {"entity_id": HUGE},
        {"entity_id": "-" + HUGE},
        {"entity_id": "2147483648", "entity_type": "session"},
    ],
)
def test_huge_ids_in_the_audit_filter_find_nothing(admin_client, query):
    response = admin_client.get("/audit/", query_string=query)
    assert response.status_code == 200


def test_a_huge_topic_id_in_the_minutes_editor_is_ignored(app, staff, secretariat_client):
    record = build_record()
    response = secretariat_client.get(
        f"/minutes/session/{record.session.id}", query_string={"add": "decision", "topic": HUGE}
    )
    assert response.status_code in (200, 302, 404)


@pytest.mark.parametrize(
    "target",
    [
        "/experts/\r\nSet-Cookie: injected=1",
        "/\r\nLocation: https://evil.example/",
        "/sessions/\n",
        "/\tx",
    ],
)
def test_cr_lf_in_next_leads_to_the_dashboard(client, staff, target):
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": staff.admin.email, "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "injected" not in str(response.headers)


def test_cr_lf_in_the_language_forms_next_leads_to_the_dashboard(client):
    response = client.post(
        "/language", data={"language": "en", "next": "/login\r\nSet-Cookie: injected=1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_removing_an_agenda_item_that_approved_minutes_record_is_refused(
    app, staff, organiser_client
):
    record = build_record()
    record.minutes.state = MinutesState.APPROVED
    db.session.commit()
    item = record.session.agenda_items[0]
    count = len(record.session.agenda_items)

    response = organiser_client.post(
        f"/sessions/{record.session.id}/agenda/{item.id}/delete", follow_redirects=True
    )

    assert response.status_code == 200
    assert "bleibt auf der Tagesordnung" in page_text(response)
    db.session.expire_all()
    remaining = db.session.scalar(
        sa.select(sa.func.count(AgendaItem.id)).where(AgendaItem.session_id == record.session.id)
    )
    assert remaining == count


def test_an_agenda_item_of_draft_minutes_can_still_be_removed(app, staff, organiser_client):
    record = build_record()
    item = record.session.agenda_items[0]
    count = len(record.session.agenda_items)

    response = organiser_client.post(f"/sessions/{record.session.id}/agenda/{item.id}/delete")

    assert response.status_code == 302
    db.session.expire_all()
    remaining = db.session.scalar(
        sa.select(sa.func.count(AgendaItem.id)).where(AgendaItem.session_id == record.session.id)
    )
    assert remaining == count - 1
