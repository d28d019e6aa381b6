"""Minor and major changes, per-invitee calendar sequences, online places, mail details.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("online_capacity", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("major_change_sequence", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("agenda_changed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_check_constraint(
            op.f("ck_sessions_online_capacity_positive"),
            "online_capacity IS NULL OR online_capacity > 0",
        )
    # Every change so far was taken as one of time or place: answers keep their meaning.
    op.execute("UPDATE sessions SET major_change_sequence = ical_sequence")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("own_sequence", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("entry_removed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("details")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("entry_removed")
        batch_op.drop_column("own_sequence")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sessions_online_capacity_positive"), type_="check")
        batch_op.drop_column("agenda_changed")
        batch_op.drop_column("major_change_sequence")
        batch_op.drop_column("online_capacity")
