"""Showing what an action would mail before anyone gets it.

The action runs for real in the current transaction, the messages it queues are counted and a
few of them composed, and then everything is rolled back. The preview is therefore exactly what
confirming would send, with no second description of the rules to drift from the first.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventsys.extensions import db
from eventsys.outbox.models import OutboxMessage

_REHEARSAL = "outbox_rehearsal"  # key in db.session.info: the messages queued meanwhile
# Enough messages of one kind are composed to find each language among them, and no more: at
# 10,000 recipients composing them all would take minutes.
SAMPLES_SOUGHT = 40


@dataclass(frozen=True)
class SampleMail:
    language: str
    subject: str
    text: str


@dataclass(frozen=True)
class MailGroup:
    """The messages of one kind the action would send."""

    kind: str
    count: int
    samples: list[SampleMail]  # one per language found, German first

    @property
    def subject(self) -> str:
        return self.samples[0].subject if self.samples else ""


@dataclass
class MailPreview:
    result: Any = None  # what the action returned
    groups: list[MailGroup] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)


def note_queued(entry: OutboxMessage) -> None:
    """Called by the outbox for every message queued, so that a rehearsal sees it."""
    queued = db.session.info.get(_REHEARSAL)
    if queued is not None:
        queued.append(entry)


def rehearse(action: Callable[[], Any], compose: Callable[[OutboxMessage], Any]) -> MailPreview:
    """Run `action`, describe the mail it queued (composed with `compose`, the outbox's
    composer lookup), and roll the transaction back, whatever happened."""
    queued: list[OutboxMessage] = []
    db.session.info[_REHEARSAL] = queued
    try:
        result = action()
        db.session.flush()
        groups = [_group(kind, entries, compose) for kind, entries in _by_kind(queued).items()]
    finally:
        db.session.info.pop(_REHEARSAL, None)
        db.session.rollback()
    return MailPreview(result=result, groups=groups)


def _by_kind(entries: list[OutboxMessage]) -> dict[str, list[OutboxMessage]]:
    kinds: dict[str, list[OutboxMessage]] = {}
    for entry in entries:
        kinds.setdefault(entry.kind, []).append(entry)
    return kinds


def _group(
    kind: str, entries: list[OutboxMessage], compose: Callable[[OutboxMessage], Any]
) -> MailGroup:
    samples: dict[str, SampleMail] = {}
    for entry in entries[:SAMPLES_SOUGHT]:
        message = compose(entry)
        language = str(message.get("Content-Language", "") or "de")
        if language in samples:
            continue
        body = message.get_body(preferencelist=("plain",))
        samples[language] = SampleMail(
            language=language,
            subject=str(message["Subject"]),
            text=body.get_content() if body is not None else "",
        )
        if len(samples) == 2:
            break
    ordered = sorted(samples.values(), key=lambda sample: sample.language != "de")
    return MailGroup(kind=kind, count=len(entries), samples=ordered)
