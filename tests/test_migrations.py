"""Every table comes from a migration: `flask db upgrade` from an empty database gives exactly
the models' schema, and `flask db downgrade base` takes it all away again."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from eventsys import create_app
from eventsys.database import alembic_compare_type
from eventsys.extensions import db
from tests.conftest import POSTGRES_URL, base_config
from tests.support.databases import throwaway_database


@pytest.fixture
def empty_database(tmp_path):
    """An empty database of the kind this suite runs on (SQLite, or PostgreSQL when set)."""
    with throwaway_database(tmp_path, POSTGRES_URL, "migrations") as url:
        yield url


@pytest.fixture
def bare_app(tmp_path, empty_database):
    app = create_app(base_config(empty_database), instance_path=str(tmp_path / "instance"))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def schema_differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": alembic_compare_type}
        )
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_gives_the_models_schema(bare_app):
    runner = bare_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert table_names() == set(db.metadata.tables)
    assert schema_differences() == []
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output


def test_downgrade_to_base_removes_every_table(bare_app):
    runner = bare_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert table_names() == set()
    # And up again: the chain is repeatable.
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert table_names() == set(db.metadata.tables)


def test_check_constraints_guard_enum_values(bare_app):
    """States are enforced by the database, not only by Python."""
    assert bare_app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO users (email, name, password_hash, role, language, active, created_at)"
                " VALUES ('x@example.org', 'X', 'h', 'superuser', 'de', true, CURRENT_TIMESTAMP)"
            )
        )


def test_sessions_that_exist_before_0002_get_a_calendar_uid_each(bare_app):
    runner = bare_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0001"]).exit_code == 0
    with db.engine.begin() as connection:
        for title in ("Alt 1", "Alt 2"):
            connection.execute(
                sa.text(
                    "INSERT INTO sessions (title, kind, description, starts_at, ends_at,"
                    " venue_address, venue_room, online_url, status, created_at, updated_at)"
                    " VALUES (:title, 'workshop', '', '2016-07-12 08:00:00',"
                    " '2016-07-12 14:00:00', '', '', '', 'held', CURRENT_TIMESTAMP,"
                    " CURRENT_TIMESTAMP)"
                ),
                {"title": title},
            )
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT ical_uid, ical_sequence, reminders_enabled FROM sessions")
        ).all()
    assert len({row[0] for row in rows}) == 2
    assert all(row[0].endswith("@eventsys") and row[1] == 0 and row[2] for row in rows)
    assert schema_differences() == []
