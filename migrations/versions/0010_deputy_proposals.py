"""Deputies typed into an answer link wait as proposals of that invitation until staff confirm
them; invitations made for a deputy say so, so that naming another deputy withdraws them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("invited_as_deputy", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "deputy_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "confirmed",
                "declined",
                name="deputy_proposal_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_deputy_proposals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_deputy_proposals_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deputy_proposals")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_deputy_proposals_invitation_id")),
    )


def downgrade():
    op.drop_table("deputy_proposals")
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("invited_as_deputy")
