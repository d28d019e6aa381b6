"""PDFs are rendered outside the request, once for each text, and kept as prepared documents.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 17:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "prepared_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("asset_files", sa.JSON(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "waiting",
                "rendering",
                "ready",
                "failed",
                name="preparation_state",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("failure", sa.Text(), nullable=False),
        sa.Column("timed_out", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prepared_documents")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_prepared_documents_fingerprint")),
    )
    with op.batch_alter_table("prepared_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prepared_documents_requested_at"), ["requested_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_prepared_documents_subject"), ["subject"], unique=False
        )


def downgrade():
    op.drop_table("prepared_documents")
