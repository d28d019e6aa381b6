"""Two-factor sign-in: each user's TOTP secret (encrypted), since when it is on and the time
step of the last code accepted; single-use recovery codes, stored as digests; and the sign-in
policy row in which admins require two-factor sign-in for all staff.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:39:46.672755

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('two_factor_secret', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('two_factor_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('two_factor_last_step', sa.BigInteger(), nullable=True))
        batch_op.create_check_constraint(
            op.f('ck_users_user_two_factor_has_secret'),
            'two_factor_enabled_at IS NULL OR two_factor_secret IS NOT NULL',
        )

    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    sa.UniqueConstraint('user_id', 'code_digest', name='uq_recovery_codes_user_digest')
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    # One row at most (id 1); without it, two-factor sign-in is not required.
    op.create_table('sign_in_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('two_factor_required', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_sign_in_policy_single_row')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_sign_in_policy_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_policy'))
    )


def downgrade():
    op.drop_table('sign_in_policy')
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))
    op.drop_table('recovery_codes')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_user_two_factor_has_secret'), type_='check')
        batch_op.drop_column('two_factor_last_step')
        batch_op.drop_column('two_factor_enabled_at')
        batch_op.drop_column('two_factor_secret')
