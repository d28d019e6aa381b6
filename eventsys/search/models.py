"""The search index: one entry for each text that can be found, in the same database.

An entry holds a text as it is shown (`title`, `body`) and its search terms (`terms`), with
the ids of the place it belongs to. The terms are the engine's own: on SQLite the German
stems of the words (an FTS5 table beside this one indexes them, see `engines`), on PostgreSQL
a tsvector of the `german` configuration with a GIN index.

Entries are derived data: `indexing` replaces them in the transaction that changes their
source, and `flask search rebuild` makes all of them again. Each entry refers to the row it
was made from (or the row that contains it) with ON DELETE CASCADE, so that a row deleted by
any path (an erasure's bulk DELETE, a cascade in the database) takes its entry with it.
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.database import enum_column
from eventsys.extensions import db
from eventsys.labels import LabelledEnum


class SearchKind(LabelledEnum):
    """What an entry is the text of."""

    TOPIC = "topic", _l("Discussion")
    DECISION = "decision", _l("Decision")
    ACTION_ITEM = "action_item", _l("Action item")
    RECOMMENDATION = "recommendation", _l("Recommendation")
    MINUTES_COMMENT = "minutes_comment", _l("Comment on minutes")
    DRAFT_CLAUSE = "draft_clause", _l("Recommendation in the working text")
    VERSION_CLAUSE = "version_clause", _l("Recommendation in a version")
    CHARTER_COMMENT = "charter_comment", _l("Comment from a consultation")


MINUTES_KINDS = frozenset(
    {
        SearchKind.TOPIC,
        SearchKind.DECISION,
        SearchKind.ACTION_ITEM,
        SearchKind.RECOMMENDATION,
        SearchKind.MINUTES_COMMENT,
    }
)


class SearchEntry(db.Model):
    __tablename__ = "search_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[SearchKind] = mapped_column(enum_column(SearchKind, "search_kind"))
    # The id of the row of that kind: the TOP, decision, action item, recommendation, comment
    # or clause (a clause in a version: the clause, with `version_id`).
    source_id: Mapped[int]
    # Where it belongs (the link's parts); None where a kind has no such place. Each is indexed
    # for the database's cascades, but for the version: versions are never deleted.
    session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    topic_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("minutes_topics.id", ondelete="CASCADE"), index=True
    )
    minutes_comment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("minutes_comments.id", ondelete="CASCADE"), index=True
    )
    charter_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("charters.id", ondelete="CASCADE"), index=True
    )
    clause_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("charter_clauses.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("charter_versions.id", ondelete="CASCADE")
    )
    charter_comment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("charter_comments.id", ondelete="CASCADE"), index=True
    )
    # A clause of a frozen version: its number ("2.3") and its place in the text (from 0),
    # which tell the version's page it is on.
    label: Mapped[str] = mapped_column(sa.String(40), default="")
    ordinal: Mapped[int | None]
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    terms: Mapped[str] = mapped_column(sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"))

    __table_args__ = (
        sa.Index("ix_search_entries_source", "kind", "source_id"),
        # PostgreSQL's full-text index; on SQLite the FTS5 table is the index (see `engines`).
        sa.Index("ix_search_entries_terms", "terms", postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    def __repr__(self) -> str:
        return f"<SearchEntry {self.id} {self.kind} {self.source_id}>"
