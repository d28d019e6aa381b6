"""Empty databases made for one run and dropped after it (the migration tests, the benchmarks)."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa


@contextmanager
def throwaway_database(workdir: Path, postgres_url: str | None, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database: a SQLite file in `workdir`, or, given `postgres_url`,
    a PostgreSQL database created on that server and dropped afterwards."""
    if not postgres_url:
        yield f"sqlite:///{workdir / f'{prefix}-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    admin_url = sa.make_url(postgres_url).set(drivername="postgresql+psycopg")
    name = f"eventsys_{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
