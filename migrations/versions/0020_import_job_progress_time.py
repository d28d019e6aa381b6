"""Import jobs record when they last moved on, so that a job whose worker went away is seen as
stalled and can be continued.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 12:00:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("expert_import_jobs") as batch_op:
        batch_op.add_column(sa.Column("progressed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("expert_import_jobs") as batch_op:
        batch_op.drop_column("progressed_at")
