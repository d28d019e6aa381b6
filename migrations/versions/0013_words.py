"""Experts get a salutation (Frau / Herr / none) and a sort key that orders names as German
readers expect; sessions and agenda items may have an English title (and sessions an English
description) for the international partners.

The sort key of existing experts is computed here with the rule as it stands at this
revision (kept in this file, so that the migration gives the same result whatever the code
later becomes); every later save writes it again from `eventsys.experts.models`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:00:00

"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SORT_KEY_LENGTH = 250

_ACADEMIC_TITLE = re.compile(
    r"(?<![\w.-])(?:prof|dr|dipl|apl|priv|doz|hon|h\.\s?c|mult|rer|nat|pol|oec|med|dent|vet|phil"
    r"|jur|theol|habil|ing|sc)\.(?:-[^\W\d_]+\.)*(?![\w.])",
    re.IGNORECASE,
)


def _sort_key(last_name: str, first_name: str) -> str:
    """DIN 5007-1: umlauts as their base letter, ß as ss, case and academic titles ignored."""
    name = f"{last_name}, {first_name}"
    without_titles = " ".join(_ACADEMIC_TITLE.sub(" ", name).split()).replace(" ,", ",")
    decomposed = unicodedata.normalize("NFKD", without_titles.strip(", "))
    key = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    return key[:SORT_KEY_LENGTH]


def upgrade():
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "salutation",
                sa.Enum(
                    "ms",
                    "mr",
                    "none",
                    name="expert_salutation",
                    native_enum=False,
                    create_constraint=True,
                    length=4,
                ),
                nullable=False,
                server_default="none",
            )
        )
        batch_op.add_column(
            sa.Column(
                "sort_key",
                sa.String(length=SORT_KEY_LENGTH).with_variant(
                    sa.String(length=SORT_KEY_LENGTH, collation="C"), "postgresql"
                ),
                nullable=False,
                server_default="",
            )
        )
    experts = sa.table(
        "experts",
        sa.column("id", sa.Integer),
        sa.column("first_name", sa.String),
        sa.column("last_name", sa.String),
        sa.column("sort_key", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(experts.c.id, experts.c.last_name, experts.c.first_name))
    for expert_id, last_name, first_name in rows.fetchall():
        connection.execute(
            experts.update()
            .where(experts.c.id == expert_id)
            .values(sort_key=_sort_key(last_name or "", first_name or ""))
        )
    with op.batch_alter_table("experts", schema=None) as batch_op:
        # The models give every value; the server defaults only filled the existing rows.
        batch_op.alter_column("salutation", server_default=None)
        batch_op.alter_column("sort_key", server_default=None)
        batch_op.create_index(batch_op.f("ix_experts_sort_key"), ["sort_key"], unique=False)

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("title_en", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("description_en", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.alter_column("title_en", server_default=None)
        batch_op.alter_column("description_en", server_default=None)

    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("title_en", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.alter_column("title_en", server_default=None)


def downgrade():
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_column("title_en")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("description_en")
        batch_op.drop_column("title_en")
    with op.batch_alter_table("experts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_experts_sort_key"))
        batch_op.drop_constraint(batch_op.f("ck_experts_expert_salutation"), type_="check")
        batch_op.drop_column("sort_key")
        batch_op.drop_column("salutation")
