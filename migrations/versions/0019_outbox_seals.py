"""Outbox messages carry a seal (HMAC of the message and its envelope), so that delivery sends an
unchanged message without reading it again.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 11:30:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    # Messages stored before have no seal; delivery reads them in full, as it did.
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.add_column(sa.Column("seal", sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_messages") as batch_op:
        batch_op.drop_column("seal")
