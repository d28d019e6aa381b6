"""Writing to and reading from the audit trail."""

import contextvars
import enum
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from flask_login import current_user

from eventsys.audit.models import AuditEntry
from eventsys.database import contains_ignoring_case
from eventsys.extensions import db

# Set by CLI commands and background jobs, which have no signed-in user.
_acting_as: contextvars.ContextVar[str | None] = contextvars.ContextVar("acting_as", default=None)


@contextmanager
def acting_as(label: str) -> Iterator[None]:
    """Attribute changes made inside the block to `label` (e.g. "cli") when nobody is signed in."""
    token = _acting_as.set(label)
    try:
        yield
    finally:
        _acting_as.reset(token)


def _current_actor() -> tuple[int | None, str]:
    if has_request_context() and current_user.is_authenticated:
        return current_user.id, current_user.email
    return None, _acting_as.get() or "system"


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field's value."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(item) for item in value]
    if hasattr(value, "id") and hasattr(value, "__tablename__"):
        return value.id
    return value


def snapshot(record: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The JSON-safe values of `fields` on `record`, to compare before and after a change."""
    return {field: _plain(getattr(record, field)) for field in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose values differ, as {field: [old, new]}."""
    return {
        field: [before.get(field), value]
        for field, value in after.items()
        if before.get(field) != value
    }


def record(
    action: str,
    entity: Any,
    summary: str,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry for `entity` to the current transaction and return it."""
    actor_id, actor_label = _current_actor()
    entry = AuditEntry(
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        entity_type=entity.__tablename__,
        entity_id=entity.id,
        summary=summary[:400],
        changes=changes or {},
    )
    db.session.add(entry)
    return entry


def record_many(entries: Iterable[tuple[str, str, int, str, dict[str, Any] | None]]) -> None:
    """`record` for many records at once — (action, entity_type, entity_id, summary, changes)
    each — written with one multi-row INSERT, as a bulk change (an import of ten thousand
    experts) needs."""
    actor_id, actor_label = _current_actor()
    rows = [
        {
            "actor_id": actor_id,
            "actor_label": actor_label,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "summary": summary[:400],
            "changes": changes or {},
        }
        for action, entity_type, entity_id, summary, changes in entries
    ]
    if rows:
        db.session.execute(sa.insert(AuditEntry), rows)


def record_event(
    action: str, entity_type: str, summary: str, changes: dict[str, Any] | None = None
) -> AuditEntry:
    """Add an audit entry about a kind of record rather than one of them (e.g. a purge of old
    mail) to the current transaction and return it."""
    actor_id, actor_label = _current_actor()
    entry = AuditEntry(
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        entity_type=entity_type,
        entity_id=None,
        summary=summary[:400],
        changes=changes or {},
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    entity_type: str | None = None
    entity_id: int | None = None
    action: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def find_entries(criteria: AuditFilter, page: int, per_page: int = 50):
    """A page of audit entries matching `criteria`, newest first."""
    query = sa.select(AuditEntry).order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
    if criteria.entity_type:
        query = query.where(AuditEntry.entity_type == criteria.entity_type)
    if criteria.entity_id is not None:
        query = query.where(AuditEntry.entity_id == criteria.entity_id)
    if criteria.action:
        query = query.where(AuditEntry.action == criteria.action)
    if criteria.actor:
        query = query.where(contains_ignoring_case(AuditEntry.actor_label, criteria.actor))
    if criteria.since:
        query = query.where(AuditEntry.occurred_at >= criteria.since)
    if criteria.until:
        query = query.where(AuditEntry.occurred_at < criteria.until)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def known_values(column: sa.Column) -> list[str]:
    """The distinct values of an audit column, for filter choices."""
    return list(db.session.scalars(sa.select(column).distinct().order_by(column)))
