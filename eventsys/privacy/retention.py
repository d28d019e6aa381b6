"""How long personal data is kept: a period per kind of data (settings RETENTION_*_DAYS), and
the purge that removes what has outlived it (`flask privacy purge`, on a schedule).

What each purge does:
- raw inbound mail: the stored message of a reply that has been dealt with is emptied; the row
  (sender, subject, outcome) stays for the record of the answer;
- sent mail bodies: a sent message keeps its headers (who, when, what subject) and loses its
  body, so the outbox and the organisers' mail log still show that it went;
- audit old values: the old and new values of audit entries are cleared, who changed what when
  stays;
- calendar feeds of experts deactivated that long ago: the subscription address stops working;
- prepared PDFs (drafts, sign-in sheets, see `eventsys.documents.preparation`) are deleted; one
  asked for again is rendered anew from what the platform holds then.

Each purge is one audit entry with its counts. Like the other services, these functions change
state and flush; the caller commits.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from eventsys.audit import services as audit
from eventsys.audit.models import AuditEntry
from eventsys.database import utcnow
from eventsys.documents.models import PreparationState, PreparedDocument
from eventsys.experts.models import Expert
from eventsys.extensions import db
from eventsys.outbox.models import DeliveryState, OutboxMessage
from eventsys.replies.models import InboundMessage
from eventsys.replies.states import Outcome

# A body no longer held; the headers stay.
PURGED_BODY = (
    "(Inhalt nach Ablauf der Aufbewahrungsfrist gelöscht / "
    "content deleted after the retention period)"
)
# Marks a message whose body was purged (an ASCII header: the body itself is encoded).
PURGED_MARK = "X-Eventsys-Purged"
BATCH_SIZE = 500  # rows per statement, so that one purge never holds a long lock


@dataclass(frozen=True)
class RetentionKind:
    name: str
    setting: str
    label: object  # a lazy translated title
    held: Callable[[], sa.Select]  # rows still holding the data
    since: sa.ColumnElement  # the moment the period runs from
    purge: Callable[[datetime], int]

    def days(self) -> int:
        return int(current_app.config[self.setting])


@dataclass(frozen=True)
class RetentionStatus:
    kind: RetentionKind
    days: int
    held: int
    due: int
    oldest: datetime | None

    @property
    def next_goes_at(self) -> datetime | None:
        return self.oldest + timedelta(days=self.days) if self.oldest else None


def _inbound_held() -> sa.Select:
    return sa.select(InboundMessage.id).where(
        InboundMessage.raw_message != b"", InboundMessage.outcome != Outcome.NEEDS_REVIEW
    )


def _purge_inbound(before: datetime) -> int:
    ids = _due_ids(_inbound_held(), InboundMessage.received_at, before)
    if ids:
        db.session.execute(
            sa.update(InboundMessage).where(InboundMessage.id.in_(ids)).values(raw_message=b"")
        )
    return len(ids)


def _sent_held() -> sa.Select:
    return sa.select(OutboxMessage.id).where(
        OutboxMessage.state == DeliveryState.SENT,
        OutboxMessage.raw_message.is_not(None),
        _lacks(OutboxMessage.raw_message, f"{PURGED_MARK}:"),
    )


def _lacks(column: sa.ColumnElement, ascii_text: str) -> sa.ColumnElement:
    """`column` (bytes) does not hold `ascii_text`. (LIKE does not search bytes in SQLite, and
    PostgreSQL searches bytea only through its text escape form.)"""
    if db.engine.dialect.name == "postgresql":
        return sa.func.strpos(sa.func.encode(column, "escape"), ascii_text) == 0
    return sa.func.instr(column, ascii_text.encode()) == 0


def _purge_sent(before: datetime) -> int:
    ids = _due_ids(_sent_held(), OutboxMessage.sent_at, before)
    for message in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))):
        message.raw_message = _headers_only(message.raw_message)
        message.details = None  # what the mail said beyond the state: old values, a reason
    return len(ids)


def _headers_only(raw: bytes) -> bytes:
    """The message's own headers that say who, when and what, with the body replaced."""
    original = BytesHeaderParser(policy=policy.default).parsebytes(raw)
    kept = EmailMessage(policy=policy.SMTP)
    for name in ("From", "To", "Subject", "Date", "Message-ID"):
        if original.get(name) is not None:
            kept[name] = str(original[name])
    kept[PURGED_MARK] = "retention"
    kept.set_content(PURGED_BODY)
    return kept.as_bytes()


def _audit_held() -> sa.Select:
    return sa.select(AuditEntry.id).where(sa.cast(AuditEntry.changes, sa.String) != "{}")


# The rows still holding what a period covers, as partial indexes on the time the period
# counts from: the overview counts them, and a purge finds them, by reading the index instead of
# decoding every stored message (a national platform's outbox holds 150,000) or every audit
# entry's values. Each WHERE is the condition of `_sent_held` and `_audit_held` above, which
# the database must recognise for the index to serve them (migration 0018).
SENT_TEXT_HELD = sa.Index(
    "ix_outbox_messages_sent_text_held",
    OutboxMessage.sent_at,
    postgresql_where=sa.text(
        "state = 'sent' AND raw_message IS NOT NULL AND "
        f"strpos(encode(raw_message, 'escape'), '{PURGED_MARK}:') = 0"
    ),
    sqlite_where=sa.text(
        "state = 'sent' AND raw_message IS NOT NULL AND "
        f"instr(raw_message, X'{f'{PURGED_MARK}:'.encode().hex().upper()}') = 0"
    ),
)
AUDIT_VALUES_HELD = sa.Index(
    "ix_audit_entries_values_held",
    AuditEntry.occurred_at,
    postgresql_where=sa.text("CAST(changes AS VARCHAR) <> '{}'"),
    sqlite_where=sa.text("CAST(changes AS VARCHAR) <> '{}'"),
)


def _purge_audit(before: datetime) -> int:
    ids = _due_ids(_audit_held(), AuditEntry.occurred_at, before)
    if ids:
        db.session.execute(sa.update(AuditEntry).where(AuditEntry.id.in_(ids)).values(changes={}))
    return len(ids)


def _feeds_held() -> sa.Select:
    return sa.select(Expert.id).where(Expert.feed_token.is_not(None), Expert.active.is_(False))


def _purge_feeds(before: datetime) -> int:
    ids = _due_ids(_feeds_held(), Expert.updated_at, before)
    if ids:
        db.session.execute(sa.update(Expert).where(Expert.id.in_(ids)).values(feed_token=None))
    return len(ids)


def _prepared_held() -> sa.Select:
    return sa.select(PreparedDocument.id).where(
        PreparedDocument.state.in_([PreparationState.READY, PreparationState.FAILED])
    )


def _purge_prepared(before: datetime) -> int:
    ids = _due_ids(_prepared_held(), PreparedDocument.requested_at, before)
    if ids:
        db.session.execute(sa.delete(PreparedDocument).where(PreparedDocument.id.in_(ids)))
    return len(ids)


def _due_ids(held: sa.Select, since: sa.ColumnElement, before: datetime) -> list[int]:
    return list(db.session.scalars(held.where(since < before).limit(BATCH_SIZE)))


KINDS = (
    RetentionKind(
        "inbound_mail",
        "RETENTION_INBOUND_MAIL_DAYS",
        _l("Raw mail received (replies that have been dealt with)"),
        _inbound_held,
        InboundMessage.received_at,
        _purge_inbound,
    ),
    RetentionKind(
        "sent_mail",
        "RETENTION_SENT_MAIL_DAYS",
        _l("Text of mail sent"),
        _sent_held,
        OutboxMessage.sent_at,
        _purge_sent,
    ),
    RetentionKind(
        "audit_values",
        "RETENTION_AUDIT_VALUES_DAYS",
        _l("Old and new values in the audit trail"),
        _audit_held,
        AuditEntry.occurred_at,
        _purge_audit,
    ),
    RetentionKind(
        "feeds",
        "RETENTION_INACTIVE_FEEDS_DAYS",
        _l("Calendar feeds of deactivated experts"),
        _feeds_held,
        Expert.updated_at,
        _purge_feeds,
    ),
    RetentionKind(
        "prepared_documents",
        "RETENTION_PREPARED_DOCUMENTS_DAYS",
        _l("PDFs prepared for reading (drafts, sign-in sheets)"),
        _prepared_held,
        PreparedDocument.requested_at,
        _purge_prepared,
    ),
)


def retention_status(now: datetime | None = None) -> list[RetentionStatus]:
    """For each kind: its period, how many rows hold such data, how many are due, the oldest."""
    now = now or utcnow()
    statuses = []
    for kind in KINDS:
        days = kind.days()
        row = db.session.execute(
            kind.held().with_only_columns(
                sa.func.count(),
                sa.func.count().filter(kind.since < now - timedelta(days=days)),
                sa.func.min(kind.since),
            )
        ).one()
        statuses.append(RetentionStatus(kind, days, row[0], row[1], row[2]))
    return statuses


def purge(now: datetime | None = None) -> dict[str, int]:
    """Remove what has outlived its period, kind by kind, in batches; one audit entry per kind
    that removed anything. Returns the counts by kind."""
    now = now or utcnow()
    counts = {}
    for kind in KINDS:
        before = now - timedelta(days=kind.days())
        total = 0
        while removed := kind.purge(before):
            total += removed
            db.session.flush()
            if removed < BATCH_SIZE:
                break
        counts[kind.name] = total
        if total:
            audit.record_event(
                "privacy.purged",
                kind.name,
                f"{total} {kind.name} older than {kind.days()} days purged",
                {"count": total, "days": kind.days()},
            )
    db.session.flush()
    return counts
