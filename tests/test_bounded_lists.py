"""The staff lists that grow with the platform (directory, outbox, review queue, audit trail)
ask the database the same number of questions however many rows there are, and show one page
of rows."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.audit.models import AuditEntry
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.outbox import services as outbox
from eventsys.outbox.models import DeliveryState
from eventsys.replies.models import InboundMessage
from eventsys.replies.states import Outcome, Source
from tests.invitations.conftest import make_expert, make_organisation

# A page of rows stays well below this, whatever the data size.
PAGE_BYTES = 200_000

_numbers = iter(range(1, 10**6))


def add_experts(count: int) -> None:
    organisation = make_organisation(f"Stadt Nummer {next(_numbers)}")
    for _ in range(count):
        number = next(_numbers)
        make_expert(f"Vorname{number}", f"Nachname{number}", organisation)


def add_outbox_messages(count: int) -> None:
    for _ in range(count):
        number = next(_numbers)
        entry = outbox.queue(
            "test", outbox.compose(f"person{number}@example.org", f"Betreff {number}", "Text")
        )
        entry.state = DeliveryState.FAILED
        entry.attempts = 12
        entry.last_error = "550 mailbox unavailable"


def add_replies(count: int) -> None:
    for _ in range(count):
        number = next(_numbers)
        db.session.add(
            InboundMessage(
                received_at=utcnow() - timedelta(minutes=number), source=Source.UPLOAD,
                digest=f"{number:064d}", message_id=f"<{number}@example.org>",
                sender=f"person{number}@example.org", subject=f"AW: Einladung {number}",
                raw_message=b"Subject: AW\r\n\r\n" + b"Ja, gern. " * 200, method="",
                calendar_uid="", attendee="", outcome=Outcome.NEEDS_REVIEW, explanation="",
            )
        )  # fmt: skip


def add_audit_entries(count: int) -> None:
    for _ in range(count):
        number = next(_numbers)
        db.session.add(
            AuditEntry(
                actor_label="cli", action="expert.changed", entity_type="experts",
                entity_id=number, summary=f"changed {number}",
                changes={"email": [f"alt{number}@example.org", f"neu{number}@example.org"]},
            )
        )  # fmt: skip


LISTS = {
    "/experts/": add_experts,
    "/outbox/": add_outbox_messages,
    "/replies/": add_replies,
    "/audit/": add_audit_entries,
}


@pytest.mark.parametrize("path", list(LISTS))
def test_a_list_asks_as_many_queries_with_300_rows_as_with_60(path, admin_client, count_queries):
    # Both above a page: a first page that is not full needs no count of the rest.
    add = LISTS[path]
    add(60)
    db.session.commit()
    admin_client.get(path)  # the first request warms the caches of the app
    with count_queries() as small:
        assert admin_client.get(path).status_code == 200
    add(240)
    db.session.commit()
    admin_client.get(path)  # as before the first count: the signed-in user is loaded again
    with count_queries() as large:
        assert admin_client.get(path).status_code == 200

    assert large.count == small.count, "\n".join(
        [s[:70] for s in small.statements] + ["---"] + [s[:70] for s in large.statements]
    )


@pytest.mark.parametrize("path", list(LISTS))
def test_a_list_of_250_rows_shows_one_page(path, admin_client):
    LISTS[path](250)
    db.session.commit()

    response = admin_client.get(path)

    assert response.status_code == 200
    assert len(response.data) < PAGE_BYTES
    assert "page=2" in response.get_data(as_text=True)


def test_a_working_group_asks_as_many_queries_with_300_members_as_with_60(
    admin_client, count_queries
):
    from eventsys.experts.models import Expert, Organisation, WorkingGroup

    db.session.add(WorkingGroup(name="AG Datenstrategien"))
    db.session.commit()

    def add_members(count: int) -> str:
        group = db.session.scalar(sa.select(WorkingGroup))
        for _ in range(count):
            organisation = make_organisation(f"Stadt Nummer {next(_numbers)}")
            number = next(_numbers)
            group.members.append(make_expert(f"Vorname{number}", f"Nachname{number}", organisation))
        db.session.commit()
        path = f"/experts/groups/{group.id}"
        forget_directory()
        return path

    def forget_directory() -> None:
        """The request finds no expert loaded already, as in a worker's own session."""
        for record in list(db.session):
            if isinstance(record, Expert | Organisation | WorkingGroup):
                db.session.expunge(record)

    path = add_members(60)
    admin_client.get(path)
    forget_directory()
    with count_queries() as small:
        assert admin_client.get(path).status_code == 200
    add_members(240)
    admin_client.get(path)
    forget_directory()
    with count_queries() as large:
        response = admin_client.get(path)

    assert large.count == small.count
    assert "300 Mitglieder" in response.get_data(as_text=True)
