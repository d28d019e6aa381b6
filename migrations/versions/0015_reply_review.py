"""Reasons of received messages kept as codes and values; counter-proposals kept for organisers.

Messages stored so far keep their explanation as the sentence it is (in the platform's
language): turning sentences back into codes would be guesswork, and the page shows them as
before.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reasons", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
    op.create_table(
        "counter_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("inbound_message_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("start_written", sa.String(length=200), nullable=False),
        sa.Column("end_written", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("dealt_with_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dealt_with_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["dealt_with_by_id"],
            ["users.id"],
            name=op.f("fk_counter_proposals_dealt_with_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_messages.id"],
            name=op.f("fk_counter_proposals_inbound_message_id_inbound_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_counter_proposals_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_counter_proposals")),
        sa.UniqueConstraint(
            "inbound_message_id", name=op.f("uq_counter_proposals_inbound_message_id")
        ),
    )
    with op.batch_alter_table("counter_proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_counter_proposals_invitation_id"), ["invitation_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("counter_proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_counter_proposals_invitation_id"))
    op.drop_table("counter_proposals")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_column("reasons")
