"""The database's own guard over frozen charter versions.

A version's text, number and list of recommendations never change once frozen; only its state
(working draft → consultation → adopted) and the consultation dates may. Versions and their
rows cannot be deleted. The services refuse the same with a readable message; the triggers make
sure no other code path, and no hand-written SQL, can alter a version.

Installed by migration 0005, and by `create_all` (tests) through the metadata hook below.
"""

import sqlalchemy as sa

from eventsys.extensions import db

REFUSAL = "frozen charter versions cannot be changed"
# The columns that make up a version's text; everything else describes what is done with it.
_FROZEN_COLUMNS = ("charter_id", "major", "minor", "content", "frozen_at")


def _changed(equal_operator: str, cast: str = "") -> str:
    return " OR ".join(
        f"NOT (NEW.{column}{cast if column == 'content' else ''} {equal_operator} "
        f"OLD.{column}{cast if column == 'content' else ''})"
        for column in _FROZEN_COLUMNS
    )


def _sqlite_statements() -> list[str]:
    def refuse(name: str, timing: str, condition: str = "") -> str:
        when = f" WHEN {condition}" if condition else ""
        return f"CREATE TRIGGER {name} {timing}{when} BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"

    return [
        refuse(
            "charter_versions_text_frozen",
            "BEFORE UPDATE ON charter_versions FOR EACH ROW",
            _changed("IS"),
        ),
        refuse("charter_versions_undeletable", "BEFORE DELETE ON charter_versions FOR EACH ROW"),
        refuse(
            "charter_version_clauses_unchangeable",
            "BEFORE UPDATE ON charter_version_clauses FOR EACH ROW",
        ),
        refuse(
            "charter_version_clauses_undeletable",
            "BEFORE DELETE ON charter_version_clauses FOR EACH ROW",
        ),
    ]


def _postgresql_statements() -> list[str]:
    # JSON has no equality operator in PostgreSQL; its text form is compared instead.
    return [
        "CREATE FUNCTION refuse_changing_charter_versions() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation'; END $$",
        "CREATE TRIGGER charter_versions_text_frozen BEFORE UPDATE ON charter_versions "
        f"FOR EACH ROW WHEN ({_changed('IS NOT DISTINCT FROM', '::text')}) "
        "EXECUTE FUNCTION refuse_changing_charter_versions()",
        "CREATE TRIGGER charter_versions_undeletable BEFORE DELETE ON charter_versions "
        "FOR EACH ROW EXECUTE FUNCTION refuse_changing_charter_versions()",
        "CREATE TRIGGER charter_version_clauses_unchangeable BEFORE UPDATE OR DELETE "
        "ON charter_version_clauses FOR EACH ROW "
        "EXECUTE FUNCTION refuse_changing_charter_versions()",
    ]


def install(connection: sa.Connection) -> None:
    name = connection.dialect.name
    statements = _postgresql_statements() if name == "postgresql" else _sqlite_statements()
    for statement in statements:
        connection.exec_driver_sql(statement)


def remove(connection: sa.Connection) -> None:
    """Drop the triggers (and PostgreSQL's function), for the downgrade."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(
            "DROP FUNCTION IF EXISTS refuse_changing_charter_versions() CASCADE"
        )
        return
    for name in (
        "charter_versions_text_frozen",
        "charter_versions_undeletable",
        "charter_version_clauses_unchangeable",
        "charter_version_clauses_undeletable",
    ):
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


@sa.event.listens_for(db.metadata, "after_create")
def _install_after_create_all(target, connection, **keywords) -> None:
    install(connection)
