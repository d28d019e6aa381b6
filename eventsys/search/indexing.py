"""Keeping the search index current: the entries of whatever a flush changed are replaced in
the same transaction, and `rebuild` makes every entry again.

What is indexed, one entry each: a TOP of the minutes (title and discussion), a decision, an
action item, a recommendation, a comment on minutes; a recommendation in a charter's working
text (active and in a chapter), each recommendation of each frozen version (from the version's
stored text), and a comment from a consultation (with its answer).

Mapper events note every row of those kinds that a flush inserts, updates (in a field the
index holds) or deletes, also rows deleted by the ORM's cascades and as orphans; when the
flush has written them, `after_flush` replaces their entries with what the database now
holds. The features that save never call the search: nothing can forget to. Rows that go away
without the ORM (an erasure's bulk DELETE, a database cascade) take their entries with them
through the entries' foreign keys (see `models`). Bulk UPDATEs of the indexed texts are not
seen; none exists (the charter's bulk UPDATEs change chapters and merge links of clauses that
are not in the text).
"""

from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import object_session

from eventsys.charters.models import CharterVersion, Clause, ConsultationComment
from eventsys.charters.states import ClauseStatus
from eventsys.minutes.models import (
    ActionItem,
    Decision,
    Minutes,
    MinutesComment,
    MinutesTopic,
    Recommendation,
)
from eventsys.search import engines
from eventsys.search.models import SearchEntry, SearchKind
from eventsys.search.text import plain_text

# How many ids one statement names, and how many entries one INSERT writes.
_CHUNK = 500

_PENDING = "search_index_pending"

# Per indexed model: the kind of its entries and the fields whose change changes them.
_WATCHED: dict[type, tuple[SearchKind, tuple[str, ...]]] = {
    MinutesTopic: (SearchKind.TOPIC, ("title", "discussion", "minutes_id")),
    Decision: (SearchKind.DECISION, ("text", "topic_id")),
    ActionItem: (SearchKind.ACTION_ITEM, ("text", "topic_id")),
    Recommendation: (SearchKind.RECOMMENDATION, ("text", "actors", "topic_id")),
    MinutesComment: (SearchKind.MINUTES_COMMENT, ("text", "minutes_id")),
    Clause: (SearchKind.DRAFT_CLAUSE, ("text_de", "text_en", "status", "chapter_id")),
    # A version's text never changes: only a new version is indexed.
    CharterVersion: (SearchKind.VERSION_CLAUSE, ()),
    ConsultationComment: (SearchKind.CHARTER_COMMENT, ("text", "answer")),
}

Pending = dict[SearchKind, set[int]]


# --- what a flush changed --------------------------------------------------------------------


def _note(target: Any, kind: SearchKind) -> None:
    session = object_session(target)
    if session is not None:
        session.info.setdefault(_PENDING, {}).setdefault(kind, set()).add(target.id)


def _watch(model: type, kind: SearchKind, fields: tuple[str, ...]) -> None:
    def inserted_or_deleted(mapper, connection, target) -> None:
        _note(target, kind)

    def updated(mapper, connection, target) -> None:
        state = sa.inspect(target)
        if any(state.attrs[name].history.has_changes() for name in fields):
            _note(target, kind)

    sa.event.listen(model, "after_insert", inserted_or_deleted)
    sa.event.listen(model, "after_delete", inserted_or_deleted)
    if fields:
        sa.event.listen(model, "after_update", updated)


for _model, (_kind, _fields) in _WATCHED.items():
    _watch(_model, _kind, _fields)


@sa.event.listens_for(OrmSession, "after_flush")
def _replace_changed_entries(session: OrmSession, flush_context) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        replace_entries(session.connection(), pending)


@sa.event.listens_for(OrmSession, "after_soft_rollback")
def _forget_changes(session: OrmSession, previous_transaction) -> None:
    session.info.pop(_PENDING, None)


# --- writing entries -------------------------------------------------------------------------


def replace_entries(connection: sa.Connection, changed: Pending) -> None:
    """Replace the entries of the rows in `changed` (ids by kind; for versions, the versions'
    ids) with entries made from what the database holds now; a row that is gone or no longer
    indexed (a clause taken out of the text) loses its entries."""
    entries = SearchEntry.__table__.c
    for kind, ids in changed.items():
        key = entries.version_id if kind is SearchKind.VERSION_CLAUSE else entries.source_id
        for chunk in _chunks(sorted(ids)):
            connection.execute(
                sa.delete(SearchEntry.__table__).where(entries.kind == kind, key.in_(chunk))
            )
            _insert(connection, _ENTRIES_OF[kind](connection, chunk))


def rebuild(
    connection: sa.Connection, progress: Callable[[SearchKind, int], None] | None = None
) -> int:
    """Delete every entry and make them all again from the database; returns how many there
    are. `progress` is told each kind and the number of its entries written."""
    connection.execute(sa.delete(SearchEntry.__table__))
    total = 0
    for kind, make in _ENTRIES_OF.items():
        written = 0
        for chunk in _chunks(_all_ids(connection, kind)):
            written += _insert(connection, make(connection, chunk))
        total += written
        if progress is not None:
            progress(kind, written)
    return total


def _all_ids(connection: sa.Connection, kind: SearchKind) -> Iterator[int]:
    model = next(model for model, (each, _) in _WATCHED.items() if each is kind)
    return iter(connection.scalars(sa.select(model.id).order_by(model.id)).all())


def _insert(connection: sa.Connection, entries: Iterable[dict[str, Any]]) -> int:
    dialect = connection.dialect.name
    statement = engines.insert_statement(dialect)
    written = 0
    for chunk in _chunks(entries):
        connection.execute(statement, [_row(dialect, entry) for entry in chunk])
        written += len(chunk)
    return written


def _row(dialect: str, entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as the INSERT takes it: every column, and the text to index."""
    return {**_EMPTY, **entry, "indexed": engines.indexed_value(dialect, entry["indexed"])}


_EMPTY = {
    "session_id": None,
    "topic_id": None,
    "minutes_comment_id": None,
    "charter_id": None,
    "clause_id": None,
    "version_id": None,
    "charter_comment_id": None,
    "label": "",
    "ordinal": None,
    "title": "",
}


def _chunks(items: Iterable) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, _CHUNK)):
        yield chunk


# --- the entries of each kind ----------------------------------------------------------------
# Each takes ids of its rows and yields the entries of those that exist (and are indexed), as
# dicts of columns; "indexed" is the text searched, "body" the text shown (the title of a
# version's clause, its chapter's, is shown but not searched).


def _topics(connection: sa.Connection, ids: list[int]) -> Iterator[dict[str, Any]]:
    query = (
        sa.select(MinutesTopic.id, MinutesTopic.title, MinutesTopic.discussion, Minutes.session_id)
        .join(Minutes, Minutes.id == MinutesTopic.minutes_id)
        .where(MinutesTopic.id.in_(ids))
    )
    for topic_id, title, discussion, session_id in connection.execute(query):
        body = plain_text(discussion)
        yield {
            "kind": SearchKind.TOPIC,
            "source_id": topic_id,
            "session_id": session_id,
            "topic_id": topic_id,
            "title": title[:300],
            "body": body,
            "indexed": f"{title}\n{body}",
        }


def _topic_rows(kind: SearchKind, model: type, *extra: str) -> Callable:
    """The entries of a TOP's rows (decisions, action items, recommendations): their text, and
    the text of `extra` columns searched too."""

    def entries(connection: sa.Connection, ids: list[int]) -> Iterator[dict[str, Any]]:
        query = (
            sa.select(
                model.id,
                model.text,
                model.topic_id,
                Minutes.session_id,
                *(getattr(model, name) for name in extra),
            )
            .join(MinutesTopic, MinutesTopic.id == model.topic_id)
            .join(Minutes, Minutes.id == MinutesTopic.minutes_id)
            .where(model.id.in_(ids))
        )
        for row_id, text, topic_id, session_id, *more in connection.execute(query):
            yield {
                "kind": kind,
                "source_id": row_id,
                "session_id": session_id,
                "topic_id": topic_id,
                "body": text,
                "indexed": "\n".join([text, *more]),
            }

    return entries


def _minutes_comments(connection: sa.Connection, ids: list[int]) -> Iterator[dict[str, Any]]:
    query = (
        sa.select(MinutesComment.id, MinutesComment.text, Minutes.session_id)
        .join(Minutes, Minutes.id == MinutesComment.minutes_id)
        .where(MinutesComment.id.in_(ids))
    )
    for comment_id, text, session_id in connection.execute(query):
        yield {
            "kind": SearchKind.MINUTES_COMMENT,
            "source_id": comment_id,
            "session_id": session_id,
            "minutes_comment_id": comment_id,
            "body": text,
            "indexed": text,
        }


def _draft_clauses(connection: sa.Connection, ids: list[int]) -> Iterator[dict[str, Any]]:
    query = sa.select(Clause.id, Clause.charter_id, Clause.text_de, Clause.text_en).where(
        Clause.id.in_(ids),
        Clause.status == ClauseStatus.ACTIVE,
        Clause.chapter_id.is_not(None),
    )
    for clause_id, charter_id, text_de, text_en in connection.execute(query):
        body = _both_languages(text_de, text_en)
        yield {
            "kind": SearchKind.DRAFT_CLAUSE,
            "source_id": clause_id,
            "charter_id": charter_id,
            "clause_id": clause_id,
            "body": body,
            "indexed": body,
        }


def _version_clauses(connection: sa.Connection, ids: list[int]) -> Iterator[dict[str, Any]]:
    """The clauses of versions `ids`, read from each version's stored text one at a time."""
    for version_id in ids:
        row = connection.execute(
            sa.select(CharterVersion.charter_id, CharterVersion.content).where(
                CharterVersion.id == version_id
            )
        ).first()
        if row is None:
            continue
        charter_id, content = row
        ordinal = 0
        for chapter in content["chapters"]:
            for clause in chapter["clauses"]:
                body = _both_languages(clause["text_de"], clause.get("text_en", ""))
                yield {
                    "kind": SearchKind.VERSION_CLAUSE,
                    "source_id": clause["id"],
                    "charter_id": charter_id,
                    "clause_id": clause["id"],
                    "version_id": version_id,
                    "label": clause["number"][:40],
                    "ordinal": ordinal,
                    "title": chapter["title_de"][:300],
                    "body": body,
                    "indexed": body,
                }
                ordinal += 1


def _charter_comments(connection: sa.Connection, ids: list[int]) -> Iterator[dict[str, Any]]:
    query = (
        sa.select(
            ConsultationComment.id,
            ConsultationComment.version_id,
            CharterVersion.charter_id,
            ConsultationComment.text,
            ConsultationComment.answer,
        )
        .join(CharterVersion, CharterVersion.id == ConsultationComment.version_id)
        .where(ConsultationComment.id.in_(ids))
    )
    for comment_id, version_id, charter_id, text, answer in connection.execute(query):
        yield {
            "kind": SearchKind.CHARTER_COMMENT,
            "source_id": comment_id,
            "charter_id": charter_id,
            "version_id": version_id,
            "charter_comment_id": comment_id,
            "body": text,
            "indexed": f"{text}\n{answer}",
        }


def _both_languages(german: str, english: str) -> str:
    return f"{german}\n{english}" if english else german


_ENTRIES_OF: dict[SearchKind, Callable[[sa.Connection, list[int]], Iterable[dict]]] = {
    SearchKind.TOPIC: _topics,
    SearchKind.DECISION: _topic_rows(SearchKind.DECISION, Decision),
    SearchKind.ACTION_ITEM: _topic_rows(SearchKind.ACTION_ITEM, ActionItem),
    SearchKind.RECOMMENDATION: _topic_rows(SearchKind.RECOMMENDATION, Recommendation, "actors"),
    SearchKind.MINUTES_COMMENT: _minutes_comments,
    SearchKind.DRAFT_CLAUSE: _draft_clauses,
    SearchKind.VERSION_CLAUSE: _version_clauses,
    SearchKind.CHARTER_COMMENT: _charter_comments,
}
