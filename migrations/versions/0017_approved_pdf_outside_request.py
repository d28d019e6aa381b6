"""The PDF of approved minutes is rendered outside the request and written into the version once.

- minutes_versions.pdf and pdf_sha256 may be NULL (the PDF is being prepared), both or neither;
  the guard of versions allows the one write of both from NULL to a value and refuses everything
  else, as before.
- prepared_documents may be archival (PDF/A-3u) with attachments.

The downgrade needs every version to have its PDF: it refuses, saying so, while one has none.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 08:00:00.000000

"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from eventsys.minutes import freezing

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

PAIRED = "ck_minutes_versions_pdf_with_checksum"

# The guard of versions as migration 0004 made it: no change at all.
_GUARD_BEFORE = {
    "sqlite": [
        "CREATE TRIGGER minutes_versions_unchangeable BEFORE UPDATE ON minutes_versions "
        "BEGIN SELECT RAISE(ABORT, 'approved versions cannot be changed'); END",
        "CREATE TRIGGER minutes_versions_undeletable BEFORE DELETE ON minutes_versions "
        "BEGIN SELECT RAISE(ABORT, 'approved versions cannot be deleted'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION refuse_changing_minutes_versions() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'approved versions cannot be changed or deleted' "
        "USING ERRCODE = 'restrict_violation'; END $$",
        "CREATE TRIGGER minutes_versions_unchangeable BEFORE UPDATE OR DELETE ON minutes_versions "
        "FOR EACH ROW EXECUTE FUNCTION refuse_changing_minutes_versions()",
    ],
}


def upgrade():
    with op.batch_alter_table("prepared_documents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("archival", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("attachments", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("prepared_documents", schema=None) as batch_op:
        batch_op.alter_column("archival", server_default=None)
        batch_op.alter_column("attachments", server_default=None)

    bind = op.get_bind()
    freezing.remove_version_guard(bind)

    def make_pdf_optional(batch_op) -> None:
        batch_op.alter_column("pdf", existing_type=sa.LargeBinary(), nullable=True)
        batch_op.alter_column("pdf_sha256", existing_type=sa.String(length=64), nullable=True)
        batch_op.create_check_constraint(
            op.f(PAIRED), sa.text("(pdf IS NULL) = (pdf_sha256 IS NULL)")
        )

    _alter_versions(make_pdf_optional)
    freezing.install_version_guard(bind)


def downgrade():
    bind = op.get_bind()
    waiting = bind.execute(
        sa.text("SELECT COUNT(*) FROM minutes_versions WHERE pdf IS NULL")
    ).scalar_one()
    if waiting:
        raise RuntimeError(
            f"{waiting} approved minutes version(s) have no PDF yet, which the schema before "
            "0017 cannot hold. Let their PDFs be prepared first (open each on its minutes page; "
            "try a failed one again), then downgrade."
        )
    freezing.remove_version_guard(bind)

    def make_pdf_required(batch_op) -> None:
        batch_op.drop_constraint(op.f(PAIRED), type_="check")
        batch_op.alter_column("pdf", existing_type=sa.LargeBinary(), nullable=False)
        batch_op.alter_column("pdf_sha256", existing_type=sa.String(length=64), nullable=False)

    _alter_versions(make_pdf_required)
    for statement in _GUARD_BEFORE[bind.dialect.name]:
        bind.exec_driver_sql(statement)

    # Renderings of archival PDFs left over mean nothing to the code before 0017.
    op.execute(sa.text("DELETE FROM prepared_documents WHERE archival"))
    with op.batch_alter_table("prepared_documents", schema=None) as batch_op:
        batch_op.drop_column("attachments")
        batch_op.drop_column("archival")


def _alter_versions(change: Callable) -> None:
    """Apply `change` to minutes_versions. SQLite rebuilds the table for it, and dropping the
    old table fails while charter origins refer to its rows, unless foreign keys are off; they
    are switched off for the rebuild (outside a transaction, the only place SQLite allows it)
    and checked before they are switched on again."""
    with (
        _foreign_keys_off_on_sqlite(),
        op.batch_alter_table("minutes_versions", schema=None) as batch_op,
    ):
        change(batch_op)


@contextmanager
def _foreign_keys_off_on_sqlite() -> Iterator[None]:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    context = op.get_context()
    with context.autocommit_block():
        bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    try:
        yield
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"rebuilding minutes_versions broke foreign keys: {broken}")
    finally:
        with context.autocommit_block():
            bind.exec_driver_sql("PRAGMA foreign_keys = ON")
