"""Action items are followed up: who closed one (also outside minutes), the due date its owner
was last reminded of, and a per-session switch for those reminders.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 18:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

from eventsys.schema_changes import rebuilding_on_sqlite


# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    # The rebuild on SQLite keeps the triggers that freeze approved minutes' action items.
    with rebuilding_on_sqlite("action_items"), op.batch_alter_table("action_items") as batch_op:
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reminded_for_due_date", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            "fk_action_items_closed_by_id_users",
            "users",
            ["closed_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_action_items_due_date", ["due_date"])
    # A plain ADD COLUMN, also on SQLite, where a batch would rebuild the table: dropping the
    # old one fails while minutes and invitations refer to its rows.
    op.add_column(
        "sessions",
        sa.Column(
            "action_item_reminders_enabled",
            sa.Boolean(),
            nullable=False,
            server_default=sa.true(),
        ),
    )


def downgrade():
    op.drop_column("sessions", "action_item_reminders_enabled")  # SQLite has DROP COLUMN too
    with rebuilding_on_sqlite("action_items"), op.batch_alter_table("action_items") as batch_op:
        batch_op.drop_index("ix_action_items_due_date")
        batch_op.drop_constraint("fk_action_items_closed_by_id_users", type_="foreignkey")
        batch_op.drop_column("reminded_for_due_date")
        batch_op.drop_column("closed_by_id")
