"""Invitations, their answers, inbound messages, the calendar identity of sessions, feed tokens.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 20:03:35.479551

"""
import uuid

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('expert_id', sa.Integer(), nullable=False),
    sa.Column('invited_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('response', sa.Enum('needs_action', 'accepted', 'tentative', 'declined', 'delegated', name='invitation_response', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('responded_sequence', sa.Integer(), nullable=True),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('channel', sa.Enum('link', 'calendar', 'manual', name='response_channel', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('attendance_mode', sa.Enum('in_person', 'online', name='attendance_mode', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('waitlisted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delegated_to_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deadline_reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('eve_reminder_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("waitlisted_at IS NULL OR response = 'accepted'", name=op.f('ck_invitations_only_acceptances_wait')),
    sa.ForeignKeyConstraint(['delegated_to_id'], ['invitations.id'], name=op.f('fk_invitations_delegated_to_id_invitations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['expert_id'], ['experts.id'], name=op.f('fk_invitations_expert_id_experts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_invitations_invited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_invitations_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('session_id', 'expert_id', name='uq_invitations_session_expert')
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_expert_id'), ['expert_id'], unique=False)
        batch_op.create_index('ix_invitations_session_response', ['session_id', 'response'], unique=False)

    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.Enum('imap', 'pipe', 'upload', name='inbound_source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=998), nullable=False),
    sa.Column('sender', sa.String(length=998), nullable=False),
    sa.Column('subject', sa.String(length=998), nullable=False),
    sa.Column('raw_message', sa.LargeBinary(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('calendar_uid', sa.String(length=500), nullable=False),
    sa.Column('attendee', sa.String(length=320), nullable=False),
    sa.Column('outcome', sa.Enum('applied', 'duplicate', 'stale', 'needs_review', 'counter_proposal', 'resolved', 'ignored', name='inbound_outcome', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_inbound_messages_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_inbound_messages_invitation_id_invitations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('digest', name=op.f('uq_inbound_messages_digest'))
    )
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_messages_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_messages_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_messages_received_at'), ['received_at'], unique=False)

    op.create_table('invitation_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.Enum('needs_action', 'accepted', 'tentative', 'declined', 'delegated', name='answer_response', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('link', 'calendar', 'manual', name='answer_channel', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('attendance_mode', sa.Enum('in_person', 'online', name='answer_attendance_mode', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('inbound_message_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['inbound_message_id'], ['inbound_messages.id'], name=op.f('fk_invitation_answers_inbound_message_id_inbound_messages'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_invitation_answers_invitation_id_invitations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_invitation_answers_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_answers'))
    )
    with op.batch_alter_table('invitation_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_answers_invitation_id'), ['invitation_id'], unique=False)

    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_experts_feed_token'), ['feed_token'])

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invitation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_messages_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbox_messages_invitation_id_invitations'), 'invitations', ['invitation_id'], ['id'], ondelete='SET NULL')

    # Existing sessions get a calendar UID each, SEQUENCE 0 and reminders on; the server
    # defaults only serve this step and are dropped again (the models set the values).
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ical_uid', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('ical_sequence', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('reminders_enabled', sa.Boolean(), nullable=False, server_default=sa.true()))
    sessions = sa.table('sessions', sa.column('id', sa.Integer), sa.column('ical_uid', sa.String))
    connection = op.get_bind()
    for (session_id,) in connection.execute(sa.select(sessions.c.id)).all():
        connection.execute(
            sessions.update().where(sessions.c.id == session_id).values(ical_uid=f"{uuid.uuid4()}@eventsys")
        )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.alter_column('ical_uid', existing_type=sa.String(length=255), nullable=False)
        batch_op.alter_column('ical_sequence', existing_type=sa.Integer(), server_default=None)
        batch_op.alter_column('reminders_enabled', existing_type=sa.Boolean(), server_default=None)
        batch_op.create_unique_constraint(batch_op.f('uq_sessions_ical_uid'), ['ical_uid'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_feed_token'), ['feed_token'])



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_feed_token'), type_='unique')
        batch_op.drop_column('feed_token')

    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_sessions_ical_uid'), type_='unique')
        batch_op.drop_column('reminders_enabled')
        batch_op.drop_column('ical_sequence')
        batch_op.drop_column('ical_uid')

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_messages_invitation_id_invitations'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_invitation_id'))
        batch_op.drop_column('invitation_id')

    with op.batch_alter_table('experts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_experts_feed_token'), type_='unique')
        batch_op.drop_column('feed_token')

    with op.batch_alter_table('invitation_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_answers_invitation_id'))

    op.drop_table('invitation_answers')
    with op.batch_alter_table('inbound_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_messages_received_at'))
        batch_op.drop_index(batch_op.f('ix_inbound_messages_outcome'))
        batch_op.drop_index(batch_op.f('ix_inbound_messages_invitation_id'))

    op.drop_table('inbound_messages')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index('ix_invitations_session_response')
        batch_op.drop_index(batch_op.f('ix_invitations_expert_id'))

    op.drop_table('invitations')
