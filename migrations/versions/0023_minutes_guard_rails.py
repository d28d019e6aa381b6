"""Comments on minutes can be marked as dealt with (when and by whom), and minutes record when
and by whom their approval was asked for.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 19:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

from eventsys.schema_changes import rebuilding_on_sqlite


# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

# (table, column of the time, column of the person)
COLUMNS = (
    ("minutes_comments", "dealt_with_at", "dealt_with_by_id"),
    ("minutes", "approval_requested_at", "approval_requested_by_id"),
)


def upgrade():
    for table, time_column, person_column in COLUMNS:
        # Minutes keep their freezing triggers, and their versions and TOPs their references.
        with rebuilding_on_sqlite(table), op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column(time_column, sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column(person_column, sa.Integer(), nullable=True))
            batch_op.create_foreign_key(
                f"fk_{table}_{person_column}_users",
                "users",
                [person_column],
                ["id"],
                ondelete="SET NULL",
            )


def downgrade():
    for table, time_column, person_column in COLUMNS:
        with rebuilding_on_sqlite(table), op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_{person_column}_users", type_="foreignkey")
            batch_op.drop_column(person_column)
            batch_op.drop_column(time_column)
