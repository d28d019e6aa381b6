"""The search index: an entry for each TOP, decision, action item, recommendation, comment and
recommendation of a charter's working text and versions, with its text and search terms; on
SQLite an FTS5 table over the terms, on PostgreSQL a tsvector with a GIN index. The entries of
what exists already are made here (eventsys.search.indexing.rebuild, which reads only tables
and columns that exist at this revision; `flask search rebuild` does the same at any time).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from eventsys.search import engines, indexing


# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

KINDS = (
    "topic",
    "decision",
    "action_item",
    "recommendation",
    "minutes_comment",
    "draft_clause",
    "version_clause",
    "charter_comment",
)


def _reference(column: str, table: str) -> sa.Column:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey(
            f"{table}.id",
            name=op.f(f"fk_search_entries_{column}_{table}"),
            ondelete="CASCADE",
        ),
        nullable=True,
    )


def upgrade():
    connection = op.get_bind()
    op.create_table(
        "search_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="search_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("source_id", sa.Integer(), nullable=False),
        _reference("session_id", "sessions"),
        _reference("topic_id", "minutes_topics"),
        _reference("minutes_comment_id", "minutes_comments"),
        _reference("charter_id", "charters"),
        _reference("clause_id", "charter_clauses"),
        _reference("version_id", "charter_versions"),
        _reference("charter_comment_id", "charter_comments"),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entries")),
    )
    op.create_index("ix_search_entries_source", "search_entries", ["kind", "source_id"])
    for column in (
        "session_id",
        "topic_id",
        "minutes_comment_id",
        "charter_id",
        "clause_id",
        "charter_comment_id",
    ):
        op.create_index(f"ix_search_entries_{column}", "search_entries", [column])
    if connection.dialect.name == "postgresql":
        op.create_index(
            "ix_search_entries_terms", "search_entries", ["terms"], postgresql_using="gin"
        )
    engines.install(connection)
    indexing.rebuild(connection)


def downgrade():
    connection = op.get_bind()
    engines.remove(connection)
    op.drop_table("search_entries")
