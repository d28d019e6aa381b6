"""What differs between the databases' full-text search; everything else asks this module.

- SQLite (the default): an FTS5 table, `search_entries_fts`, indexes the `terms` column of
  `search_entries` (the German stems the app computes, see `text`). It is an FTS5 table with
  external content: it stores only its index, and triggers on `search_entries` keep it in
  step with every INSERT, UPDATE and DELETE there (also a DELETE by a foreign key's cascade).
  Queries are built by the app from the stems of the words asked for, each quoted, so that
  nothing a user types is FTS5 syntax; results are ranked by bm25.
- PostgreSQL (scale-out): `terms` is a tsvector made by `to_tsvector('german', …)` when an
  entry is written, with a GIN index; queries are `websearch_to_tsquery('german', …)` of the
  words asked for, each quoted again, ranked by `ts_rank_cd`.

The choice is made by the engine's dialect name.
"""

from collections.abc import Callable

import sqlalchemy as sa

from eventsys.search.models import SearchEntry
from eventsys.search.text import Query, stem, stems_of

FTS_TABLE = "search_entries_fts"
#: The FTS5 table and the tables FTS5 keeps its index in: SQLite's own, not the models'.
SQLITE_INDEX_TABLES = frozenset(
    {FTS_TABLE, *(f"{FTS_TABLE}_{part}" for part in ("data", "idx", "docsize", "config"))}
)
#: The GIN index over the tsvector, which exists on PostgreSQL only.
POSTGRESQL_ONLY_INDEX = "ix_search_entries_terms"

_SQLITE_STATEMENTS = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "terms, content='search_entries', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE} (rowid, terms) VALUES (new.id, new.terms); END",
    f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, terms) "
    "VALUES ('delete', old.id, old.terms); END",
    f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE ON search_entries BEGIN "
    f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}, rowid, terms) "
    "VALUES ('delete', old.id, old.terms); "
    f"INSERT INTO {FTS_TABLE} (rowid, terms) VALUES (new.id, new.terms); END",
]

_GERMAN = sa.literal_column("'german'")


def install(connection: sa.Connection) -> None:
    """Create the FTS5 table and its triggers (SQLite; nothing is needed on PostgreSQL)."""
    if connection.dialect.name == "sqlite":
        for statement in _SQLITE_STATEMENTS:
            connection.exec_driver_sql(statement)


def remove(connection: sa.Connection) -> None:
    """Drop the FTS5 table (its triggers go with `search_entries`)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")


@sa.event.listens_for(SearchEntry.__table__, "after_create")
def _install_after_create(target, connection, **keywords) -> None:
    install(connection)


@sa.event.listens_for(SearchEntry.__table__, "before_drop")
def _remove_before_drop(target, connection, **keywords) -> None:
    remove(connection)


def insert_statement(dialect_name: str) -> sa.Insert:
    """The INSERT of entries, each given as a dict of `search_entries`' columns with, instead
    of `terms`, the text to index as "indexed" (see `indexed_value`)."""
    indexed = sa.bindparam("indexed", type_=sa.Text)
    terms = sa.func.to_tsvector(_GERMAN, indexed) if dialect_name == "postgresql" else indexed
    return sa.insert(SearchEntry.__table__).values(terms=terms)


def indexed_value(dialect_name: str, text: str) -> str:
    """What to pass as "indexed" for `text`: its stems for SQLite, the text for PostgreSQL."""
    return text if dialect_name == "postgresql" else stems_of(text)


def fts5_query(query: Query) -> str:
    """The FTS5 query for `query`: every stem in quotes (a stem holds only letters and digits),
    so that operators, columns and prefixes are never read from what was typed."""
    wanted = [f'"{stem(word)}"' for word in query.words]
    wanted += ['"' + " ".join(stem(word) for word in phrase) + '"' for phrase in query.phrases]
    expression = "(" + " ".join(wanted) + ")"
    for word in query.excluded:
        expression += f' NOT "{stem(word)}"'
    return expression


def websearch_text(query: Query) -> str:
    """The text for `websearch_to_tsquery`: words and phrases quoted, so that a typed "or" is a
    word as it is on SQLite, and excluded words after a "-"."""
    parts = [f'"{word}"' for word in query.words]
    parts += ['"' + " ".join(phrase) + '"' for phrase in query.phrases]
    parts += [f'-"{word}"' for word in query.excluded]
    return " ".join(parts)


def matching(
    statement: sa.Select, query: Query, dialect_name: str
) -> tuple[sa.Select, sa.ColumnElement]:
    """`statement` (a SELECT from `search_entries`) restricted to the entries that match
    `query`, and the expression to order them by, best first. `query` must not be empty."""
    if dialect_name == "postgresql":
        tsquery = sa.func.websearch_to_tsquery(_GERMAN, websearch_text(query))
        terms = SearchEntry.__table__.c.terms
        return (
            statement.where(terms.bool_op("@@")(tsquery)),
            sa.func.ts_rank_cd(terms, tsquery).desc(),
        )
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    fts_name = sa.literal_column(FTS_TABLE)
    return (
        statement.join(fts, fts.c.rowid == SearchEntry.id).where(
            fts_name.op("MATCH")(fts5_query(query))
        ),
        sa.func.bm25(fts_name).asc(),
    )


def alembic_filters(dialect_name: str) -> dict[str, Callable]:
    """Options for Alembic's comparison of the models with a database: SQLite's FTS5 tables
    are not models (SQLAlchemy cannot describe a virtual table; the migration and
    `install` make them), and the GIN index exists on PostgreSQL only."""

    def include_name(name, type_, parent_names) -> bool:
        return not (type_ == "table" and name in SQLITE_INDEX_TABLES)

    def include_object(item, name, type_, reflected, compare_to) -> bool:
        return not (
            type_ == "index" and name == POSTGRESQL_ONLY_INDEX and dialect_name != "postgresql"
        )

    return {"include_name": include_name, "include_object": include_object}
