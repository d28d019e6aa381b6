"""Outbox messages can be queued before they are composed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('link_base', sa.String(length=300), nullable=True))
        batch_op.alter_column('raw_message', existing_type=sa.LargeBinary(), nullable=True)


def downgrade():
    # A message still waiting for its composer has no text to keep; it cannot survive the
    # downgrade, so it is marked failed with an empty body rather than silently dropped.
    op.execute(
        "UPDATE outbox_messages SET state = 'failed', last_error = 'not composed before downgrade' "
        "WHERE raw_message IS NULL"
    )
    op.execute("UPDATE outbox_messages SET raw_message = '' WHERE raw_message IS NULL")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('raw_message', existing_type=sa.LargeBinary(), nullable=False)
        batch_op.drop_column('link_base')
