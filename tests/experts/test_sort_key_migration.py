"""Experts already in the directory when migration 0013 runs get their sort key, so that the
order is right from the first list after the upgrade."""

import sqlalchemy as sa

from eventsys.experts.models import expert_sort_key
from eventsys.extensions import db
from tests.test_migrations import bare_app, empty_database, schema_differences  # noqa: F401

EXPERTS = [("Krämer", "Emil"), ("Köhler", "Anna"), ("Strauß", "Gerda"), ("Kohl", "Hans")]


def test_the_upgrade_gives_existing_experts_their_sort_key_and_salutation(bare_app):  # noqa: F811
    runner = bare_app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0012"]).exit_code == 0
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO organisations (name, stakeholder_group)"
                " VALUES ('Stadt Köln', 'municipalities')"
            )
        )
        for number, (last, first) in enumerate(EXPERTS):
            connection.execute(
                sa.text(
                    "INSERT INTO experts (title, first_name, last_name, email, organisation_id,"
                    " function, language, timezone, active, created_at, updated_at)"
                    " VALUES ('Dr.', :first, :last, :email, 1, '', 'de', 'Europe/Berlin', true,"
                    " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"first": first, "last": last, "email": f"expert{number}@koeln.example"},
            )

    result = runner.invoke(args=["db", "upgrade"])

    assert result.exit_code == 0, result.output
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT last_name, sort_key, salutation FROM experts ORDER BY sort_key")
        ).all()
    assert [row[0] for row in rows] == ["Kohl", "Köhler", "Krämer", "Strauß"]
    assert all(row[1] == expert_sort_key(row[0], dict(EXPERTS)[row[0]]) for row in rows)
    assert {row[2] for row in rows} == {"none"}
    assert schema_differences() == []
