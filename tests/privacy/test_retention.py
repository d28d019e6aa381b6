"""Personal data is kept no longer than its period: `flask privacy purge` removes what has
outlived it, kind by kind, each purge in the audit trail; admins see what is held and when it
goes."""

from datetime import timedelta

import sqlalchemy as sa

from eventsys import tasks
from eventsys.audit.models import AuditEntry
from eventsys.database import utcnow
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.outbox import services as outbox
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.privacy import retention
from eventsys.replies.models import InboundMessage
from eventsys.replies.states import Outcome, Source
from tests.conftest import page_text
from tests.invitations.conftest import make_expert, make_organisation


def inbound(days_ago: int, outcome: Outcome) -> InboundMessage:
    message = InboundMessage(
        received_at=utcnow() - timedelta(days=days_ago), source=Source.UPLOAD,
        digest=f"{days_ago:064d}"[-64:] if outcome != Outcome.NEEDS_REVIEW else "f" * 64,
        message_id=f"<{days_ago}-{outcome.value}@x>", sender="anna@example.org",
        subject="AW: Einladung", raw_message=b"Subject: AW\r\n\r\nJa, gern.", method="",
        calendar_uid="", attendee="", outcome=outcome, explanation="",
    )  # fmt: skip
    db.session.add(message)
    return message


def sent(days_ago: int) -> OutboxMessage:
    message = outbox.queue(
        "test", outbox.compose("anna@example.org", f"Hallo {days_ago}", "Geheimer Text")
    )
    message.state = DeliveryState.SENT
    message.sent_at = utcnow() - timedelta(days=days_ago)
    return message


def test_purge_removes_only_what_has_outlived_its_period(app, runner, staff):
    old_reply = inbound(100, Outcome.APPLIED)
    open_reply = inbound(200, Outcome.NEEDS_REVIEW)  # still waiting for a person: kept whole
    new_reply = inbound(10, Outcome.APPLIED)
    old_mail, new_mail = sent(200), sent(5)
    old_mail.details = {"reason": "Krankheit der Referentin"}
    new_mail.details = {"reason": "Raum nicht verfügbar"}
    koeln = make_organisation("Stadt Köln")
    gone = make_expert("Gerd", "Gegangen", koeln, active=False)
    gone.feed_token = "t" * 40
    here = make_expert("Hanna", "Hier", koeln)
    here.feed_token = "h" * 40
    db.session.flush()
    gone.updated_at = utcnow() - timedelta(days=40)
    old_entry = AuditEntry(
        actor_label="cli", action="expert.changed", entity_type="experts", entity_id=here.id,
        summary="changed", changes={"email": ["alt@example.org", "neu@example.org"]},
        occurred_at=utcnow() - timedelta(days=800),
    )  # fmt: skip
    db.session.add(old_entry)
    db.session.commit()

    result = runner.invoke(args=["privacy", "purge"])

    assert result.exit_code == 0, result.output
    assert "inbound_mail: 1 purged" in result.output and "sent_mail: 1 purged" in result.output
    db.session.expire_all()
    assert db.session.get(InboundMessage, old_reply.id).raw_message == b""
    assert db.session.get(InboundMessage, old_reply.id).subject == "AW: Einladung"  # the record
    assert db.session.get(InboundMessage, open_reply.id).raw_message != b""
    assert db.session.get(InboundMessage, new_reply.id).raw_message != b""
    purged_mail = db.session.get(OutboxMessage, old_mail.id).raw_message
    assert b"Geheimer Text" not in purged_mail and b"Hallo 200" in purged_mail
    assert b"Geheimer Text" in db.session.get(OutboxMessage, new_mail.id).raw_message
    assert db.session.get(OutboxMessage, old_mail.id).details is None
    assert db.session.get(OutboxMessage, new_mail.id).details == {"reason": "Raum nicht verfügbar"}
    assert db.session.get(AuditEntry, old_entry.id).changes == {}
    assert db.session.get(Expert, gone.id).feed_token is None
    assert db.session.get(Expert, here.id).feed_token == "h" * 40
    purges = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "privacy.purged").order_by(AuditEntry.id)
    ).all()
    assert [(entry.entity_type, entry.changes["count"]) for entry in purges] == [
        ("inbound_mail", 1),
        ("sent_mail", 1),
        ("audit_values", 1),
        ("feeds", 1),
    ]
    assert all(entry.actor_label == "cli" for entry in purges)

    again = runner.invoke(args=["privacy", "purge"])
    assert "inbound_mail: 0 purged" in again.output
    assert len(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "privacy.purged")
    ).all()) == 4  # fmt: skip


def test_a_purged_mail_still_opens_in_the_outbox(admin_client):
    message = sent(400)
    db.session.commit()
    retention.purge()
    db.session.commit()
    response = admin_client.get(f"/outbox/{message.id}")
    assert response.status_code == 200
    assert "Hallo 400" in page_text(response)
    assert "Aufbewahrungsfrist" in page_text(response)


def test_periods_are_settings(app):
    app.config["RETENTION_INBOUND_MAIL_DAYS"] = 5
    reply = inbound(10, Outcome.APPLIED)
    db.session.commit()
    assert retention.purge()["inbound_mail"] == 1
    db.session.commit()
    assert db.session.get(InboundMessage, reply.id).raw_message == b""


def test_admins_see_what_is_held_and_when_it_goes(admin_client):
    inbound(100, Outcome.APPLIED)
    inbound(10, Outcome.APPLIED)
    db.session.commit()
    text = page_text(admin_client.get("/admin/retention"))
    assert "Aufbewahrung personenbezogener Daten" in text
    assert "Eingegangene E-Mails im Original (erledigte Antworten) 90 Tage 2 1" in text


def test_the_purge_is_on_celery_beat_s_schedule_daily(app):
    schedule = tasks.beat_schedule(app.config)
    assert schedule["purge-personal-data"]["task"] == tasks.PURGE_PERSONAL_DATA
    assert schedule["purge-personal-data"]["schedule"] == 24 * 60 * 60


def plan_of(query: sa.Select) -> str:
    """The database's plan for `query`, asked to use an index wherever one can answer it."""
    compiled = query.compile(db.engine)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
        explain = "EXPLAIN "
    else:
        explain = "EXPLAIN QUERY PLAN "
    connection = db.session.connection()
    rows = connection.exec_driver_sql(explain + str(compiled), compiled.params).all()
    return "\n".join(" ".join(str(part) for part in row) for row in rows)


def test_what_is_held_is_counted_from_partial_indexes(app):
    purged, kept = sent(400), sent(3)
    db.session.flush()
    retention.purge()  # the old mail loses its text
    db.session.add_all(
        [
            AuditEntry(actor_label="cli", action="a", entity_type="experts", entity_id=1,
                       summary="with values", changes={"email": ["a@x.org", "b@x.org"]}),
            AuditEntry(actor_label="cli", action="a", entity_type="experts", entity_id=2,
                       summary="without", changes={}),
        ]
    )  # fmt: skip
    db.session.commit()

    statuses = {status.kind.name: status for status in retention.retention_status()}

    entries = db.session.scalars(sa.select(AuditEntry)).all()
    assert statuses["sent_mail"].held == 1  # the mail of three days ago
    assert statuses["audit_values"].held == sum(1 for entry in entries if entry.changes)
    assert purged.id != kept.id
    if db.engine.dialect.name == "postgresql":
        # The index's condition is the query's own, so the count reads the index alone.
        for kind in retention.KINDS:
            if kind.name in ("sent_mail", "audit_values"):
                index = {"sent_mail": retention.SENT_TEXT_HELD,
                         "audit_values": retention.AUDIT_VALUES_HELD}[kind.name]  # fmt: skip
                assert index.name in plan_of(kind.held().with_only_columns(sa.func.count()))
        db.session.rollback()
