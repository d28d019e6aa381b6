"""Organisers hear about answers: each responsible organiser's choice per session (a mail per
answer, a daily digest or none), the mails and digests sent, the last visit of each session
page, and per session whether Outlook may offer to propose a new time.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 06:40:00.000000

"""

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "counter_proposals_blocked", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    op.create_table(
        "answer_notice_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "choice",
            sa.Enum(
                "each",
                "digest",
                "none",
                name="answer_notice_choice",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_answer_notice_preferences_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_answer_notice_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "session_id", name=op.f("pk_answer_notice_preferences")),
    )
    op.create_table(
        "session_visits",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_session_visits_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_session_visits_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "session_id", name=op.f("pk_session_visits")),
    )
    op.create_table(
        "answer_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("covered_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("covered_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "covered_until > covered_from", name=op.f("ck_answer_digests_covers_a_time")
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_answer_digests_outbox_message_id_outbox_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_answer_digests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_digests")),
        sa.UniqueConstraint("user_id", "day", name="uq_answer_digests_user_day"),
    )
    op.create_table(
        "answer_notice_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("outbox_message_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["invitation_answers.id"],
            name=op.f("fk_answer_notice_mails_answer_id_invitation_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_answer_notice_mails_outbox_message_id_outbox_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_answer_notice_mails_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_notice_mails")),
        sa.UniqueConstraint("answer_id", "user_id", name="uq_answer_notice_mails_answer_user"),
        sa.UniqueConstraint(
            "outbox_message_id", name=op.f("uq_answer_notice_mails_outbox_message_id")
        ),
    )


def downgrade():
    op.drop_table("answer_notice_mails")
    op.drop_table("answer_digests")
    op.drop_table("session_visits")
    op.drop_table("answer_notice_preferences")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("counter_proposals_blocked")
