"""Databases for the suite.

`TestDatabase` is the one database a test process (a pytest-xdist worker) runs every test on.
Its schema is made once; each test starts from a saved state of it, restored in a few
milliseconds, so that commits stay real (the outbox and the triggers need them) while no test
pays for building a schema or an app:
- SQLite: a file per process; a saved state is a copy made with SQLite's backup API, and
  restoring copies it back page by page, so that connections still open see the new content.
- PostgreSQL: a database per process on the configured server; a saved state is a schema
  holding a copy of every table and the sequences' positions, and restoring empties the tables
  and copies the rows back in one transaction, with triggers and foreign-key checks off
  (`session_replication_role = replica`, which needs a superuser, as the test role is).

`throwaway_database` makes an empty database for one use (the migration tests, benchmarks).
"""

import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import sqlalchemy as sa

# What a database holds, apart from times and password hashes (see `TestDatabase.fingerprint`).
Fingerprint = tuple[tuple[str, tuple], ...]


@contextmanager
def throwaway_database(workdir: Path, postgres_url: str | None, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file in `workdir`, or, given `postgres_url`,
    a PostgreSQL database created on that server and dropped afterwards."""
    if not postgres_url:
        yield f"sqlite:///{workdir / f'{prefix}-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    with _postgres_database(postgres_url, f"eventsys_{prefix}_{uuid.uuid4().hex[:10]}") as url:
        yield url


@contextmanager
def _postgres_database(server_url: str, name: str) -> Iterator[str]:
    admin_url = sa.make_url(server_url).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class TestDatabase:
    """The process's database: its URL, and saved states to restore (see the module's text)."""

    url: str

    def __init__(self, tables: list[sa.Table]) -> None:
        self.tables = tables  # in dependency order, parents first
        self.table_names = [table.name for table in tables]

    def fingerprint(self, connection: sa.Connection) -> Fingerprint:
        """The rows of every table that holds any, leaving out times and password hashes
        (they differ from test to test while meaning the same), ordered by primary key."""
        counts = " UNION ALL ".join(
            f"SELECT '{name}', COUNT(*) FROM \"{name}\"" for name in self.table_names
        )
        filled = {name for name, count in connection.exec_driver_sql(counts) if count}
        rows = []
        for table in self.tables:
            if table.name not in filled:
                continue
            columns = [
                column
                for column in table.columns
                if not _is_time_or_bytes(column.type) and column.name != "password_hash"
            ]
            query = sa.select(*columns).order_by(*table.primary_key.columns)
            rows.append((table.name, tuple(tuple(row) for row in connection.execute(query))))
        return tuple(rows)

    def save(self, name: str, engine: sa.Engine) -> None:
        raise NotImplementedError

    def restore(self, name: str, engine: sa.Engine) -> None:
        raise NotImplementedError


def _is_time_or_bytes(column_type: sa.types.TypeEngine) -> bool:
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl_instance
    return isinstance(column_type, sa.DateTime | sa.LargeBinary)


class SqliteTestDatabase(TestDatabase):
    def __init__(self, directory: Path, tables: list[sa.Table]) -> None:
        super().__init__(tables)
        self.directory = directory
        self.path = directory / "test.sqlite3"
        self.url = f"sqlite:///{self.path}"

    def _state_file(self, name: str) -> Path:
        return self.directory / f"state-{name}.sqlite3"

    def save(self, name: str, engine: sa.Engine) -> None:
        _copy_sqlite(self.path, self._state_file(name))

    def restore(self, name: str, engine: sa.Engine) -> None:
        engine.dispose()  # pooled connections would keep pages cached from before
        _copy_sqlite(self._state_file(name), self.path)


def _copy_sqlite(source: Path, target: Path) -> None:
    with (
        closing(sqlite3.connect(source, timeout=15)) as reading,
        closing(sqlite3.connect(target, timeout=15)) as writing,
    ):
        reading.backup(writing)


class PostgresTestDatabase(TestDatabase):
    def __init__(self, url: str, tables: list[sa.Table]) -> None:
        super().__init__(tables)
        self.url = url
        self._restore_sql: dict[str, str] = {}

    def check_privileges(self, engine: sa.Engine) -> None:
        """Raises RuntimeError unless the role may switch triggers off, as restoring needs."""
        with engine.connect() as connection:
            is_superuser = connection.exec_driver_sql(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
            ).scalar()
        if not is_superuser:
            raise RuntimeError(
                "The PostgreSQL test role must be a superuser (e.g. postgres with trust auth "
                "on 127.0.0.1): restoring a test's database switches triggers off."
            )

    def save(self, name: str, engine: sa.Engine) -> None:
        schema = f"state_{name.replace('-', '_')}"
        with engine.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
            for table in self.table_names:
                connection.exec_driver_sql(
                    f'CREATE TABLE "{schema}"."{table}" AS TABLE public."{table}"'
                )
            filled = {table for table, _rows in self.fingerprint(connection)}
            sequences = connection.exec_driver_sql(
                "SELECT sequencename, COALESCE(last_value, 1), last_value IS NOT NULL "
                "FROM pg_sequences WHERE schemaname = 'public'"
            ).all()
        statements = ["SET LOCAL session_replication_role = replica"]
        statements += [f'DELETE FROM public."{table}"' for table in self.table_names]
        statements += [
            f'INSERT INTO public."{table}" SELECT * FROM "{schema}"."{table}"'
            for table in self.table_names
            if table in filled
        ]
        statements += [
            f"SELECT setval('public.\"{sequence}\"', {value}, {str(called).lower()})"
            for sequence, value, called in sequences
        ]
        self._restore_sql[name] = ";\n".join(statements)

    def restore(self, name: str, engine: sa.Engine) -> None:
        with engine.begin() as connection:
            # One round trip: psycopg sends a statement list without parameters as one query.
            connection.connection.driver_connection.execute(
                "SET LOCAL lock_timeout = '20s';\nSET LOCAL synchronous_commit = off;\n"
                + self._restore_sql[name]
            )
        engine.dispose()


@contextmanager
def postgres_test_database(server_url: str, worker: str, tables: list[sa.Table]):
    """A PostgreSQL database of this process's own, dropped at the end."""
    name = f"eventsys_test_{worker}_{uuid.uuid4().hex[:8]}"
    with _postgres_database(server_url, name) as url:
        yield PostgresTestDatabase(url, tables)
