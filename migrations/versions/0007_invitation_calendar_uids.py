"""Each invitation gets a calendar UID of its own, with an unguessable part, so that a calendar
reply proves which invitee's copy it answers.

Invitations that exist already were sent with the session's UID; they keep it (the column stays
empty for them), so that their updates and cancellations still reach the entry in the invitee's
calendar.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:05:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ical_uid', sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_invitations_ical_uid'), ['ical_uid'])


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_invitations_ical_uid'), type_='unique')
        batch_op.drop_column('ical_uid')
