"""The database's own guard over approved minutes, and the default chapters of the charter.

Triggers refuse (1) any change to or deletion of an approved version, but for the one write of
its PDF (`pdf` and `pdf_sha256` from NULL to a value, together, nothing else changed: the PDF is
rendered after the approval has committed, see `eventsys.minutes.approved_pdf`), and (2) while
minutes are approved or published, any change to their text: the general part, the TOPs,
decisions, recommendations and action items (closing an action item later stays possible). The
service refuses the same with a readable message; the triggers make sure nothing else can.

Installed by migration 0004 (the guard of versions replaced by 0017), and by `create_all`
(tests) through the metadata hook below.
"""

import sqlalchemy as sa

from eventsys.extensions import db

FROZEN = "('approved', 'published')"
REFUSAL = "approved minutes are frozen"
VERSION_REFUSAL = "approved versions cannot be changed"

# Every column of minutes_versions but the PDF's two, which may be written once.
_VERSION_COLUMNS = (
    "id",
    "minutes_id",
    "number",
    "reason",
    "content",
    "approved_at",
    "approved_by_id",
)
# The guard's functions on PostgreSQL: today's, and the one before migration 0017.
_VERSION_GUARD_FUNCTIONS = ("guard_minutes_versions", "refuse_changing_minutes_versions")

DEFAULT_GUIDELINES = [
    (
        1,
        "Digitale Transformation braucht Ziele, Strategien und Strukturen",
        "Digital transformation needs goals, strategies and structures",
    ),
    (
        2,
        "Digitale Transformation braucht Transparenz, Teilhabe und Mitgestaltung",
        "Digital transformation needs transparency, participation and co-creation",
    ),
    (
        3,
        "Digitale Transformation braucht Infrastrukturen, Daten und Dienstleistungen",
        "Digital transformation needs infrastructures, data and services",
    ),
    (
        4,
        "Digitale Transformation braucht Ressourcen, Kompetenzen und Kooperationen",
        "Digital transformation needs resources, skills and cooperation",
    ),
]

_TEXT_CHANGED = {
    "minutes": ("opening", "closing", "next_session_date"),
    "action_items": ("text", "owner_expert_id", "owner_organisation_id", "due_date", "position"),
}
# The state of the minutes a row belongs to, given the row as `{row}` (NEW or OLD).
_STATE_OF = {
    "minutes_topics": "(SELECT state FROM minutes WHERE id = {row}.minutes_id)",
    "decisions": (
        "(SELECT m.state FROM minutes m JOIN minutes_topics t ON t.minutes_id = m.id "
        "WHERE t.id = {row}.topic_id)"
    ),
    "recommendations": (
        "(SELECT m.state FROM minutes m JOIN minutes_topics t ON t.minutes_id = m.id "
        "WHERE t.id = {row}.topic_id)"
    ),
    "action_items": (
        "(SELECT m.state FROM minutes m JOIN minutes_topics t ON t.minutes_id = m.id "
        "WHERE t.id = {row}.topic_id)"
    ),
}


def _changed(table: str, equal_operator: str) -> str:
    return " OR ".join(
        f"NOT (NEW.{column} {equal_operator} OLD.{column})" for column in _TEXT_CHANGED[table]
    )


def _sqlite_statements() -> list[str]:
    def refuse(name: str, timing: str, condition: str) -> str:
        return (
            f"CREATE TRIGGER {name} {timing} WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )

    statements = [
        refuse(
            "minutes_text_frozen",
            "BEFORE UPDATE ON minutes FOR EACH ROW",
            f"OLD.state IN {FROZEN} AND ({_changed('minutes', 'IS')})",
        ),
    ]
    for table, state_of in _STATE_OF.items():
        statements.append(
            refuse(
                f"{table}_insert_frozen",
                f"BEFORE INSERT ON {table} FOR EACH ROW",
                f"{state_of.format(row='NEW')} IN {FROZEN}",
            )
        )
        statements.append(
            refuse(
                f"{table}_delete_frozen",
                f"BEFORE DELETE ON {table} FOR EACH ROW",
                f"{state_of.format(row='OLD')} IN {FROZEN}",
            )
        )
        update_condition = f"{state_of.format(row='OLD')} IN {FROZEN}"
        if table in _TEXT_CHANGED:
            update_condition += f" AND ({_changed(table, 'IS')})"
        statements.append(
            refuse(
                f"{table}_update_frozen", f"BEFORE UPDATE ON {table} FOR EACH ROW", update_condition
            )
        )
    return statements


def _postgresql_statements() -> list[str]:
    statements = [
        f"CREATE FUNCTION refuse_frozen_minutes() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation'; END $$",
        "CREATE TRIGGER minutes_text_frozen BEFORE UPDATE ON minutes FOR EACH ROW "
        f"WHEN (OLD.state IN {FROZEN} AND ({_changed('minutes', 'IS NOT DISTINCT FROM')})) "
        "EXECUTE FUNCTION refuse_frozen_minutes()",
    ]
    # PostgreSQL allows no subquery in a trigger's WHEN: the check runs in a function per table.
    for table, state_of in _STATE_OF.items():
        check = (
            f"CREATE FUNCTION {table}_guard() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "DECLARE row_state text; "
            "BEGIN "
            f"IF TG_OP = 'INSERT' THEN row_state := {state_of.format(row='NEW')}; "
            f"ELSE row_state := {state_of.format(row='OLD')}; END IF; "
            f"IF row_state IN {FROZEN} THEN "
            f"RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; "
            "END $$"
        )
        statements.append(check)
        statements.append(
            f"CREATE TRIGGER {table}_insert_or_delete_frozen BEFORE INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_guard()"
        )
        when = (
            f" WHEN ({_changed(table, 'IS NOT DISTINCT FROM')})" if table in _TEXT_CHANGED else ""
        )
        statements.append(
            f"CREATE TRIGGER {table}_update_frozen BEFORE UPDATE ON {table} FOR EACH ROW{when} "
            f"EXECUTE FUNCTION {table}_guard()"
        )
    return statements


def _sqlite_version_guard() -> list[str]:
    unchanged = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in _VERSION_COLUMNS)
    pdf_written_once = (
        "OLD.pdf IS NULL AND OLD.pdf_sha256 IS NULL AND NEW.pdf IS NOT NULL "
        "AND length(NEW.pdf) > 0 AND length(NEW.pdf_sha256) = 64"
    )
    return [
        "CREATE TRIGGER minutes_versions_unchangeable BEFORE UPDATE ON minutes_versions "
        f"WHEN NOT ({pdf_written_once} AND {unchanged}) "
        f"BEGIN SELECT RAISE(ABORT, '{VERSION_REFUSAL}'); END",
        "CREATE TRIGGER minutes_versions_undeletable BEFORE DELETE ON minutes_versions "
        "BEGIN SELECT RAISE(ABORT, 'approved versions cannot be deleted'); END",
    ]


def _postgresql_version_guard() -> list[str]:
    # The row as JSON without the PDF's columns covers every other column, also one added
    # later; the content is compared as text too, since JSON values that are equal as jsonb
    # may still be written differently. PostgreSQL can check the checksum itself.
    return [
        "CREATE FUNCTION guard_minutes_versions() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        "IF TG_OP = 'UPDATE' "
        "AND OLD.pdf IS NULL AND OLD.pdf_sha256 IS NULL "
        "AND NEW.pdf IS NOT NULL AND length(NEW.pdf) > 0 "
        "AND NEW.pdf_sha256 = encode(sha256(NEW.pdf), 'hex') "
        "AND to_jsonb(NEW) - 'pdf' - 'pdf_sha256' = to_jsonb(OLD) - 'pdf' - 'pdf_sha256' "
        "AND NEW.content::text = OLD.content::text "
        "THEN RETURN NEW; END IF; "
        f"RAISE EXCEPTION '{VERSION_REFUSAL} or deleted' USING ERRCODE = 'restrict_violation'; "
        "END $$",
        "CREATE TRIGGER minutes_versions_unchangeable BEFORE UPDATE OR DELETE ON minutes_versions "
        "FOR EACH ROW EXECUTE FUNCTION guard_minutes_versions()",
    ]


def install(connection: sa.Connection) -> None:
    """Create the triggers and, where there are none yet, the default guidelines."""
    name = connection.dialect.name
    statements = _postgresql_statements() if name == "postgresql" else _sqlite_statements()
    for statement in statements:
        connection.exec_driver_sql(statement)
    install_version_guard(connection)
    insert_default_guidelines(connection)


def install_version_guard(connection: sa.Connection) -> None:
    """Create the triggers that keep approved versions as they are, but for the one write of
    their PDF."""
    if connection.dialect.name == "postgresql":
        statements = _postgresql_version_guard()
    else:
        statements = _sqlite_version_guard()
    for statement in statements:
        connection.exec_driver_sql(statement)


def remove_version_guard(connection: sa.Connection) -> None:
    """Drop the triggers `install_version_guard` created (and any older guard of versions)."""
    if connection.dialect.name == "postgresql":
        for function in _VERSION_GUARD_FUNCTIONS:
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
        return
    for trigger in ("minutes_versions_unchangeable", "minutes_versions_undeletable"):
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")


def insert_default_guidelines(connection: sa.Connection) -> None:
    """The charter's four guidelines, unless guidelines exist already."""
    if not connection.execute(sa.text("SELECT 1 FROM guidelines LIMIT 1")).first():
        connection.execute(
            sa.text(
                "INSERT INTO guidelines (number, title_de, title_en) "
                "VALUES (:number, :title_de, :title_en)"
            ),
            [
                {"number": number, "title_de": german, "title_en": english}
                for number, german, english in DEFAULT_GUIDELINES
            ],
        )


def remove(connection: sa.Connection) -> None:
    """Drop the triggers (and PostgreSQL's functions), for the downgrade."""
    tables = ["minutes_versions", "minutes", *_STATE_OF]
    if connection.dialect.name == "postgresql":
        functions = [*_VERSION_GUARD_FUNCTIONS, "refuse_frozen_minutes"]
        functions += [f"{table}_guard" for table in _STATE_OF]
        for function in functions:
            connection.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function}() CASCADE")
        return
    names = [
        row[0]
        for row in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        )
    ]
    for name in names:
        if any(name.startswith(table) for table in tables):
            connection.exec_driver_sql(f"DROP TRIGGER {name}")


@sa.event.listens_for(db.metadata, "after_create")
def _install_after_create_all(target, connection, **keywords) -> None:
    install(connection)
