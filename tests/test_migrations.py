"""Every table comes from a migration: `flask db upgrade` from an empty database gives exactly
the models' schema, and `flask db downgrade base` takes it all away again."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from eventsys import create_app
from eventsys.charters.models import Charter, Clause, ClauseOrigin
from eventsys.database import alembic_compare_type
from eventsys.extensions import db
from eventsys.minutes.models import ActionItem, Minutes, MinutesTopic, MinutesVersion
from eventsys.minutes.states import MinutesState
from eventsys.search.engines import SQLITE_INDEX_TABLES, alembic_filters
from eventsys.sessions.models import Session
from eventsys.sessions.states import SessionKind, SessionStatus
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
        # The search index's FTS5 table (SQLite) is left out: SQLAlchemy cannot describe a
        # virtual table as a model, so the migration and create_all make it beside the models
        # (eventsys/search/engines.py), and so is the GIN index that exists on PostgreSQL only.
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": alembic_compare_type,
                **alembic_filters(connection.dialect.name),
            },
        )
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    """The tables in the database, but for Alembic's own and the FTS5 tables of the search
    index (see `schema_differences`)."""
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"} - SQLITE_INDEX_TABLES


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


# --- 0017: the PDF of approved minutes is written into the version once ----------------------

OLD_PDF = b"%PDF-1.7 stored at approval before 0017"


def insert_with_the_columns_of_now(model, **values) -> int:
    """Insert one row of a model into the table as an older revision left it: only the columns
    that exist now, with the models' own defaults and types, so that a column added by a later
    migration does not break a test that starts from an earlier one."""
    existing = {column["name"] for column in sa.inspect(db.engine).get_columns(model.__tablename__)}
    table = sa.Table(
        model.__tablename__,
        sa.MetaData(),
        *(column._copy() for column in model.__table__.c if column.name in existing),
    )
    with db.engine.begin() as connection:
        return connection.execute(table.insert().values(**values)).inserted_primary_key[0]


def insert_session(title: str, kind: SessionKind, status: SessionStatus) -> int:
    """A three-hour session on 23.11.2026, inserted as `insert_with_the_columns_of_now` does."""
    starts_at = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    return insert_with_the_columns_of_now(
        Session,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=3),
        status=status,
    )


def approved_version_with_a_charter_origin() -> int:
    """At 0016: approved minutes with a version (and its PDF, as approval stored it then) whose
    recommendation a charter took in; returns the version's id."""
    session_id = insert_session("Workshop Datenräume", SessionKind.WORKSHOP, SessionStatus.PLANNED)
    minutes_id = insert_with_the_columns_of_now(
        Minutes, session_id=session_id, state=MinutesState.APPROVED
    )
    version_id = insert_with_the_columns_of_now(
        MinutesVersion,
        minutes_id=minutes_id,
        number=1,
        content={"schema": "eventsys.minutes/1"},
        pdf=OLD_PDF,
        pdf_sha256=hashlib.sha256(OLD_PDF).hexdigest(),
    )
    charter_id = insert_with_the_columns_of_now(Charter, title_de="Smart City Charta")
    clause_id = insert_with_the_columns_of_now(
        Clause, charter_id=charter_id, text_de="Kommunale Datenräume fördern"
    )
    insert_with_the_columns_of_now(
        ClauseOrigin,
        charter_id=charter_id,
        clause_id=clause_id,
        session_id=session_id,
        minutes_version_id=version_id,
        recommendation_number="E-1.1.1",
        topic_position=1,
        topic_title="Datenräume",
        original_text="Kommunale Datenräume fördern",
    )
    return version_id


def refused(statement: str, **parameters) -> bool:
    try:
        with db.engine.begin() as connection:
            connection.execute(sa.text(statement), parameters)
    except sa.exc.DatabaseError as error:
        return "cannot be" in str(error) or "constraint" in str(error).lower()
    return False


def write_pdf(version_id: int, pdf: bytes) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE minutes_versions SET pdf = :pdf, pdf_sha256 = :sha WHERE id = :id"),
            {"pdf": pdf, "sha": hashlib.sha256(pdf).hexdigest(), "id": version_id},
        )


def stored_pdfs() -> list[tuple]:
    with db.engine.connect() as connection:
        query = "SELECT id, pdf, pdf_sha256 FROM minutes_versions ORDER BY id"
        return [tuple(row) for row in connection.execute(sa.text(query))]


def test_0017_keeps_approved_versions_and_guards_them_both_ways(bare_app):
    runner = bare_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0016"]).exit_code == 0
    old_id = approved_version_with_a_charter_origin()
    before = stored_pdfs()

    # Up: the table is rebuilt on SQLite while a charter's origin refers to the version.
    upgraded = runner.invoke(args=["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert stored_pdfs() == before
    assert db.session.scalar(sa.select(ClauseOrigin.minutes_version_id)) == old_id
    db.session.rollback()
    assert refused("UPDATE minutes_versions SET pdf = :pdf", pdf=b"%PDF other")
    assert refused("UPDATE minutes_versions SET reason = 'x'")
    assert refused("DELETE FROM minutes_versions")

    # A version approved now waits for its PDF, written once.
    minutes = db.session.scalar(sa.select(Minutes))
    minutes.state = MinutesState.DRAFT
    db.session.commit()
    waiting = MinutesVersion(minutes=minutes, number=2, content={"schema": "eventsys.minutes/1"})
    minutes.state = MinutesState.APPROVED
    db.session.add(waiting)
    db.session.commit()
    waiting_id = waiting.id
    db.session.close()  # no transaction of the test may hold the table while it migrates

    # Down is refused while a version has no PDF, and changes nothing.
    refused_down = runner.invoke(args=["db", "downgrade", "0016"])
    assert refused_down.exit_code != 0
    assert "have no PDF yet" in refused_down.output
    write_pdf(waiting_id, b"%PDF-1.7 rendered after approval")
    assert refused(
        "UPDATE minutes_versions SET pdf = NULL, pdf_sha256 = NULL WHERE id = :id", id=waiting_id
    )
    with_both = stored_pdfs()

    downgraded = runner.invoke(args=["db", "downgrade", "0016"])
    assert downgraded.exit_code == 0, downgraded.output
    assert stored_pdfs() == with_both
    columns = {
        column["name"]: column for column in sa.inspect(db.engine).get_columns("minutes_versions")
    }
    assert not columns["pdf"]["nullable"] and not columns["pdf_sha256"]["nullable"]
    prepared_columns = {
        column["name"] for column in sa.inspect(db.engine).get_columns("prepared_documents")
    }
    assert "archival" not in prepared_columns and "attachments" not in prepared_columns
    # The guard before 0017: no change at all.
    assert refused("UPDATE minutes_versions SET reason = 'x'")
    assert refused("DELETE FROM minutes_versions")

    again = runner.invoke(args=["db", "upgrade"])
    assert again.exit_code == 0, again.output
    assert stored_pdfs() == with_both


def test_the_migrated_schema_keeps_approved_minutes_frozen(bare_app):
    """Tables that SQLite rebuilds for a migration (action_items, minutes, minutes_comments)
    keep the triggers that freeze approved minutes."""
    runner = bare_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    session_id = insert_session("Plenum", SessionKind.PLENARY, SessionStatus.HELD)
    minutes_id = insert_with_the_columns_of_now(
        Minutes, session_id=session_id, state=MinutesState.DRAFT, opening="Begrüßung"
    )
    topic_id = insert_with_the_columns_of_now(
        MinutesTopic, minutes_id=minutes_id, position=1, title="Daten"
    )
    insert_with_the_columns_of_now(ActionItem, topic_id=topic_id, position=1, text="Bericht")
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE minutes SET state = 'approved'"))

    for change in (
        "UPDATE action_items SET text = 'anders'",
        "UPDATE minutes SET opening = 'anders'",
        "DELETE FROM minutes_topics",
    ):
        with (
            pytest.raises(sa.exc.DatabaseError, match="approved minutes are frozen"),
            db.engine.begin() as connection,
        ):
            connection.execute(sa.text(change))
    with db.engine.begin() as connection:  # following an item up stays possible
        connection.execute(sa.text("UPDATE action_items SET closed_note = 'erledigt'"))
